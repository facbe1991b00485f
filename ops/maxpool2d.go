package ops

import (
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/ops/internal/kernels"
)

// MaxPool2D is the maximum of x (N, C, H, W) over each window of p, per
// channel, giving (N, C, OH, OW) as p.OutShape says:
//
//	y[n, c, i, j] = max over a < KH, b < KW of x[n, c, i·SH − PadTop + a, j·SW − PadLeft + b],
//
// where padded positions count as −∞: they never win, so an all-negative
// window pools to its largest element. Windows may overlap (3×3 stride 2, as
// in AlexNet). The gradient sends dy to the first maximum of each window in
// row-major order (a subgradient at ties) and adds up where windows overlap.
func MaxPool2D(x *gorgonia.Node, p Pool2D) (*gorgonia.Node, error) {
	return poolNode(maxPool2DOp{p: p}, x)
}

// maxPool2DOp is y = maxpool(x). It holds the geometry only: no argmax mask
// (gorgonia's maxPoolOp keeps one in the op, shared by every pass).
type maxPool2DOp struct {
	writesAll
	p Pool2D
}

func (m maxPool2DOp) String() string      { return "maxpool2d(" + m.p.String() + ")" }
func (m maxPool2DOp) ranks() ([]int, int) { return []int{4}, 4 }
func (m maxPool2DOp) diffWRT() []bool     { return []bool{true} }

func (m maxPool2DOp) shape(in []tensor.Shape) (tensor.Shape, error) {
	return m.p.outShape(m.String(), in[0])
}

func (m maxPool2DOp) do(out tensor.Tensor, in []tensor.Tensor) error {
	g := m.p.kernel(in[0].Shape(), out.Shape())
	if is32(out) {
		kernels.MaxPool2D(floats[float32](out), floats[float32](in[0]), g)
	} else {
		kernels.MaxPool2D(floats[float64](out), floats[float64](in[0]), g)
	}
	return nil
}

func (m maxPool2DOp) grad(in gorgonia.Nodes, _, dout *gorgonia.Node) (gorgonia.Nodes, error) {
	dx, err := apply(maxPool2DGradOp{p: m.p}, in[0], dout)
	return gorgonia.Nodes{dx}, err
}

// maxPool2DGradOp is dx = maxpool'(x)ᵀ dy. It recomputes each window's argmax
// from x with the forward's own rule, so it needs neither y (gorgonia's
// maxPoolDiffOp takes x, y, dy) nor a stored mask. Its own gradient is not
// written: asking for it is an error from the adapter.
type maxPool2DGradOp struct{ p Pool2D }

func (m maxPool2DGradOp) String() string      { return "maxpool2d_grad(" + m.p.String() + ")" }
func (m maxPool2DGradOp) ranks() ([]int, int) { return []int{4, 4}, 4 }

func (m maxPool2DGradOp) shape(in []tensor.Shape) (tensor.Shape, error) {
	return poolGradShape(m.String(), m.p, in[0], in[1])
}

func (m maxPool2DGradOp) do(out tensor.Tensor, in []tensor.Tensor) error {
	g := m.p.kernel(in[0].Shape(), in[1].Shape())
	if is32(out) {
		kernels.MaxPool2DGrad(floats[float32](out), floats[float32](in[0]), floats[float32](in[1]), g)
	} else {
		kernels.MaxPool2DGrad(floats[float64](out), floats[float64](in[0]), floats[float64](in[1]), g)
	}
	return nil
}
