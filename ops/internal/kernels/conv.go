package kernels

import (
	"iter"

	"github.com/pkg/errors"

	"github.com/convgraph/convgraph/ops/internal/gemm"
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
// overwriting y. Per image and group: col = im2col(x), y = W_g · col.
func Conv2D[T float32 | float64](g ConvGeom, x, w, y []T) error {
	if err := g.check(len(x), len(w), len(y)); err != nil {
		return err
	}
	rows, cols, cg, kg := g.gemmSizes()
	col := colBuffer[T](g)
	for n := 0; n < g.N; n++ {
		for gr := 0; gr < g.G; gr++ {
			xg := x[(n*g.G+gr)*cg*g.H*g.W:][:cg*g.H*g.W]
			a := lower(g, cg, xg, col)
			gemm.Gemm(false, false, kg, cols, rows, 1, w[gr*kg*rows:], rows, a, cols, 0, y[(n*g.G+gr)*kg*cols:], cols)
		}
	}
	return nil
}

// Conv2DInputGrad computes dx = ∂⟨y, dy⟩/∂x, the transposed convolution of
// dy with w, overwriting dx. Per image and group: col = W_gᵀ · dy,
// dx += col2im(col); overlapping windows add up.
func Conv2DInputGrad[T float32 | float64](g ConvGeom, w, dy, dx []T) error {
	if err := g.check(len(dx), len(w), len(dy)); err != nil {
		return err
	}
	clear(dx)
	rows, cols, cg, kg := g.gemmSizes()
	col := colBuffer[T](g)
	for n := 0; n < g.N; n++ {
		for gr := 0; gr < g.G; gr++ {
			dxg := dx[(n*g.G+gr)*cg*g.H*g.W:][:cg*g.H*g.W]
			dyg := dy[(n*g.G+gr)*kg*cols:]
			if col == nil { // im2col is the identity: the product is dx itself
				gemm.Gemm(true, false, rows, cols, kg, 1, w[gr*kg*rows:], rows, dyg, cols, 0, dxg, cols)
				continue
			}
			gemm.Gemm(true, false, rows, cols, kg, 1, w[gr*kg*rows:], rows, dyg, cols, 0, col, cols)
			col2im(g, cg, col, dxg)
		}
	}
	return nil
}

// Conv2DFilterGrad computes dw = ∂⟨y, dy⟩/∂w, overwriting dw. Per image and
// group: col = im2col(x), dW_g += dy · colᵀ, summed over the batch.
func Conv2DFilterGrad[T float32 | float64](g ConvGeom, x, dy, dw []T) error {
	if err := g.check(len(x), len(dw), len(dy)); err != nil {
		return err
	}
	clear(dw)
	rows, cols, cg, kg := g.gemmSizes()
	col := colBuffer[T](g)
	for n := 0; n < g.N; n++ {
		for gr := 0; gr < g.G; gr++ {
			xg := x[(n*g.G+gr)*cg*g.H*g.W:][:cg*g.H*g.W]
			a := lower(g, cg, xg, col)
			gemm.Gemm(false, true, kg, rows, cols, 1, dy[(n*g.G+gr)*kg*cols:], cols, a, cols, 1, dw[gr*kg*rows:], rows)
		}
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

// colBuffer is the one col matrix a call reuses for every image and group,
// or nil when im2col is the identity.
func colBuffer[T float32 | float64](g ConvGeom) []T {
	if g.identity() {
		return nil
	}
	rows, cols, _, _ := g.gemmSizes()
	return make([]T, rows*cols)
}

// lower returns the col matrix of one group xg: im2col into col, or xg itself
// when col is nil (the identity case).
func lower[T float32 | float64](g ConvGeom, c int, xg, col []T) []T {
	if col == nil {
		return xg
	}
	im2col(g, c, xg, col)
	return col
}

// im2col writes the col matrix of the c-channel image x (c, H, W), overwriting
// col: row (ci·KH + kh)·KW + kw, column oh·OW + ow holds
// x[ci, oh·SH − PadTop + kh·DH, ow·SW − PadLeft + kw·DW], or 0 in the padding.
func im2col[T float32 | float64](g ConvGeom, c int, x, col []T) {
	for r := range g.patchRows(c) {
		dst := col[r.col : r.col+g.OW]
		clear(dst[:r.lo])
		clear(dst[r.hi:])
		if r.lo == r.hi {
			continue
		}
		if g.SW == 1 {
			copy(dst[r.lo:r.hi], x[r.x+r.lo:r.x+r.hi])
			continue
		}
		for ow := r.lo; ow < r.hi; ow++ {
			dst[ow] = x[r.x+ow*g.SW]
		}
	}
}

// col2im is the adjoint of im2col: it adds every entry of col into the pixel
// of x (c, H, W) it was read from, and drops the padding entries. x is not
// cleared, since overlapping windows must add up.
func col2im[T float32 | float64](g ConvGeom, c int, col, x []T) {
	for r := range g.patchRows(c) {
		if r.lo == r.hi {
			continue
		}
		src := col[r.col : r.col+g.OW]
		if g.SW == 1 {
			dst := x[r.x+r.lo : r.x+r.hi]
			for i, v := range src[r.lo:r.hi] {
				dst[i] += v
			}
			continue
		}
		for ow := r.lo; ow < r.hi; ow++ {
			x[r.x+ow*g.SW] += src[ow]
		}
	}
}

// patchRow is one output row oh of one col row: col[col : col+OW] holds
// x[x + ow·SW] for lo ≤ ow < hi and padding zeros elsewhere (everywhere when
// lo == hi, and then x is meaningless).
type patchRow struct{ col, x, lo, hi int }

// patchRows walks the col matrix of a c-channel image row segment by row
// segment. It is the one place that maps col entries to pixels, so im2col and
// col2im are adjoint by construction; the bounds are worked out per segment,
// not per element.
func (g ConvGeom) patchRows(c int) iter.Seq[patchRow] {
	return func(yield func(patchRow) bool) {
		for ci := 0; ci < c; ci++ {
			for kh := 0; kh < g.KH; kh++ {
				for kw := 0; kw < g.KW; kw++ {
					off := kw*g.DW - g.PadLeft // iw = ow·SW + off
					lo, hi := g.validCols(off)
					row := (ci*g.KH+kh)*g.KW + kw
					for oh := 0; oh < g.OH; oh++ {
						r := patchRow{col: (row*g.OH + oh) * g.OW}
						if ih := oh*g.SH - g.PadTop + kh*g.DH; ih >= 0 && ih < g.H {
							r.x, r.lo, r.hi = (ci*g.H+ih)*g.W+off, lo, hi
						}
						if !yield(r) {
							return
						}
					}
				}
			}
		}
	}
}

// validCols returns the output columns [lo, hi) whose input column
// iw = ow·SW + off lies inside the image, 0 ≤ iw < W.
func (g ConvGeom) validCols(off int) (lo, hi int) {
	if off < 0 {
		lo = (-off + g.SW - 1) / g.SW // ceil(−off/SW)
	}
	if last := g.W - 1 - off; last >= 0 {
		hi = min(last/g.SW+1, g.OW)
	}
	return min(lo, hi), hi
}
