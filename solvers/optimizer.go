package solvers

import (
	"math"
	"strings"
	"sync/atomic"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/nn"
)

// Optimizer turns gradients into in-place parameter updates.
type Optimizer interface {
	// Step updates params[i] from grads[i] at learning rate lr. It checks
	// every gradient before it changes any parameter.
	Step(params []*nn.Param, grads []tensor.Tensor, lr float64) error
	// State returns the optimizer's buffers by name ("<param>.momentum_buffer",
	// "<param>.exp_avg", ...) and its step count, for checkpoints.
	State() (buffers map[string]tensor.Tensor, steps int)
	// SetState restores what State returned (exact resume).
	SetState(buffers map[string]tensor.Tensor, steps int) error
}

// Decay is L2 weight decay: which rate applies to which parameter is decided
// here, once; SGD adds rate·w to the gradient, Adam too or, decoupled
// (AdamW), shrinks w by lr·rate.
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

// buffers keeps per-parameter state, in the parameter's dtype, keyed by the
// parameter's name: state survives rebuilding the model and round-trips
// through checkpoints.
type buffers struct {
	suffix string // the state_dict name: momentum_buffer, exp_avg, exp_avg_sq
	m      map[string]tensor.Tensor
}

func newBuffers(suffix string) buffers { return buffers{suffix: suffix, m: map[string]tensor.Tensor{}} }

// get returns p's buffer, a zero tensor like p's value on first use.
func (b buffers) get(p *nn.Param) (tensor.Tensor, error) {
	t, ok := b.m[p.Name]
	if !ok {
		t = tensor.New(tensor.WithShape(p.Value.Shape()...), tensor.Of(p.Value.Dtype()))
		b.m[p.Name] = t
		return t, nil
	}
	if !t.Shape().Eq(p.Value.Shape()) || t.Dtype() != p.Value.Dtype() {
		return nil, errors.Errorf("optimizer: %s.%s is %v %v, the parameter %v %v", p.Name, b.suffix, t.Dtype(), t.Shape(), p.Value.Dtype(), p.Value.Shape())
	}
	return t, nil
}

// all returns the buffers of every parameter, or the first mismatch (a
// restored state of the wrong shape) before any parameter is touched.
func (b buffers) all(params []*nn.Param) ([]tensor.Tensor, error) {
	ts := make([]tensor.Tensor, len(params))
	for i, p := range params {
		t, err := b.get(p)
		if err != nil {
			return nil, err
		}
		ts[i] = t
	}
	return ts, nil
}

func (b buffers) export(into map[string]tensor.Tensor) {
	for name, t := range b.m {
		into[name+"."+b.suffix] = t.Clone().(tensor.Tensor)
	}
}

func (b buffers) restore(from map[string]tensor.Tensor) {
	for key, t := range from {
		if name, ok := strings.CutSuffix(key, "."+b.suffix); ok && name != "" {
			b.m[name] = t.Clone().(tensor.Tensor)
		}
	}
}

// checkGrads validates every gradient before any parameter changes, so a
// failed step leaves the model as it was.
func checkGrads(params []*nn.Param, grads []tensor.Tensor) error {
	if len(params) != len(grads) {
		return errors.Errorf("optimizer: %d parameters, %d gradients", len(params), len(grads))
	}
	for i, p := range params {
		g := grads[i]
		switch {
		case g == nil:
			return errors.Errorf("optimizer: %s: no gradient", p.Name)
		case !g.Shape().Eq(p.Value.Shape()):
			return errors.Errorf("optimizer: %s: gradient shape %v, parameter %v", p.Name, g.Shape(), p.Value.Shape())
		case g.Dtype() != p.Value.Dtype():
			return errors.Errorf("optimizer: %s: gradient %v, parameter %v", p.Name, g.Dtype(), p.Value.Dtype())
		}
		var bad float64
		switch d := g.Data().(type) {
		case []float32:
			bad = firstNonFinite(d)
		case []float64:
			bad = firstNonFinite(d)
		default:
			return errors.Errorf("optimizer: %s: dtype %v, want float32 or float64", p.Name, g.Dtype())
		}
		if bad != 0 {
			return errors.Errorf("optimizer: %s: gradient holds %v", p.Name, bad)
		}
	}
	return nil
}

// firstNonFinite returns the first NaN or ±Inf in v, or 0 when all are
// finite. x·0 is ±0 for every finite x and NaN for NaN and ±Inf, so a sum of
// them is 0 exactly when all are finite: a branch-free pass, split across
// the cores, answers the common case, and only a bad gradient is searched.
func firstNonFinite[T float32 | float64](v []T) float64 {
	var bad atomic.Bool
	inChunks(len(v), func(lo, hi int) {
		if !allFinite(v[lo:hi]) {
			bad.Store(true)
		}
	})
	if !bad.Load() {
		return 0
	}
	for _, x := range v {
		if f := float64(x); math.IsNaN(f) || math.IsInf(f, 0) {
			return f
		}
	}
	return 0
}

// allFinite reports whether v holds no NaN or ±Inf (see firstNonFinite),
// with four sums so that the additions need not wait on each other.
func allFinite[T float32 | float64](v []T) bool {
	var s0, s1, s2, s3 T
	i := 0
	for ; i+4 <= len(v); i += 4 {
		q := v[i : i+4 : i+4]
		s0 += q[0] * 0
		s1 += q[1] * 0
		s2 += q[2] * 0
		s3 += q[3] * 0
	}
	for _, x := range v[i:] {
		s0 += x * 0
	}
	return s0+s1+s2+s3 == 0
}

// floats views a float tensor's data as []T.
func floats[T float32 | float64](t tensor.Tensor) []T { return t.Data().([]T) }
