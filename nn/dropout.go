package nn

import (
	"fmt"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/ops"
)

// Dropout is torch.nn.Dropout (inverted: kept units are scaled by 1/(1−p) in
// training, so evaluation needs nothing). In a Train graph it declares a
// generated input called name, which every Run refills with a mask drawn from
// Builder.StepRand(name): two dropout layers never share masks, each step
// draws new ones, and a run resumed at step s draws the masks an
// uninterrupted run drew at step s. An Eval graph, or p = 0,
// inserts nothing. p must be in [0, 1); a bad p fails when the model is built.
func Dropout(name string, p float64) Layer {
	kind := fmt.Sprintf("Dropout(p=%g)", p)
	return &funcLayer{name: name, kind: kind, f: func(b *Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
		rng, reseed := b.StepRand(name)
		draw, err := ops.DropoutMask(p, rng)
		if err != nil {
			return nil, errors.WithMessage(err, name)
		}
		fill := func(mask tensor.Tensor) error {
			reseed()
			return draw(mask)
		}
		if b.Mode != Train || p == 0 {
			return x, nil
		}
		mask, err := b.G.Generated(name, x.Shape(), fill)
		if err != nil {
			return nil, errors.WithMessage(err, name)
		}
		y, err := ops.Dropout(x, mask)
		return y, errors.WithMessage(err, name)
	}}
}
