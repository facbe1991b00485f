package ops

import (
	"fmt"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/ops/internal/kernels"
)

// Pool2D is the window geometry of a 2-D pooling over NCHW input: a KH×KW
// window moved SH rows and SW columns at a time over the input padded with
// PadTop rows above, PadBottom below, PadLeft columns on the left and
// PadRight on the right. A zero stride means the kernel size
// (non-overlapping windows, the common case). Its one shape rule, OutShape,
// serves the constructors, the ops and their gradient ops.
//
// Each padding must be smaller than the kernel along its axis: then every
// window holds at least one input element, and no max pool outputs −∞.
//
//	ops.Pool2D{KH: 2, KW: 2}                              // 2×2, stride 2 (LeNet)
//	ops.Pool2D{KH: 3, KW: 3, SH: 2, SW: 2}                // overlapping (AlexNet)
//	ops.Pool2D{KH: 3, KW: 3, SH: 2, SW: 2}.WithPad(1, 1)  // ResNet's stem
type Pool2D struct {
	KH, KW, SH, SW                       int
	PadTop, PadBottom, PadLeft, PadRight int
}

// WithPad returns p with symmetric padding: ph rows above and below, pw
// columns left and right (PyTorch's padding=(ph, pw)).
func (p Pool2D) WithPad(ph, pw int) Pool2D {
	p.PadTop, p.PadBottom, p.PadLeft, p.PadRight = ph, ph, pw, pw
	return p
}

// strides resolves a zero stride to the kernel size.
func (p Pool2D) strides() (sh, sw int) {
	sh, sw = p.SH, p.SW
	if sh == 0 {
		sh = p.KH
	}
	if sw == 0 {
		sw = p.KW
	}
	return sh, sw
}

// String names every parameter, strides resolved: ops are hashed by their
// String, so two geometries that pool alike print alike, and two that differ
// never merge into one node.
func (p Pool2D) String() string {
	sh, sw := p.strides()
	return fmt.Sprintf("kernel %dx%d, stride %dx%d, pad top %d bottom %d left %d right %d",
		p.KH, p.KW, sh, sw, p.PadTop, p.PadBottom, p.PadLeft, p.PadRight)
}

// OutShape is the pooling shape rule: an input (N, C, H, W) gives
// (N, C, OH, OW) with, in floor mode (a partial window at the end is dropped),
//
//	OH = (H + PadTop + PadBottom − KH)/SH + 1,  OW = (W + PadLeft + PadRight − KW)/SW + 1.
//
// It errors when the input is not rank 4, when a kernel or stride is below 1
// (a zero stride stands for the kernel), when a padding is negative or not
// smaller than the kernel, and when the window exceeds the padded input.
func (p Pool2D) OutShape(in tensor.Shape) (tensor.Shape, error) {
	return p.outShape("pool2d("+p.String()+")", in)
}

// outShape is OutShape with errors prefixed by op, the String of the op
// asking (which names its parameters), so they read "maxpool2d(...): input ...".
func (p Pool2D) outShape(op string, in tensor.Shape) (tensor.Shape, error) {
	if len(in) != 4 {
		return nil, errors.Errorf("%s: input %v has rank %d: want (N, C, H, W)", op, in, len(in))
	}
	for _, d := range in {
		if d < 1 {
			return nil, errors.Errorf("%s: input %v has an empty dimension", op, in)
		}
	}
	sh, sw := p.strides()
	switch {
	case p.KH < 1 || p.KW < 1:
		return nil, errors.Errorf("%s: input %v: kernel %dx%d: want sizes >= 1", op, in, p.KH, p.KW)
	case sh < 1 || sw < 1:
		return nil, errors.Errorf("%s: input %v: stride %dx%d: want >= 1 (0 means the kernel size)", op, in, p.SH, p.SW)
	case min(p.PadTop, p.PadBottom, p.PadLeft, p.PadRight) < 0:
		return nil, errors.Errorf("%s: input %v: negative padding", op, in)
	case max(p.PadTop, p.PadBottom) >= p.KH || max(p.PadLeft, p.PadRight) >= p.KW:
		// A window could then lie wholly in padding: a max pool would output −∞
		// and an average with countPad=false would divide by zero.
		return nil, errors.Errorf("%s: input %v: padding must be smaller than the kernel %dx%d", op, in, p.KH, p.KW)
	}
	h, w := in[2]+p.PadTop+p.PadBottom, in[3]+p.PadLeft+p.PadRight
	if h < p.KH || w < p.KW {
		return nil, errors.Errorf("%s: input %v, padded to %dx%d, is smaller than the window %dx%d", op, in, h, w, p.KH, p.KW)
	}
	return tensor.Shape{in[0], in[1], (h-p.KH)/sh + 1, (w-p.KW)/sw + 1}, nil
}

// kernel is the geometry the kernels take, for input x and output y shapes
// already checked by OutShape.
func (p Pool2D) kernel(x, y tensor.Shape) kernels.PoolGeom {
	sh, sw := p.strides()
	return kernels.PoolGeom{
		Planes: x[0] * x[1], H: x[2], W: x[3], OH: y[2], OW: y[3],
		KH: p.KH, KW: p.KW, SH: sh, SW: sw, PadTop: p.PadTop, PadLeft: p.PadLeft,
	}
}

// poolNode checks x against the shape rule of the pooling op s, so a bad
// shape fails when the graph is built, then builds s(x).
func poolNode(s spec, x *gorgonia.Node) (*gorgonia.Node, error) {
	if x == nil {
		return nil, errors.Errorf("%v: nil input", s)
	}
	if _, err := s.shape([]tensor.Shape{x.Shape()}); err != nil {
		return nil, err
	}
	return apply(s, x)
}

// poolGradShape is the shape rule of a pooling gradient op: dy must have the
// shape the pooling gives x, and dx has x's shape.
func poolGradShape(op string, p Pool2D, x, dy tensor.Shape) (tensor.Shape, error) {
	y, err := p.outShape(op, x)
	if err != nil {
		return nil, err
	}
	if !dy.Eq(y) {
		return nil, errors.Errorf("%s: input %v pools to %v, but dy is %v", op, x, y, dy)
	}
	return x.Clone(), nil
}
