package ops

import (
	"fmt"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/ops/internal/kernels"
)

// ShortcutA is the parameter-free shortcut of a residual block whose output
// is smaller and has more channels than its input: option A of He et al.
// (2015), "Deep Residual Learning for Image Recognition", §3.3, the shortcut
// of all their CIFAR-10 nets (§4.2). x (N, C, H, W) is subsampled at the
// given stride and zero channels are appended up to channels:
//
//	y[n, c, i, j] = x[n, c, i·stride, j·stride]   for c < C
//	y[n, c, i, j] = 0                             for C ≤ c < channels
//
// giving (N, channels, ⌈H/stride⌉, ⌈W/stride⌉), the shape a 3×3 convolution
// with padding 1 gives at that stride. The identity keeps the first C
// channels and the zeros come after, as in fb.resnet.torch's shortcutType 'A'
// (nn.Concat of the identity and a MulConstant(0)). Its gradient routes dy's
// first C channels back to the sampled pixels; every other pixel gets 0.
func ShortcutA(x *gorgonia.Node, stride, channels int) (*gorgonia.Node, error) {
	s := shortcutAOp{stride: stride, channels: channels}
	if x == nil {
		return nil, errors.Errorf("%v: nil input", s)
	}
	if _, err := s.shape([]tensor.Shape{x.Shape()}); err != nil {
		return nil, err
	}
	return apply(s, x)
}

// shortcutAOp is y = pad_channels(x[:, :, ::stride, ::stride]).
type shortcutAOp struct {
	writesAll
	stride, channels int
}

func (s shortcutAOp) String() string {
	return fmt.Sprintf("shortcut_a(stride=%d, channels=%d)", s.stride, s.channels)
}
func (s shortcutAOp) ranks() ([]int, int) { return []int{4}, 4 }
func (s shortcutAOp) diffWRT() []bool     { return []bool{true} }

func (s shortcutAOp) shape(in []tensor.Shape) (tensor.Shape, error) {
	x := in[0]
	switch {
	case len(x) != 4:
		return nil, errors.Errorf("%v: input %v has rank %d: want (N, C, H, W)", s, x, len(x))
	case s.stride < 1:
		return nil, errors.Errorf("%v: input %v: stride %d: want ≥ 1", s, x, s.stride)
	case s.channels < x[1]:
		return nil, errors.Errorf("%v: input %v has %d channels: cannot pad to fewer, %d", s, x, x[1], s.channels)
	}
	return tensor.Shape{x[0], s.channels, ceilDiv(x[2], s.stride), ceilDiv(x[3], s.stride)}, nil
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

func (s shortcutAOp) do(out tensor.Tensor, in []tensor.Tensor) error {
	g := subsampleGeom(in[0].Shape(), s.channels, s.stride)
	if is32(out) {
		kernels.Subsample(floats[float32](out), floats[float32](in[0]), g)
	} else {
		kernels.Subsample(floats[float64](out), floats[float64](in[0]), g)
	}
	return nil
}

// subsampleGeom is the kernels' geometry of a shortcut from x to channels.
func subsampleGeom(x tensor.Shape, channels, stride int) kernels.SubsampleGeom {
	return kernels.SubsampleGeom{N: x[0], CX: x[1], CY: channels, H: x[2], W: x[3], S: stride}
}

func (s shortcutAOp) grad(in gorgonia.Nodes, _, dout *gorgonia.Node) (gorgonia.Nodes, error) {
	dx, err := apply(shortcutAGradOp{stride: s.stride, x: in[0].Shape().Clone()}, dout)
	return gorgonia.Nodes{dx}, err
}

// shortcutAGradOp is dx = ShortcutAᵀ dy: dy's first C channels scattered back
// to the sampled pixels of a zero x-shaped tensor. Like the forward it is
// linear, so it keeps x's shape rather than taking x as an input.
type shortcutAGradOp struct {
	writesAll
	stride int
	x      tensor.Shape
}

func (g shortcutAGradOp) String() string {
	return fmt.Sprintf("shortcut_a_grad(stride=%d, input %v)", g.stride, g.x)
}
func (g shortcutAGradOp) ranks() ([]int, int) { return []int{4}, 4 }
func (g shortcutAGradOp) diffWRT() []bool     { return []bool{true} }

func (g shortcutAGradOp) shape(in []tensor.Shape) (tensor.Shape, error) {
	fwd := shortcutAOp{stride: g.stride, channels: 0}
	if len(in[0]) == 4 {
		fwd.channels = in[0][1]
	}
	y, err := fwd.shape([]tensor.Shape{g.x})
	if err != nil {
		return nil, errors.WithMessagef(err, "%v", g)
	}
	if !in[0].Eq(y) {
		return nil, errors.Errorf("%v: input %v gives %v, but dy is %v", g, g.x, y, in[0])
	}
	return g.x.Clone(), nil
}

func (g shortcutAGradOp) do(out tensor.Tensor, in []tensor.Tensor) error {
	sg := subsampleGeom(g.x, in[0].Shape()[1], g.stride)
	if is32(out) {
		kernels.SubsampleGrad(floats[float32](out), floats[float32](in[0]), sg)
	} else {
		kernels.SubsampleGrad(floats[float64](out), floats[float64](in[0]), sg)
	}
	return nil
}

// grad: the adjoint of the scatter is the forward op again, back to dy's channels.
func (g shortcutAGradOp) grad(in gorgonia.Nodes, _, dout *gorgonia.Node) (gorgonia.Nodes, error) {
	ddy, err := ShortcutA(dout, g.stride, in[0].Shape()[1])
	return gorgonia.Nodes{ddy}, err
}
