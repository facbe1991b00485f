package harness

import (
	"runtime"
	"slices"
	"time"

	"github.com/pkg/errors"
)

// Step is one training or inference step on a fixed batch; it returns the
// loss, or 0 when inferring.
type Step func() (loss float64, err error)

// Model is a benchmark's model built for one configuration, and its step.
type Model struct {
	Step  Step
	Input []int // C, H, W
	// ActivationBytes is the size of every op output a step computes; 0
	// where the benchmark does not measure it.
	ActivationBytes int
	// Close, if not nil, releases the model once measured.
	Close func() error
}

// Hooks are what a benchmark adds around the timed steps; nil ones are
// skipped. Start runs after the warm-up and Stop after the timed steps, with
// the result complete; the memory the steps allocate is read between them,
// so neither is charged with its own allocations.
type Hooks struct {
	Start func() error
	Stop  func(*Result) error
}

// Measure runs c in this process: builds c's model with build, runs
// c.Warmup untimed steps, then c.Repeats timed runs of c.Steps steps, and
// reports the median rate and the memory allocated per step. impl is the
// result's Impl.
func Measure(c Config, impl string, build func(Config) (*Model, error), h Hooks) (*Result, error) {
	if c.Steps < 1 || c.Repeats < 1 {
		return nil, errors.Errorf("%s %s: %d steps, %d repeats: want at least 1 of each", c.Model, c.Mode, c.Steps, c.Repeats)
	}
	runtime.GOMAXPROCS(c.Threads)
	start := time.Now()
	m, err := build(c)
	if err != nil {
		return nil, err
	}
	if m.Close != nil {
		defer m.Close()
	}
	r := &Result{
		Impl: impl, Model: c.Model, Mode: c.Mode, Threads: c.Threads, Batch: c.Batch, Input: m.Input,
		Steps: c.Steps, Warmup: c.Warmup, BuildSec: time.Since(start).Seconds(), ActivationBytes: float64(m.ActivationBytes),
		GoVersion: runtime.Version(), GOMAXPROCS: runtime.GOMAXPROCS(0), Date: time.Now().UTC().Format(time.RFC3339),
	}
	for range c.Warmup {
		if _, err := m.Step(); err != nil {
			return nil, errors.WithMessage(err, "warm-up")
		}
	}
	if h.Start != nil {
		if err := h.Start(); err != nil {
			return nil, err
		}
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	var times []float64 // seconds per step, one per repeat
	for range c.Repeats {
		t0 := time.Now()
		for range c.Steps {
			if r.Loss, err = m.Step(); err != nil {
				return nil, err
			}
		}
		sec := time.Since(t0).Seconds() / float64(c.Steps)
		times = append(times, sec)
		r.RepeatsIPS = append(r.RepeatsIPS, float64(c.Batch)/sec)
	}
	runtime.ReadMemStats(&after)
	n := float64(c.Repeats * c.Steps)
	r.AllocBytes = float64(after.TotalAlloc-before.TotalAlloc) / n
	r.Mallocs = float64(after.Mallocs-before.Mallocs) / n
	r.GCs = float64(after.NumGC-before.NumGC) / n
	med := Median(times)
	r.StepMs = med * 1e3
	r.ImagesPerSec = float64(c.Batch) / med
	if h.Stop != nil {
		if err := h.Stop(r); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Median is the median of xs, which it leaves as they are.
func Median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
