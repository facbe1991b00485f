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
		v, err := toFloat64(g)
		if err != nil {
			return 0, errors.WithMessagef(err, "clip: gradient %d", i)
		}
		for _, x := range v {
			sum += x * x
		}
	}
	norm := math.Sqrt(sum)
	if maxNorm <= 0 || norm <= maxNorm || math.IsNaN(norm) {
		return norm, nil
	}
	scale := maxNorm / (norm + 1e-6)
	for _, g := range grads {
		v, _ := toFloat64(g)
		for i := range v {
			v[i] *= scale
		}
		if err := fromFloat64(g, v); err != nil {
			return 0, err
		}
	}
	return norm, nil
}
