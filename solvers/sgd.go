package solvers

import (
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/nn"
)

// SGD is stochastic gradient descent with optional momentum and Nesterov
// momentum, in PyTorch's form (dampening 0):
//
//	g ← ∇w + λ·w;  v ← μ·v + g;  w ← w − lr·(Nesterov ? g + μ·v : v)
//
// With Momentum 0 it is plain SGD: w ← w − lr·g.
type SGD struct {
	Momentum float64
	Nesterov bool
	Decay    Decay

	velocity buffers
	steps    int
}

var _ Optimizer = (*SGD)(nil)

// NewSGD returns SGD with momentum μ (the course's 0.9; 0 for plain SGD).
func NewSGD(momentum float64, nesterov bool, d Decay) *SGD {
	return &SGD{Momentum: momentum, Nesterov: nesterov, Decay: d, velocity: newBuffers("momentum_buffer")}
}

func (s *SGD) Step(params []*nn.Param, grads []tensor.Tensor, lr float64) error {
	if err := checkGrads(params, grads); err != nil {
		return err
	}
	var vs []tensor.Tensor // checked for every parameter before any changes
	if s.Momentum != 0 {
		var err error
		if vs, err = s.velocity.all(params); err != nil {
			return err
		}
	}
	for i, p := range params {
		h := sgdHyper{lr: lr, mu: s.Momentum, decay: s.Decay.rate(p), nesterov: s.Nesterov}
		var v tensor.Tensor
		if vs != nil {
			v = vs[i]
		}
		if p.Value.Dtype() == tensor.Float32 {
			sgdStep(floats[float32](p.Value), floats[float32](grads[i]), velocity[float32](v), h)
		} else {
			sgdStep(floats[float64](p.Value), floats[float64](grads[i]), velocity[float64](v), h)
		}
	}
	s.steps++
	return nil
}

type sgdHyper struct {
	lr, mu, decay float64
	nesterov      bool
}

func velocity[T float32 | float64](v tensor.Tensor) []T {
	if v == nil {
		return nil
	}
	return floats[T](v)
}

// sgdStep updates w in place; v is nil without momentum. PyTorch starts the
// velocity at the first gradient; with v = 0 initially, μ·0 + g is the same.
func sgdStep[T float32 | float64](w, g, v []T, h sgdHyper) {
	inChunks(len(w), func(lo, hi int) {
		if v == nil {
			sgdRange(w[lo:hi], g[lo:hi], nil, h)
		} else {
			sgdRange(w[lo:hi], g[lo:hi], v[lo:hi], h)
		}
	})
}

// sgdRange is sgdStep on one range, with one loop per variant so that no
// branch sits in the loop (w, g and v have one length).
func sgdRange[T float32 | float64](w, g, v []T, h sgdHyper) {
	lr, mu, decay := T(h.lr), T(h.mu), T(h.decay)
	g = g[:len(w)]
	switch {
	case v == nil:
		for i, wi := range w {
			w[i] = wi - lr*(g[i]+decay*wi)
		}
	case h.nesterov:
		v = v[:len(w)]
		for i, wi := range w {
			gi := g[i] + decay*wi
			vi := mu*v[i] + gi
			v[i] = vi
			w[i] = wi - lr*(gi+mu*vi)
		}
	default:
		v = v[:len(w)]
		for i, wi := range w {
			vi := mu*v[i] + (g[i] + decay*wi)
			v[i] = vi
			w[i] = wi - lr*vi
		}
	}
}

func (s *SGD) State() (map[string]tensor.Tensor, int) {
	out := map[string]tensor.Tensor{}
	s.velocity.export(out)
	return out, s.steps
}

func (s *SGD) SetState(b map[string]tensor.Tensor, steps int) error {
	s.velocity, s.steps = newBuffers("momentum_buffer"), steps
	s.velocity.restore(b)
	return nil
}
