package ops

import (
	"fmt"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Sum is the scalar Σ_i x_i over every element of x, whatever its shape.
// (gorgonia's Sum gives wrong values over the middle axes of 4-D tensors.)
func Sum(x *gorgonia.Node) (*gorgonia.Node, error) { return reduce(x, false) }

// Mean is the scalar (1/n)·Σ_i x_i over all n elements of x.
func Mean(x *gorgonia.Node) (*gorgonia.Node, error) { return reduce(x, true) }

func reduce(x *gorgonia.Node, mean bool) (*gorgonia.Node, error) {
	op := reduceOp{mean: mean}
	if x == nil {
		return nil, errors.Errorf("%v: nil input", op)
	}
	op.rank = x.Dims()
	return apply(op, x)
}

// reduceOp is y = Σ x, or Σ x / n when mean is set.
type reduceOp struct {
	mean bool
	rank int
}

func (r reduceOp) String() string {
	if r.mean {
		return "mean"
	}
	return "sum"
}

func (r reduceOp) ranks() ([]int, int)                           { return []int{r.rank}, 0 }
func (r reduceOp) diffWRT() []bool                               { return []bool{true} }
func (r reduceOp) shape(in []tensor.Shape) (tensor.Shape, error) { return tensor.ScalarShape(), nil }

// do writes its result with Memset: floats of a 0-d tensor is a copy of its
// value (tensor's Data() returns the scalar, not the backing slice).
func (r reduceOp) do(out tensor.Tensor, in []tensor.Tensor) error {
	if is32(out) {
		return out.Memset(reduceAll(floats[float32](in[0]), r.mean))
	}
	return out.Memset(reduceAll(floats[float64](in[0]), r.mean))
}

// reduceAll accumulates in float64, so a float32 sum of a million elements
// does not lose the small ones.
func reduceAll[T float](x []T, mean bool) T {
	var s float64
	for _, v := range x {
		s += float64(v)
	}
	if mean {
		s /= float64(len(x))
	}
	return T(s)
}

// grad: every x_i receives dy (dy/n for the mean).
func (r reduceOp) grad(in gorgonia.Nodes, _, dout *gorgonia.Node) (gorgonia.Nodes, error) {
	dx, err := apply(reduceGradOp{mean: r.mean, to: in[0].Shape().Clone()}, dout)
	return gorgonia.Nodes{dx}, err
}

// reduceGradOp is y_i = dy (or dy/n, n = |to|) for every element of a
// to-shaped tensor: the adjoint of reduceOp, whose gradient is in turn the
// same reduction of dout.
type reduceGradOp struct {
	mean bool
	to   tensor.Shape
}

func (r reduceGradOp) String() string {
	return fmt.Sprintf("%v_grad%v", reduceOp{mean: r.mean}, r.to)
}

func (r reduceGradOp) ranks() ([]int, int) { return []int{0}, len(r.to) }
func (r reduceGradOp) diffWRT() []bool     { return []bool{true} }

func (r reduceGradOp) shape(in []tensor.Shape) (tensor.Shape, error) {
	if in[0].TotalSize() != 1 {
		return nil, errors.Errorf("%v: gradient %v: want a scalar", r, in[0])
	}
	return r.to.Clone(), nil
}

func (r reduceGradOp) do(out tensor.Tensor, in []tensor.Tensor) error {
	scale := 1.0
	if r.mean {
		scale = 1 / float64(r.to.TotalSize())
	}
	if is32(out) {
		return out.Memset(float32(float64(floats[float32](in[0])[0]) * scale))
	}
	return out.Memset(floats[float64](in[0])[0] * scale)
}

func (r reduceGradOp) grad(in gorgonia.Nodes, _, dout *gorgonia.Node) (gorgonia.Nodes, error) {
	dy, err := reduce(dout, r.mean)
	return gorgonia.Nodes{dy}, err
}
