package ops

import (
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Linear is the fully connected layer y = x·Wᵀ + b in PyTorch's layout: x is
// (N, in), w is (out, in), b is (out) or nil (no bias), and y is (N, out).
// It composes MatMul (reading W transposed in place) and AddBias, so its
// gradients are theirs: dx = dy·W, dW = dyᵀ·x, db = Σ_n dy.
func Linear(x, w, b *gorgonia.Node) (*gorgonia.Node, error) {
	if x == nil || w == nil {
		return nil, errors.New("linear: nil input or weight")
	}
	xs, ws := x.Shape(), w.Shape()
	if len(xs) != 2 || len(ws) != 2 {
		return nil, errors.Errorf("linear: input %v, weight %v: want input (N, in) and weight (out, in)", xs, ws)
	}
	if xs[1] != ws[1] {
		return nil, errors.Errorf("linear: input %v, weight %v: input has %d features, weight expects %d", xs, ws, xs[1], ws[1])
	}
	if b != nil && !b.Shape().Eq(tensor.Shape{ws[0]}) {
		return nil, errors.Errorf("linear: weight %v, bias %v: want bias (%d)", ws, b.Shape(), ws[0])
	}
	y, err := MatMul(x, w, false, true)
	if err != nil || b == nil {
		return y, err
	}
	return AddBias(y, b)
}
