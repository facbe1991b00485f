package ops

import (
	"fmt"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/ops/internal/kernels"
)

// AvgPool2D is the mean of x (N, C, H, W) over each window of p, per channel,
// giving (N, C, OH, OW) as p.OutShape says:
//
//	y[n, c, i, j] = (1/count) · Σ over a < KH, b < KW of x[n, c, i·SH − PadTop + a, j·SW − PadLeft + b],
//
// where padded positions add 0. With countPad true, count = KH·KW: padding
// counts in the divisor, as in PyTorch's default (count_include_pad=True), so
// border outputs shrink towards 0. With countPad false, count is the number of
// input elements in the window (count_include_pad=False), so a border output
// is the mean of what it covers. The gradient gives each element of a window
// dy/count and adds up where windows overlap.
func AvgPool2D(x *gorgonia.Node, p Pool2D, countPad bool) (*gorgonia.Node, error) {
	return poolNode(avgPool2DOp{p: p, countPad: countPad}, x)
}

// avgPool2DOp is y = avgpool(x).
type avgPool2DOp struct {
	writesAll
	p        Pool2D
	countPad bool
}

func (a avgPool2DOp) String() string {
	return fmt.Sprintf("avgpool2d(%v, count pad %t)", a.p, a.countPad)
}
func (a avgPool2DOp) ranks() ([]int, int) { return []int{4}, 4 }
func (a avgPool2DOp) diffWRT() []bool     { return []bool{true} }

func (a avgPool2DOp) shape(in []tensor.Shape) (tensor.Shape, error) {
	return a.p.outShape(a.String(), in[0])
}

func (a avgPool2DOp) do(out tensor.Tensor, in []tensor.Tensor) error {
	g := a.p.kernel(in[0].Shape(), out.Shape())
	if is32(out) {
		kernels.AvgPool2D(floats[float32](out), floats[float32](in[0]), g, a.countPad)
	} else {
		kernels.AvgPool2D(floats[float64](out), floats[float64](in[0]), g, a.countPad)
	}
	return nil
}

func (a avgPool2DOp) grad(in gorgonia.Nodes, _, dout *gorgonia.Node) (gorgonia.Nodes, error) {
	dx, err := apply(avgPool2DGradOp{p: a.p, countPad: a.countPad, x: in[0].Shape().Clone()}, dout)
	return gorgonia.Nodes{dx}, err
}

// avgPool2DGradOp is dx = avgpool'ᵀ dy. The pooling is linear, so dx does not
// depend on x's values, only on its shape: the op keeps that shape (InferShape
// sees only input shapes) instead of taking x as an input it would not read.
type avgPool2DGradOp struct {
	p        Pool2D
	countPad bool
	x        tensor.Shape
}

func (a avgPool2DGradOp) String() string {
	return fmt.Sprintf("avgpool2d_grad(%v, count pad %t, input %v)", a.p, a.countPad, a.x)
}
func (a avgPool2DGradOp) ranks() ([]int, int) { return []int{4}, 4 }

func (a avgPool2DGradOp) shape(in []tensor.Shape) (tensor.Shape, error) {
	return poolGradShape(a.String(), a.p, a.x, in[0])
}

func (a avgPool2DGradOp) do(out tensor.Tensor, in []tensor.Tensor) error {
	g := a.p.kernel(a.x, in[0].Shape())
	if is32(out) {
		kernels.AvgPool2DGrad(floats[float32](out), floats[float32](in[0]), g, a.countPad)
	} else {
		kernels.AvgPool2DGrad(floats[float64](out), floats[float64](in[0]), g, a.countPad)
	}
	return nil
}
