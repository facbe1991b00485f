package ops

import (
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/ops/internal/kernels"
)

// Softmax is y_ij = exp(x_ij) / Σ_k exp(x_ik) over the last axis of a 2-D
// (N, K) x, computed stably as exp(x_ij − m_i − log Σ_k exp(x_ik − m_i)) with
// m_i the row max, so logits of 1000 stay finite.
func Softmax(x *gorgonia.Node) (*gorgonia.Node, error) { return softmax(x, false) }

// LogSoftmax is y_ij = x_ij − log Σ_k exp(x_ik) over the last axis of a 2-D
// (N, K) x, computed stably as x_ij − m_i − log Σ_k exp(x_ik − m_i) with m_i
// the row max. Prefer it to log(Softmax(x)), which underflows to −Inf.
func LogSoftmax(x *gorgonia.Node) (*gorgonia.Node, error) { return softmax(x, true) }

func softmax(x *gorgonia.Node, log bool) (*gorgonia.Node, error) {
	op := softmaxOp{log: log}
	if x == nil {
		return nil, errors.Errorf("%v: nil input", op)
	}
	if _, err := op.shape([]tensor.Shape{x.Shape()}); err != nil {
		return nil, err
	}
	return apply(op, x)
}

// softmaxOp is the softmax, or the log-softmax when log is set. log is in
// String, so the two never merge into one node (gorgonia's own SoftMax and
// LogSoftMax do: their hash omits isLog).
type softmaxOp struct{ log bool }

func (s softmaxOp) String() string {
	if s.log {
		return "log_softmax"
	}
	return "softmax"
}

func (s softmaxOp) ranks() ([]int, int) { return []int{2}, 2 }
func (s softmaxOp) diffWRT() []bool     { return []bool{true} }

func (s softmaxOp) shape(in []tensor.Shape) (tensor.Shape, error) {
	if len(in[0]) != 2 {
		return nil, errors.Errorf("%v: input %v: want (N, K)", s, in[0])
	}
	return in[0].Clone(), nil
}

func (s softmaxOp) do(out tensor.Tensor, in []tensor.Tensor) error {
	k := in[0].Shape()[1]
	if is32(out) {
		kernels.Softmax(floats[float32](out), floats[float32](in[0]), k, s.log)
	} else {
		kernels.Softmax(floats[float64](out), floats[float64](in[0]), k, s.log)
	}
	return nil
}

// grad reads the output y, not x: it holds the softmax (or its log).
func (s softmaxOp) grad(_ gorgonia.Nodes, out, dout *gorgonia.Node) (gorgonia.Nodes, error) {
	dx, err := apply(softmaxGradOp{log: s.log}, out, dout)
	return gorgonia.Nodes{dx}, err
}

// softmaxGradOp is dx = y ⊙ (dy − Σ_k dy⊙y) for the softmax, and
// dx = dy − exp(y)·Σ_k dy for the log-softmax, row by row, from y and dy.
// It has no gradient itself: a second derivative is an error.
type softmaxGradOp struct{ log bool }

func (s softmaxGradOp) String() string      { return softmaxOp(s).String() + "_grad" }
func (s softmaxGradOp) ranks() ([]int, int) { return []int{2, 2}, 2 }

func (s softmaxGradOp) shape(in []tensor.Shape) (tensor.Shape, error) {
	return sameShapes(s.String(), in...)
}

func (s softmaxGradOp) do(out tensor.Tensor, in []tensor.Tensor) error {
	k := in[0].Shape()[1]
	if is32(out) {
		kernels.SoftmaxGrad(floats[float32](out), floats[float32](in[0]), floats[float32](in[1]), k, s.log)
	} else {
		kernels.SoftmaxGrad(floats[float64](out), floats[float64](in[0]), floats[float64](in[1]), k, s.log)
	}
	return nil
}
