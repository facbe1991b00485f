package solvers

import (
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/nn"
)

// Optimizer turns gradients into in-place parameter updates.
type Optimizer interface {
	// Step updates params[i] from grads[i] at learning rate lr.
	Step(params []*nn.Param, grads []tensor.Tensor, lr float64) error
	// State returns the optimizer's buffers by name ("<param>.momentum_buffer",
	// "<param>.exp_avg", ...) and its step count, for checkpoints.
	State() (buffers map[string]tensor.Tensor, steps int)
	// SetState restores what State returned (exact resume).
	SetState(buffers map[string]tensor.Tensor, steps int) error
}

// Decay is L2 weight decay. Every optimizer applies it through decay (or,
// decoupled, through shrink), so the rule is written once.
type Decay struct {
	Rate float64
	// SkipNoDecay leaves parameters marked NoDecay (biases, batch-norm
	// scale and shift) undecayed.
	SkipNoDecay bool
}

func (d Decay) rate(p *nn.Param) float64 {
	if d.SkipNoDecay && p.NoDecay {
		return 0
	}
	return d.Rate
}

// decay adds the L2 term to a gradient: g + λ·w (PyTorch's weight_decay).
func decay(g, w []float64, rate float64) {
	if rate == 0 {
		return
	}
	for i := range g {
		g[i] += rate * w[i]
	}
}

// shrink is decoupled weight decay (AdamW): w ← w − lr·λ·w.
func shrink(w []float64, lr, rate float64) {
	if rate == 0 {
		return
	}
	f := 1 - lr*rate
	for i := range w {
		w[i] *= f
	}
}

// buffers keeps per-parameter state keyed by the parameter's name, so state
// survives rebuilding the model and round-trips through checkpoints.
type buffers map[string][]float64

func (b buffers) get(name string, n int) []float64 {
	if s, ok := b[name]; ok && len(s) == n {
		return s
	}
	s := make([]float64, n)
	b[name] = s
	return s
}

func (b buffers) export(into map[string]tensor.Tensor, suffix string) {
	for name, s := range b {
		into[name+"."+suffix] = tensor.New(tensor.WithShape(len(s)), tensor.WithBacking(append([]float64(nil), s...)))
	}
}

func (b buffers) restore(from map[string]tensor.Tensor, suffix string) error {
	for key, t := range from {
		name, ok := trimSuffix(key, "."+suffix)
		if !ok {
			continue
		}
		d, ok := t.Data().([]float64)
		if !ok {
			return errors.Errorf("optimizer state %q: dtype %v, want float64", key, t.Dtype())
		}
		b[name] = append([]float64(nil), d...)
	}
	return nil
}

func trimSuffix(s, suffix string) (string, bool) {
	if len(s) > len(suffix) && s[len(s)-len(suffix):] == suffix {
		return s[:len(s)-len(suffix)], true
	}
	return "", false
}

// update runs f on each parameter with float64 copies of its values and its
// gradient, then writes the values back in the parameter's dtype. Optimizer
// arithmetic in float64 keeps float32 and float64 training on one code path.
func update(params []*nn.Param, grads []tensor.Tensor, f func(p *nn.Param, w, g []float64) error) error {
	if len(params) != len(grads) {
		return errors.Errorf("optimizer: %d parameters, %d gradients", len(params), len(grads))
	}
	for i, p := range params {
		g := grads[i]
		if g == nil {
			return errors.Errorf("optimizer: %s: no gradient", p.Name)
		}
		if !g.Shape().Eq(p.Value.Shape()) {
			return errors.Errorf("optimizer: %s: gradient shape %v, parameter %v", p.Name, g.Shape(), p.Value.Shape())
		}
		w, err := toFloat64(p.Value)
		if err != nil {
			return errors.WithMessage(err, p.Name)
		}
		gv, err := toFloat64(g)
		if err != nil {
			return errors.WithMessage(err, p.Name+" gradient")
		}
		for _, v := range gv {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return errors.Errorf("optimizer: %s: gradient holds %v", p.Name, v)
			}
		}
		if err := f(p, w, gv); err != nil {
			return errors.WithMessage(err, p.Name)
		}
		if err := fromFloat64(p.Value, w); err != nil {
			return errors.WithMessage(err, p.Name)
		}
	}
	return nil
}

func toFloat64(t tensor.Tensor) ([]float64, error) {
	switch d := t.Data().(type) {
	case []float64:
		return append([]float64(nil), d...), nil
	case []float32:
		out := make([]float64, len(d))
		for i, v := range d {
			out[i] = float64(v)
		}
		return out, nil
	}
	return nil, errors.Errorf("dtype %v: want float32 or float64", t.Dtype())
}

func fromFloat64(t tensor.Tensor, v []float64) error {
	switch d := t.Data().(type) {
	case []float64:
		copy(d, v)
	case []float32:
		for i := range d {
			d[i] = float32(v[i])
		}
	default:
		return errors.Errorf("dtype %v: want float32 or float64", t.Dtype())
	}
	return nil
}
