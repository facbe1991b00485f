package ops

import (
	"fmt"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/ops/internal/kernels"
)

// Add is a + b for two tensors of one shape: the residual connection
// (out += identity). Add(x, x) is fine: the gradient of each use is summed.
func Add(a, b *gorgonia.Node) (*gorgonia.Node, error) {
	return binary(addOp, a, b)
}

// Mul is a ⊙ b, elementwise, for two tensors of one shape.
func Mul(a, b *gorgonia.Node) (*gorgonia.Node, error) {
	return binary(mulOp, a, b)
}

func binary(kind elementwiseKind, a, b *gorgonia.Node) (*gorgonia.Node, error) {
	if a == nil || b == nil {
		return nil, errors.Errorf("%v: nil input", kind)
	}
	if !a.Shape().Eq(b.Shape()) {
		return nil, errors.Errorf("%v: shapes %v and %v differ", kind, a.Shape(), b.Shape())
	}
	return apply(elementwiseOp{kind: kind, rank: a.Dims()}, a, b)
}

type elementwiseKind int

const (
	addOp elementwiseKind = iota
	mulOp
)

func (k elementwiseKind) String() string { return [...]string{"add", "mul"}[k] }

// elementwiseOp is y = a + b or y = a ⊙ b.
type elementwiseOp struct {
	writesAll
	kind elementwiseKind
	rank int
}

func (e elementwiseOp) String() string      { return e.kind.String() }
func (e elementwiseOp) ranks() ([]int, int) { return []int{e.rank, e.rank}, e.rank }
func (e elementwiseOp) diffWRT() []bool     { return []bool{true, true} }

func (e elementwiseOp) shape(in []tensor.Shape) (tensor.Shape, error) {
	return sameShapes(e.String(), in...)
}

func (e elementwiseOp) do(out tensor.Tensor, in []tensor.Tensor) error {
	if is32(out) {
		combine(e.kind, floats[float32](out), floats[float32](in[0]), floats[float32](in[1]))
	} else {
		combine(e.kind, floats[float64](out), floats[float64](in[0]), floats[float64](in[1]))
	}
	return nil
}

func combine[T float](kind elementwiseKind, y, a, b []T) {
	if kind == addOp {
		kernels.Add(y, a, b)
	} else {
		kernels.Mul(y, a, b)
	}
}

// grad: d(a+b) = (dy, dy); d(a⊙b) = (dy⊙b, dy⊙a).
func (e elementwiseOp) grad(in gorgonia.Nodes, _, dout *gorgonia.Node) (gorgonia.Nodes, error) {
	if e.kind == addOp {
		return gorgonia.Nodes{dout, dout}, nil
	}
	da, err := Mul(dout, in[1])
	if err != nil {
		return nil, err
	}
	db, err := Mul(dout, in[0])
	return gorgonia.Nodes{da, db}, err
}

// AddBias adds b[c] to every element of channel c of x: x is (N, C, ...) and
// b is (C). It is the bias of Conv2D (N, C, H, W) and Linear (N, C).
func AddBias(x, b *gorgonia.Node) (*gorgonia.Node, error) {
	if x == nil || b == nil {
		return nil, errors.New("add_bias: nil input")
	}
	op := addBiasOp{rank: x.Dims()}
	if _, err := op.shape([]tensor.Shape{x.Shape(), b.Shape()}); err != nil {
		return nil, err
	}
	return apply(op, x, b)
}

// addBiasOp is y[n, c, ...] = x[n, c, ...] + b[c].
type addBiasOp struct {
	writesAll
	rank int
}

func (a addBiasOp) String() string      { return "add_bias" }
func (a addBiasOp) ranks() ([]int, int) { return []int{a.rank, 1}, a.rank }
func (a addBiasOp) diffWRT() []bool     { return []bool{true, true} }

func (a addBiasOp) shape(in []tensor.Shape) (tensor.Shape, error) {
	x, b := in[0], in[1]
	if len(x) < 2 || len(b) != 1 || b[0] != x[1] {
		return nil, errors.Errorf("add_bias: input %v, bias %v: want input (N, C, ...) and bias (C)", x, b)
	}
	return x.Clone(), nil
}

func (a addBiasOp) do(out tensor.Tensor, in []tensor.Tensor) error {
	n, c, inner := channelLayout(in[0].Shape())
	if is32(out) {
		addBias(floats[float32](out), floats[float32](in[0]), floats[float32](in[1]), n, c, inner)
	} else {
		addBias(floats[float64](out), floats[float64](in[0]), floats[float64](in[1]), n, c, inner)
	}
	return nil
}

func (a addBiasOp) grad(in gorgonia.Nodes, _, dout *gorgonia.Node) (gorgonia.Nodes, error) {
	db, err := ChannelSum(dout)
	return gorgonia.Nodes{dout, db}, err
}

func addBias[T float](y, x, b []T, n, c, inner int) { kernels.AddBias(y, x, b, n, c, inner) }

// channelLayout splits an (N, C, ...) shape into N, C and the size of the rest.
func channelLayout(s tensor.Shape) (n, c, inner int) {
	n, c, inner = s[0], s[1], 1
	for _, d := range s[2:] {
		inner *= d
	}
	return n, c, inner
}

// ChannelSum sums x (N, C, ...) over every axis but the channel axis 1,
// giving (C): the gradient of a per-channel bias.
func ChannelSum(x *gorgonia.Node) (*gorgonia.Node, error) {
	if x == nil {
		return nil, errors.New("channel_sum: nil input")
	}
	op := channelSumOp{rank: x.Dims()}
	if _, err := op.shape([]tensor.Shape{x.Shape()}); err != nil {
		return nil, err
	}
	return apply(op, x)
}

// channelSumOp is y[c] = Σ_{n,...} x[n, c, ...].
type channelSumOp struct{ rank int }

func (s channelSumOp) String() string      { return "channel_sum" }
func (s channelSumOp) ranks() ([]int, int) { return []int{s.rank}, 1 }
func (s channelSumOp) diffWRT() []bool     { return []bool{true} }

func (s channelSumOp) shape(in []tensor.Shape) (tensor.Shape, error) {
	if len(in[0]) < 2 {
		return nil, errors.Errorf("channel_sum: input %v: want (N, C, ...)", in[0])
	}
	return tensor.Shape{in[0][1]}, nil
}

func (s channelSumOp) do(out tensor.Tensor, in []tensor.Tensor) error {
	n, c, inner := channelLayout(in[0].Shape())
	if is32(out) {
		channelSum(floats[float32](out), floats[float32](in[0]), n, c, inner)
	} else {
		channelSum(floats[float64](out), floats[float64](in[0]), n, c, inner)
	}
	return nil
}

// grad: every x[n, c, ...] receives dy[c], which is adding dy as a bias to zeros.
func (s channelSumOp) grad(in gorgonia.Nodes, _, dout *gorgonia.Node) (gorgonia.Nodes, error) {
	dx, err := apply(broadcastChannelOp{to: in[0].Shape().Clone()}, dout)
	return gorgonia.Nodes{dx}, err
}

func channelSum[T float](y, x []T, n, c, inner int) { kernels.ChannelSum(y, x, n, c, inner) }

// broadcastChannelOp is y[n, c, ...] = x[c], the adjoint of channel_sum.
type broadcastChannelOp struct{ to tensor.Shape }

func (b broadcastChannelOp) String() string      { return fmt.Sprintf("broadcast_channel%v", b.to) }
func (b broadcastChannelOp) ranks() ([]int, int) { return []int{1}, len(b.to) }
func (b broadcastChannelOp) diffWRT() []bool     { return []bool{true} }

func (b broadcastChannelOp) shape(in []tensor.Shape) (tensor.Shape, error) {
	if len(in[0]) != 1 || in[0][0] != b.to[1] {
		return nil, errors.Errorf("%v: input %v: want (%d)", b, in[0], b.to[1])
	}
	return b.to.Clone(), nil
}

func (b broadcastChannelOp) do(out tensor.Tensor, in []tensor.Tensor) error {
	n, c, inner := channelLayout(b.to)
	if is32(out) {
		addBias(floats[float32](out), floats[float32](out), floats[float32](in[0]), n, c, inner)
	} else {
		addBias(floats[float64](out), floats[float64](out), floats[float64](in[0]), n, c, inner)
	}
	return nil
}

func (b broadcastChannelOp) grad(in gorgonia.Nodes, _, dout *gorgonia.Node) (gorgonia.Nodes, error) {
	dx, err := ChannelSum(dout)
	return gorgonia.Nodes{dx}, err
}
