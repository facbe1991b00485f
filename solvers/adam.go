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
	return &Adam{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Decay: d, m: buffers{}, v: buffers{}}
}

// NewAdamW returns Adam with decoupled weight decay d (PyTorch's default rate is 0.01).
func NewAdamW(d Decay) *Adam {
	a := NewAdam(d)
	a.Decoupled = true
	return a
}

func (a *Adam) Step(params []*nn.Param, grads []tensor.Tensor, lr float64) error {
	t := float64(a.steps + 1)
	c1, c2 := 1-math.Pow(a.Beta1, t), 1-math.Pow(a.Beta2, t)
	err := update(params, grads, func(p *nn.Param, w, g []float64) error {
		if a.Decoupled {
			shrink(w, lr, a.Decay.rate(p))
		} else {
			decay(g, w, a.Decay.rate(p))
		}
		m, v := a.m.get(p.Name, len(w)), a.v.get(p.Name, len(w))
		for i := range w {
			m[i] = a.Beta1*m[i] + (1-a.Beta1)*g[i]
			v[i] = a.Beta2*v[i] + (1-a.Beta2)*g[i]*g[i]
			w[i] -= lr * (m[i] / c1) / (math.Sqrt(v[i]/c2) + a.Eps)
		}
		return nil
	})
	if err == nil {
		a.steps++
	}
	return err
}

func (a *Adam) State() (map[string]tensor.Tensor, int) {
	out := map[string]tensor.Tensor{}
	a.m.export(out, "exp_avg")
	a.v.export(out, "exp_avg_sq")
	return out, a.steps
}

func (a *Adam) SetState(b map[string]tensor.Tensor, steps int) error {
	a.m, a.v, a.steps = buffers{}, buffers{}, steps
	if err := a.m.restore(b, "exp_avg"); err != nil {
		return err
	}
	return a.v.restore(b, "exp_avg_sq")
}
