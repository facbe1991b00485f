package solvers

import (
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// ClipGradNorm scales every gradient by maxNorm/‖g‖ when the global L2 norm
// ‖g‖ over all of them exceeds maxNorm (torch.nn.utils.clip_grad_norm_), in
// place, and returns the norm before clipping.
func ClipGradNorm(grads []tensor.Tensor, maxNorm float64) (float64, error) {
	var sum float64
	for i, g := range grads {
		switch d := g.Data().(type) {
		case []float32:
			sum += sumSquares(d)
		case []float64:
			sum += sumSquares(d)
		default:
			return 0, errors.Errorf("clip: gradient %d: dtype %v, want float32 or float64", i, g.Dtype())
		}
	}
	norm := math.Sqrt(sum)
	if maxNorm <= 0 || norm <= maxNorm || math.IsNaN(norm) {
		return norm, nil
	}
	scale := maxNorm / (norm + 1e-6)
	for _, g := range grads {
		switch d := g.Data().(type) {
		case []float32:
			scaleBy(d, scale)
		case []float64:
			scaleBy(d, scale)
		}
	}
	return norm, nil
}

func sumSquares[T float32 | float64](v []T) float64 {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	return s
}

func scaleBy[T float32 | float64](v []T, s float64) {
	for i := range v {
		v[i] = T(float64(v[i]) * s)
	}
}
