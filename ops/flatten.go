package ops

import (
	"fmt"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Flatten reshapes x (N, d1, d2, ...) to (N, d1·d2·...), keeping the
// row-major element order: the step between a conv stack (N, C, H, W) and a
// Linear layer, as PyTorch's nn.Flatten. A 2-D x is returned as it is.
func Flatten(x *gorgonia.Node) (*gorgonia.Node, error) {
	if x == nil {
		return nil, errors.New("flatten: nil input")
	}
	s := x.Shape()
	if len(s) < 2 {
		return nil, errors.Errorf("flatten: input %v: want (N, ...) with at least 2 dimensions", s)
	}
	if len(s) == 2 {
		return x, nil
	}
	return apply(reshapeOp{from: s.Clone(), to: tensor.Shape{s[0], s.TotalSize() / s[0]}}, x)
}

// reshapeOp views the elements of a from-shaped tensor, in order, as a
// to-shaped one. Its gradient is the reshape back. It copies rather than
// aliasing its input, so no later in-place op can change its output behind
// its back (gorgonia issues #499, #511).
type reshapeOp struct {
	writesAll
	from, to tensor.Shape
}

func (r reshapeOp) String() string      { return fmt.Sprintf("reshape%v→%v", r.from, r.to) }
func (r reshapeOp) ranks() ([]int, int) { return []int{len(r.from)}, len(r.to) }
func (r reshapeOp) diffWRT() []bool     { return []bool{true} }

func (r reshapeOp) shape(in []tensor.Shape) (tensor.Shape, error) {
	if !in[0].Eq(r.from) {
		return nil, errors.Errorf("%v: input %v: want %v", r, in[0], r.from)
	}
	return r.to.Clone(), nil
}

func (r reshapeOp) do(out tensor.Tensor, in []tensor.Tensor) error {
	if is32(out) {
		copy(floats[float32](out), floats[float32](in[0]))
	} else {
		copy(floats[float64](out), floats[float64](in[0]))
	}
	return nil
}

func (r reshapeOp) grad(in gorgonia.Nodes, _, dout *gorgonia.Node) (gorgonia.Nodes, error) {
	dx, err := apply(reshapeOp{from: r.to, to: r.from}, dout)
	return gorgonia.Nodes{dx}, err
}
