package ops

import (
	"math/rand"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Dropout is inverted dropout, y = x ⊙ mask, for a mask of x's shape whose
// elements are 0 (dropped, with probability p) or 1/(1−p) (kept): scaling
// the kept units at training time leaves every expectation unchanged, so an
// eval graph inserts nothing. Its gradient is dx = dy ⊙ mask. Draw the mask
// with DropoutMask and declare it with graph.Generated, so that every Run
// draws a new one.
//
// It is Mul under its own shape check: the rule is exactly the product's.
// (gorgonia's Dropout divides the gradient by p where its forward scales by
// 1/(1−p).)
func Dropout(x, mask *gorgonia.Node) (*gorgonia.Node, error) {
	if x == nil || mask == nil {
		return nil, errors.New("dropout: nil input or mask")
	}
	if !x.Shape().Eq(mask.Shape()) {
		return nil, errors.Errorf("dropout: input %v, mask %v: want one shape", x.Shape(), mask.Shape())
	}
	return Mul(x, mask)
}

// DropoutMask returns a fill function for graph.Generated that draws an
// inverted-dropout mask from rng: each element is 0 with probability p and
// 1/(1−p) otherwise (p = 0 gives all ones). p must be in [0, 1): p = 1 would
// drop everything and scale by infinity. The function uses rng on every
// call, so it is not safe for concurrent use.
func DropoutMask(p float64, rng *rand.Rand) (func(tensor.Tensor) error, error) {
	if !(p >= 0 && p < 1) { // also rejects NaN
		return nil, errors.Errorf("dropout: p = %v: want 0 ≤ p < 1", p)
	}
	if rng == nil {
		return nil, errors.New("dropout: nil random source")
	}
	keep := 1 / (1 - p)
	return func(t tensor.Tensor) error {
		switch t.Dtype() {
		case tensor.Float32:
			fillDropoutMask(floats[float32](t), p, keep, rng)
		case tensor.Float64:
			fillDropoutMask(floats[float64](t), p, keep, rng)
		default:
			return errors.Errorf("dropout: mask %v is %v: want float32 or float64", t.Shape(), t.Dtype())
		}
		return nil
	}, nil
}

func fillDropoutMask[T float](m []T, p, keep float64, rng *rand.Rand) {
	for i := range m {
		m[i] = T(keep)
		if rng.Float64() < p {
			m[i] = 0
		}
	}
}
