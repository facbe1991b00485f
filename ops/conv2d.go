package ops

import (
	"fmt"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/ops/internal/kernels"
)

// Conv2D is the 2-D convolution of deep learning, which is cross-correlation
// (the kernel is not flipped), in NCHW:
//
//	x (N, Cin, H, W), w (Cout, Cin/Groups, KH, KW), b (Cout) or nil → y (N, Cout, Ho, Wo)
//	y[n, k, i, j] = b[k] + Σ_{c, p, q} w[k, c, p, q] · x[n, g·Cin/Groups + c, i·StrideH − PadTop + p·DilationH, j·StrideW − PadLeft + q·DilationW]
//
// with g = k / (Cout/Groups) the group of output channel k and x zero outside
// the image; Ho and Wo are given by Conv.OutShape. The weight layout is
// PyTorch's. A bias is composed with AddBias. Shapes are checked here, when
// the graph is built.
func Conv2D(x, w, b *gorgonia.Node, c Conv) (*gorgonia.Node, error) {
	if x == nil {
		return nil, errors.New("conv2d: nil input")
	}
	if w == nil {
		return nil, errors.Errorf("conv2d: input %v: nil weight", x.Shape())
	}
	if _, err := c.OutShape(x.Shape(), w.Shape()); err != nil {
		return nil, err
	}
	if b != nil {
		if bs := b.Shape(); len(bs) != 1 || bs[0] != w.Shape()[0] {
			return nil, errors.Errorf("conv2d: weight %v, bias %v: want bias (%d), one per output channel", w.Shape(), bs, w.Shape()[0])
		}
	}
	y, err := apply(conv2dOp{c: c.normal()}, x, w)
	if err != nil || b == nil {
		return y, err
	}
	return AddBias(y, b)
}

// Conv is the geometry of a 2-D convolution, written once (like NNlib's
// DenseConvDims) and used by Conv2D, its shape rule and its gradient ops. The
// kernel size comes from the weight. A zero stride, dilation or group count
// means 1, so Conv{} is the plain stride-1 unpadded convolution.
type Conv struct {
	StrideH, StrideW                     int
	PadTop, PadBottom, PadLeft, PadRight int // zeros added around the image
	DilationH, DilationW                 int // kernel taps are this far apart
	// Groups splits the input and output channels into that many groups, each
	// convolved on its own (Groups = Cin is a depthwise convolution).
	Groups int
}

// WithStride returns c with stride s along both axes.
func (c Conv) WithStride(s int) Conv {
	c.StrideH, c.StrideW = s, s
	return c
}

// WithPad returns c with p zeros on every side of the image ("same" padding
// for an odd k×k kernel at stride 1 is p = (k−1)/2).
func (c Conv) WithPad(p int) Conv {
	c.PadTop, c.PadBottom, c.PadLeft, c.PadRight = p, p, p, p
	return c
}

// WithDilation returns c with dilation d along both axes.
func (c Conv) WithDilation(d int) Conv {
	c.DilationH, c.DilationW = d, d
	return c
}

// normal replaces the zeros that mean 1.
func (c Conv) normal() Conv {
	one := func(v *int) {
		if *v == 0 {
			*v = 1
		}
	}
	one(&c.StrideH)
	one(&c.StrideW)
	one(&c.DilationH)
	one(&c.DilationW)
	one(&c.Groups)
	return c
}

// String names every parameter (gorgonia deduplicates nodes by it), with the
// defaults filled in, so Conv{} and Conv{StrideH: 1} print alike.
func (c Conv) String() string {
	c = c.normal()
	return fmt.Sprintf("stride=%dx%d pad=t%d,b%d,l%d,r%d dilation=%dx%d groups=%d",
		c.StrideH, c.StrideW, c.PadTop, c.PadBottom, c.PadLeft, c.PadRight, c.DilationH, c.DilationW, c.Groups)
}

// OutShape is the shape rule of the convolution: for x (N, Cin, H, W) and
// w (Cout, Cin/Groups, KH, KW) it returns (N, Cout, Ho, Wo) with
//
//	Ho = (H + PadTop + PadBottom − DilationH·(KH−1) − 1) / StrideH + 1
//	Wo = (W + PadLeft + PadRight − DilationW·(KW−1) − 1) / StrideW + 1
//
// (floor division: rows the last window does not reach are dropped). Its
// errors name both shapes.
func (c Conv) OutShape(x, w tensor.Shape) (tensor.Shape, error) {
	c = c.normal()
	fail := func(format string, args ...any) (tensor.Shape, error) {
		return nil, errors.Errorf("conv2d: input %v, weight %v: "+format, append([]any{x, w}, args...)...)
	}
	if len(x) != 4 || len(w) != 4 {
		return fail("want input (N, Cin, H, W) and weight (Cout, Cin/groups, KH, KW)")
	}
	for i := range 4 {
		if x[i] < 1 || w[i] < 1 {
			return fail("every size must be at least 1")
		}
	}
	if min(c.StrideH, c.StrideW, c.DilationH, c.DilationW, c.Groups) < 1 ||
		min(c.PadTop, c.PadBottom, c.PadLeft, c.PadRight) < 0 {
		return fail("bad geometry %v: strides, dilations and groups must be at least 1, padding at least 0", c)
	}
	if x[1]%c.Groups != 0 {
		return fail("input has %d channels, not divisible by groups %d", x[1], c.Groups)
	}
	if w[0]%c.Groups != 0 {
		return fail("weight has %d output channels, not divisible by groups %d", w[0], c.Groups)
	}
	if x[1] != w[1]*c.Groups {
		return fail("input has %d channels, weight expects %d (groups %d)", x[1], w[1]*c.Groups, c.Groups)
	}
	// The padded size minus the window's span: the last row (column) where a
	// window can start, negative when no window fits.
	lastH := x[2] + c.PadTop + c.PadBottom - c.DilationH*(w[2]-1) - 1
	lastW := x[3] + c.PadLeft + c.PadRight - c.DilationW*(w[3]-1) - 1
	if lastH < 0 || lastW < 0 {
		return fail("the %dx%d kernel with dilation %dx%d spans %dx%d, more than the padded input %dx%d",
			w[2], w[3], c.DilationH, c.DilationW, c.DilationH*(w[2]-1)+1, c.DilationW*(w[3]-1)+1,
			x[2]+c.PadTop+c.PadBottom, x[3]+c.PadLeft+c.PadRight)
	}
	return tensor.Shape{x[0], w[0], lastH/c.StrideH + 1, lastW/c.StrideW + 1}, nil
}

// geom is the kernels' view of the convolution of x by w (a valid pair).
func (c Conv) geom(x, w tensor.Shape) kernels.ConvGeom {
	y, _ := c.OutShape(x, w)
	return kernels.ConvGeom{
		N: x[0], C: x[1], H: x[2], W: x[3], K: w[0], KH: w[2], KW: w[3], OH: y[2], OW: y[3],
		SH: c.StrideH, SW: c.StrideW, PadTop: c.PadTop, PadLeft: c.PadLeft,
		DH: c.DilationH, DW: c.DilationW, G: c.Groups,
	}
}

// conv2dOp is y = w ⋆ x; inputs (x, w). Its Conv is normalized.
type conv2dOp struct {
	writesAll
	c Conv
}

func (o conv2dOp) String() string      { return "conv2d(" + o.c.String() + ")" }
func (o conv2dOp) ranks() ([]int, int) { return []int{4, 4}, 4 }
func (o conv2dOp) diffWRT() []bool     { return []bool{true, true} }

func (o conv2dOp) shape(in []tensor.Shape) (tensor.Shape, error) { return o.c.OutShape(in[0], in[1]) }

func (o conv2dOp) do(out tensor.Tensor, in []tensor.Tensor) error {
	return convRun(o.c.geom(in[0].Shape(), in[1].Shape()), out, in[0], in[1],
		kernels.Conv2D[float32], kernels.Conv2D[float64])
}

// grad: the convolution is bilinear, so each gradient is the adjoint in one
// argument (NNlib's ∇conv_data and ∇conv_filter).
func (o conv2dOp) grad(in gorgonia.Nodes, _, dout *gorgonia.Node) (gorgonia.Nodes, error) {
	x, w := in[0], in[1]
	dx, err := apply(conv2dInputGradOp{c: o.c, x: x.Shape().Clone()}, w, dout)
	if err != nil {
		return nil, err
	}
	dw, err := apply(conv2dFilterGradOp{c: o.c, w: w.Shape().Clone()}, x, dout)
	return gorgonia.Nodes{dx, dw}, err
}

// conv2dInputGradOp is dx = ∂⟨y, dy⟩/∂x, the transposed convolution of dy
// by w; inputs (w, dy). The input shape is stored: several input sizes give
// one output size when the stride is above 1.
type conv2dInputGradOp struct {
	writesAll
	c Conv
	x tensor.Shape
}

func (o conv2dInputGradOp) String() string {
	return fmt.Sprintf("conv2d_input_grad(%v, input %v)", o.c, o.x)
}
func (o conv2dInputGradOp) ranks() ([]int, int) { return []int{4, 4}, 4 }
func (o conv2dInputGradOp) diffWRT() []bool     { return []bool{true, true} }

func (o conv2dInputGradOp) shape(in []tensor.Shape) (tensor.Shape, error) {
	if err := checkOutGrad("conv2d_input_grad", o.c, o.x, in[0], in[1]); err != nil {
		return nil, err
	}
	return o.x.Clone(), nil
}

func (o conv2dInputGradOp) do(out tensor.Tensor, in []tensor.Tensor) error {
	return convRun(o.c.geom(o.x, in[0].Shape()), out, in[0], in[1],
		kernels.Conv2DInputGrad[float32], kernels.Conv2DInputGrad[float64])
}

// grad: dx is bilinear in (w, dy). With ddx the incoming gradient,
// ⟨ddx, dx⟩ = ⟨conv(ddx, w), dy⟩, so d/dw is the filter gradient of
// (ddx, dy) and d/ddy is conv(ddx, w).
func (o conv2dInputGradOp) grad(in gorgonia.Nodes, _, dout *gorgonia.Node) (gorgonia.Nodes, error) {
	w, dy := in[0], in[1]
	dw, err := apply(conv2dFilterGradOp{c: o.c, w: w.Shape().Clone()}, dout, dy)
	if err != nil {
		return nil, err
	}
	ddy, err := apply(conv2dOp{c: o.c}, dout, w)
	return gorgonia.Nodes{dw, ddy}, err
}

// conv2dFilterGradOp is dw = ∂⟨y, dy⟩/∂w, summed over the batch; inputs
// (x, dy). The weight shape is stored: the output size does not determine
// the kernel size when the stride is above 1.
type conv2dFilterGradOp struct {
	writesAll
	c Conv
	w tensor.Shape
}

func (o conv2dFilterGradOp) String() string {
	return fmt.Sprintf("conv2d_filter_grad(%v, weight %v)", o.c, o.w)
}
func (o conv2dFilterGradOp) ranks() ([]int, int) { return []int{4, 4}, 4 }
func (o conv2dFilterGradOp) diffWRT() []bool     { return []bool{true, true} }

func (o conv2dFilterGradOp) shape(in []tensor.Shape) (tensor.Shape, error) {
	if err := checkOutGrad("conv2d_filter_grad", o.c, in[0], o.w, in[1]); err != nil {
		return nil, err
	}
	return o.w.Clone(), nil
}

func (o conv2dFilterGradOp) do(out tensor.Tensor, in []tensor.Tensor) error {
	return convRun(o.c.geom(in[0].Shape(), o.w), out, in[0], in[1],
		kernels.Conv2DFilterGrad[float32], kernels.Conv2DFilterGrad[float64])
}

// grad: dw is bilinear in (x, dy). With ddw the incoming gradient,
// ⟨ddw, dw⟩ = ⟨conv(x, ddw), dy⟩, so d/dx is the input gradient of
// (ddw, dy) and d/ddy is conv(x, ddw).
func (o conv2dFilterGradOp) grad(in gorgonia.Nodes, _, dout *gorgonia.Node) (gorgonia.Nodes, error) {
	x, dy := in[0], in[1]
	dx, err := apply(conv2dInputGradOp{c: o.c, x: x.Shape().Clone()}, dout, dy)
	if err != nil {
		return nil, err
	}
	ddy, err := apply(conv2dOp{c: o.c}, x, dout)
	return gorgonia.Nodes{dx, ddy}, err
}

// checkOutGrad is the shape rule of both gradient ops: x and w must make a
// valid convolution whose output has the shape of dy.
func checkOutGrad(op string, c Conv, x, w, dy tensor.Shape) error {
	y, err := c.OutShape(x, w)
	if err != nil {
		return errors.WithMessage(err, op)
	}
	if !dy.Eq(y) {
		return errors.Errorf("%s: input %v, weight %v: output grad %v, want %v", op, x, w, dy, y)
	}
	return nil
}

// convRun runs one of the three convolution passes in the dtype of out, on
// the data of (a, b): the one dtype switch of this file.
func convRun(g kernels.ConvGeom, out, a, b tensor.Tensor,
	f32 func(kernels.ConvGeom, []float32, []float32, []float32) error,
	f64 func(kernels.ConvGeom, []float64, []float64, []float64) error) error {
	if is32(out) {
		return f32(g, floats[float32](a), floats[float32](b), floats[float32](out))
	}
	return f64(g, floats[float64](a), floats[float64](b), floats[float64](out))
}
