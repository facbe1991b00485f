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
	return &SGD{Momentum: momentum, Nesterov: nesterov, Decay: d, velocity: buffers{}}
}

func (s *SGD) Step(params []*nn.Param, grads []tensor.Tensor, lr float64) error {
	err := update(params, grads, func(p *nn.Param, w, g []float64) error {
		decay(g, w, s.Decay.rate(p))
		step := g
		if s.Momentum != 0 {
			v := s.velocity.get(p.Name, len(w))
			for i := range v {
				// PyTorch starts the buffer at the first gradient; with v = 0
				// initially, μ·0 + g is the same thing.
				v[i] = s.Momentum*v[i] + g[i]
				if s.Nesterov {
					step[i] = g[i] + s.Momentum*v[i]
				} else {
					step[i] = v[i]
				}
			}
		}
		for i := range w {
			w[i] -= lr * step[i]
		}
		return nil
	})
	if err == nil {
		s.steps++
	}
	return err
}

func (s *SGD) State() (map[string]tensor.Tensor, int) {
	out := map[string]tensor.Tensor{}
	s.velocity.export(out, "momentum_buffer")
	return out, s.steps
}

func (s *SGD) SetState(b map[string]tensor.Tensor, steps int) error {
	s.velocity, s.steps = buffers{}, steps
	return s.velocity.restore(b, "momentum_buffer")
}
