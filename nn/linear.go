package nn

import (
	"fmt"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/ops"
)

// Linear is torch.nn.Linear: y = x·Wᵀ + b with a weight (Out, In) and an
// optional bias (Out), on input (N, In).
type Linear struct {
	Path         string
	In, Out      int
	Weight, Bias *Param // Bias is nil for a layer without bias
}

var _ Layer = (*Linear)(nil)

// Linear makes a fully connected layer initialized as PyTorch does by
// default: weight and bias U(±1/√In).
func (f *Factory) Linear(name string, in, out int, bias bool) *Linear {
	w, b := f.weightAndBias(name, bias, out, in)
	return &Linear{Path: name, In: in, Out: out, Weight: w, Bias: b}
}

func (l *Linear) Name() string { return l.Path }

func (l *Linear) Params() []*Param { return params(l.Weight, l.Bias) }

func (l *Linear) String() string {
	return fmt.Sprintf("Linear(%d, %d, bias=%t)", l.In, l.Out, l.Bias != nil)
}

// Forward maps x (N, In) to (N, Out); flatten a conv stack's output first.
func (l *Linear) Forward(b *Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	w, bias, err := declare(b, l.Weight, l.Bias)
	if err != nil {
		return nil, errors.WithMessage(err, l.Path)
	}
	y, err := ops.Linear(x, w, bias)
	return y, errors.WithMessage(err, l.Path)
}

// MACs counts the multiply-accumulates per sample: In·Out.
func (l *Linear) MACs(_, _ tensor.Shape) int { return l.In * l.Out }
