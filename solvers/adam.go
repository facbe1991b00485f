package solvers

import (
	"math"

	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/nn"
)

// Adam is Kingma & Ba's optimizer with bias correction:
//
//	m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
//	w ← w − lr·(m/(1−β1^t)) / (√(v/(1−β2^t)) + ε)
//
// Decoupled false adds weight decay to the gradient (PyTorch's Adam);
// Decoupled true shrinks the weights directly, w ← w − lr·λ·w, before the
// step (AdamW, Loshchilov & Hutter).
type Adam struct {
	Beta1, Beta2, Eps float64
	Decay             Decay
	Decoupled         bool

	m, v  buffers
	steps int
}

var _ Optimizer = (*Adam)(nil)

// NewAdam returns Adam with β1 = 0.9, β2 = 0.999, ε = 1e-8 and L2 decay d.
func NewAdam(d Decay) *Adam {
	return &Adam{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Decay: d, m: newBuffers("exp_avg"), v: newBuffers("exp_avg_sq")}
}

// NewAdamW returns Adam with decoupled weight decay d (PyTorch's default rate is 0.01).
func NewAdamW(d Decay) *Adam {
	a := NewAdam(d)
	a.Decoupled = true
	return a
}

type adamHyper struct {
	lr, beta1, beta2, eps, c1, c2 float64
	decay, shrink                 float64 // L2 rate added to g; decoupled factor lr·λ
}

func (a *Adam) Step(params []*nn.Param, grads []tensor.Tensor, lr float64) error {
	if err := checkGrads(params, grads); err != nil {
		return err
	}
	ms, err := a.m.all(params) // checked for every parameter before any changes
	if err != nil {
		return err
	}
	vs, err := a.v.all(params)
	if err != nil {
		return err
	}
	t := float64(a.steps + 1)
	for i, p := range params {
		m, v := ms[i], vs[i]
		h := adamHyper{lr: lr, beta1: a.Beta1, beta2: a.Beta2, eps: a.Eps,
			c1: 1 - math.Pow(a.Beta1, t), c2: 1 - math.Pow(a.Beta2, t)}
		if a.Decoupled {
			h.shrink = lr * a.Decay.rate(p)
		} else {
			h.decay = a.Decay.rate(p)
		}
		if p.Value.Dtype() == tensor.Float32 {
			adamStep(floats[float32](p.Value), floats[float32](grads[i]), floats[float32](m), floats[float32](v), h)
		} else {
			adamStep(floats[float64](p.Value), floats[float64](grads[i]), floats[float64](m), floats[float64](v), h)
		}
	}
	a.steps++
	return nil
}

func adamStep[T float32 | float64](w, g, m, v []T, h adamHyper) {
	inChunks(len(w), func(lo, hi int) { adamRange(w[lo:hi], g[lo:hi], m[lo:hi], v[lo:hi], h) })
}

// adamRange is adamStep on one range (w, g, m and v have one length).
func adamRange[T float32 | float64](w, g, m, v []T, h adamHyper) {
	b1, b2, decay, keep := T(h.beta1), T(h.beta2), T(h.decay), T(1-h.shrink)
	g, m, v = g[:len(w)], m[:len(w)], v[:len(w)]
	for i := range w {
		w[i] *= keep
		gi := g[i] + decay*w[i]
		m[i] = b1*m[i] + (1-b1)*gi
		v[i] = b2*v[i] + (1-b2)*gi*gi
		w[i] -= T(h.lr * (float64(m[i]) / h.c1) / (math.Sqrt(float64(v[i])/h.c2) + h.eps))
	}
}

func (a *Adam) State() (map[string]tensor.Tensor, int) {
	out := map[string]tensor.Tensor{}
	a.m.export(out)
	a.v.export(out)
	return out, a.steps
}

func (a *Adam) SetState(b map[string]tensor.Tensor, steps int) error {
	a.m, a.v, a.steps = newBuffers("exp_avg"), newBuffers("exp_avg_sq"), steps
	a.m.restore(b)
	a.v.restore(b)
	return nil
}
