package solvers

import (
	"math"
	"sort"
)

// Schedule gives the learning rate of a step (counted from 0).
type Schedule interface {
	LR(step int) float64
}

// ScheduleFunc adapts a function to Schedule.
type ScheduleFunc func(step int) float64

func (f ScheduleFunc) LR(step int) float64 { return f(step) }

// Fixed keeps lr constant.
func Fixed(lr float64) Schedule {
	return ScheduleFunc(func(int) float64 { return lr })
}

// StepDecay multiplies lr by gamma every `every` steps (Caffe's "step").
func StepDecay(lr, gamma float64, every int) Schedule {
	return ScheduleFunc(func(step int) float64 {
		if every <= 0 {
			return lr
		}
		return lr * math.Pow(gamma, float64(step/every))
	})
}

// MultiStep multiplies lr by gamma at each milestone step (He et al. divide
// by 10 at 32k and 48k iterations).
func MultiStep(lr, gamma float64, milestones ...int) Schedule {
	ms := append([]int(nil), milestones...)
	sort.Ints(ms)
	return ScheduleFunc(func(step int) float64 {
		passed := sort.Search(len(ms), func(i int) bool { return ms[i] > step })
		return lr * math.Pow(gamma, float64(passed))
	})
}

// Cosine anneals from lr to min over total steps, then stays at min
// (Loshchilov & Hutter's SGDR without restarts).
func Cosine(lr, min float64, total int) Schedule {
	return ScheduleFunc(func(step int) float64 {
		if step >= total {
			return min
		}
		return min + (lr-min)*(1+math.Cos(math.Pi*float64(step)/float64(total)))/2
	})
}

// Warmup ramps linearly from then's rate/steps up to then's rate over the
// first steps steps (Goyal et al. 2017), then follows then.
func Warmup(steps int, then Schedule) Schedule {
	return ScheduleFunc(func(step int) float64 {
		lr := then.LR(step)
		if step < steps {
			return lr * float64(step+1) / float64(steps)
		}
		return lr
	})
}

// Plateau divides the rate by Factor (10, as the lecture does by hand) when
// the observed metric has not improved for Patience observations: AlexNet's
// and ResNet's "divide by 10 when validation error plateaus". Feed it one
// Observe per epoch; it is the one schedule with state.
type Plateau struct {
	Base      float64 // starting rate
	Factor    float64 // multiply by this on a plateau (0.1)
	Patience  int     // observations without improvement tolerated
	Threshold float64 // relative improvement that counts (1e-4)
	Min       float64 // never below this
	Maximize  bool    // the metric is an accuracy rather than an error or loss

	Scale float64 // current multiplier of Base, 1 until the first plateau
	Best  float64
	Bad   int  // observations since the last improvement
	Seen  bool // Best holds a real observation
}

// NewPlateau divides lr by 10 after patience epochs without a lower metric.
func NewPlateau(lr float64, patience int) *Plateau {
	return &Plateau{Base: lr, Factor: 0.1, Patience: patience, Threshold: 1e-4, Scale: 1}
}

func (p *Plateau) LR(int) float64 { return math.Max(p.Base*p.Scale, p.Min) }

// Observe records one value of the monitored metric and reports whether the
// rate was just reduced.
func (p *Plateau) Observe(metric float64) bool {
	better := !p.Seen
	if p.Seen {
		if p.Maximize {
			better = metric > p.Best*(1+p.Threshold)
		} else {
			better = metric < p.Best*(1-p.Threshold)
		}
	}
	if better {
		p.Best, p.Bad, p.Seen = metric, 0, true
		return false
	}
	p.Bad++
	if p.Bad > p.Patience {
		p.Scale *= p.Factor
		p.Bad = 0
		return true
	}
	return false
}
