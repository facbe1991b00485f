package kernels

import (
	"github.com/pkg/errors"
)

// ConvGeom is the geometry of one NCHW 2-D cross-correlation, with every size
// the three convolution passes need. The caller (ops.Conv) checks it and
// computes OH and OW with its single shape rule; the kernels trust it, apart
// from checking slice lengths.
//
//	x: (N, C, H, W)   w: (K, C/G, KH, KW)   y: (N, K, OH, OW)
//	y[n, k, oh, ow] = Σ_{c, kh, kw} w[k, c, kh, kw] · x[n, g·C/G + c, oh·SH − PadTop + kh·DH, ow·SW − PadLeft + kw·DW]
//
// where g = k / (K/G) is the group of output channel k, and x is zero outside
// the image. Bottom and right padding need no field: they only enter through
// OH and OW.
type ConvGeom struct {
	N, C, H, W      int // input
	K, KH, KW       int // output channels and kernel size
	OH, OW          int // output size
	SH, SW          int // strides
	PadTop, PadLeft int
	DH, DW          int // dilations
	G               int // groups
}

// Conv2D computes y = w ⋆ x (cross-correlation, kernel not flipped),
// overwriting y. By Winograd where it fits (winograd.go: float32, 3×3,
// unit stride, 8+ channels, AVX-512); otherwise per image, group and band
// of output rows: col = im2col(x), y = W_g · col, the images split across
// the cores, the lowering usually cheaper than a whole im2col (see
// conv_plan.go).
func Conv2D[T float32 | float64](g ConvGeom, x, w, y []T) error {
	if err := g.check(len(x), len(w), len(y)); err != nil {
		return err
	}
	convForward(g, x, w, y)
	return nil
}

// convForward computes y = w ⋆ x by Winograd where it fits, otherwise
// directly (conv_plan.go).
func convForward[T float32 | float64](g ConvGeom, x, w, y []T) {
	if !winogradForward(g, x, w, y) {
		forward(newConvPlan(g, true), x, w, y)
	}
}

// Conv2DInputGrad computes dx = ∂⟨y, dy⟩/∂x, the transposed convolution of
// dy with w, overwriting dx. Unless K is much larger than C it runs as
// convolutions of dy, one per phase of dx (conv_transposed.go; at unit
// stride one, by Winograd where it fits); otherwise,
// per image and group, col = W_gᵀ · dy and dx += col2im(col), overlapping
// windows adding up.
func Conv2DInputGrad[T float32 | float64](g ConvGeom, w, dy, dx []T) error {
	if err := g.check(len(dx), len(w), len(dy)); err != nil {
		return err
	}
	if g.useTransposed() {
		inputGradByPhases(g, w, dy, dx)
		return nil
	}
	inputGradCol2im(newConvPlan(g, false), w, dy, dx)
	return nil
}

// Conv2DFilterGrad computes dw = ∂⟨y, dy⟩/∂w, overwriting dw. Per image,
// group and band: col = im2col(x), dW_g += dy · colᵀ, summed over the batch
// (each core into its own sum, added up at the end).
func Conv2DFilterGrad[T float32 | float64](g ConvGeom, x, dy, dw []T) error {
	if err := g.check(len(x), len(dw), len(dy)); err != nil {
		return err
	}
	if !winogradFilterGrad(g, x, dy, dw) {
		filterGrad(newConvPlan(g, true), x, dy, dw)
	}
	return nil
}

// check compares slice lengths with the geometry, so that a bad call is an
// error here and not a panic deep inside GEMM.
func (g ConvGeom) check(x, w, y int) error {
	if g.G < 1 || g.C%g.G != 0 || g.K%g.G != 0 {
		return errors.Errorf("conv kernels: %d input and %d output channels in %d groups", g.C, g.K, g.G)
	}
	wantX, wantW, wantY := g.N*g.C*g.H*g.W, g.K*(g.C/g.G)*g.KH*g.KW, g.N*g.K*g.OH*g.OW
	if x != wantX || w != wantW || y != wantY {
		return errors.Errorf("conv kernels: input, weight, output have %d, %d, %d elements; geometry %+v wants %d, %d, %d",
			x, w, y, g, wantX, wantW, wantY)
	}
	return nil
}

// gemmSizes are the matrix sizes of one group: the col matrix is rows × cols,
// each group has cg input and kg output channels.
func (g ConvGeom) gemmSizes() (rows, cols, cg, kg int) {
	cg, kg = g.C/g.G, g.K/g.G
	return cg * g.KH * g.KW, g.OH * g.OW, cg, kg
}

// identity reports whether im2col of a group is the group itself: a 1×1
// kernel at stride 1 without padding (the 1×1 convolutions of ResNet's
// bottlenecks), where copying x into col would only cost time.
func (g ConvGeom) identity() bool {
	return g.KH == 1 && g.KW == 1 && g.SH == 1 && g.SW == 1 &&
		g.PadTop == 0 && g.PadLeft == 0 && g.OH == g.H && g.OW == g.W
}

// useTransposed reports whether the input gradient runs as convolutions of
// dy. That lowers dy, K/G·KH·KW rows per pixel of dx, into products with
// C/G rows, instead of a product with C/G·KH·KW rows whose result col2im
// scatters back, a read-modify-write of every entry: it wins unless K is
// much larger than C.
func (g ConvGeom) useTransposed() bool {
	return !g.identity() && g.K <= transposedMaxRatio*g.C
}

// transposedMaxRatio is the largest K/C for which the input gradient runs
// as convolutions of dy (see useTransposed).
var transposedMaxRatio = 2
