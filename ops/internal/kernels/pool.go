package kernels

// PoolGeom is the geometry of a 2-D pooling over NCHW data as the kernels see
// it: Planes (N·C) input planes of H×W, each pooled to an output plane of
// OH×OW. Output (oh, ow) reads the window of rows oh·SH−PadTop ...
// oh·SH−PadTop+KH−1 and columns ow·SW−PadLeft ... ow·SW−PadLeft+KW−1,
// clipped to the plane: padding lies outside the plane and is never read.
// (Bottom and right padding only make OH and OW larger; the caller's shape
// rule has already counted them.) The caller guarantees that every window
// holds at least one element of the plane.
type PoolGeom struct {
	Planes, H, W, OH, OW int
	KH, KW, SH, SW       int
	PadTop, PadLeft      int
}

// poolSpan is the part [lo, hi) of one window that lies inside the plane, along one axis.
type poolSpan struct{ lo, hi int }

// poolSpans clips the out windows of size k, stride s and leading padding pad
// to an axis of length n. Windows are separable: a window's rows depend only
// on oh and its columns only on ow, so two short lists describe every window.
func poolSpans(out, k, s, pad, n int) []poolSpan {
	sp := make([]poolSpan, out)
	for o := range sp {
		lo := o*s - pad
		sp[o] = poolSpan{max(lo, 0), min(lo+k, n)}
	}
	return sp
}

// spans are the clipped row and column spans of every window: windows are
// separable, a window's rows depending only on oh and its columns only on ow.
func (g PoolGeom) spans() (rows, cols []poolSpan) {
	return poolSpans(g.OH, g.KH, g.SH, g.PadTop, g.H), poolSpans(g.OW, g.KW, g.SW, g.PadLeft, g.W)
}

// planes runs body over the planes [p0, p1) of the pooling, split across
// cores when large: each plane's windows read and write only that plane of
// x, dx, y and dy, so planes are independent. It is the one plane iteration
// every pooling kernel shares; within a plane, output o = oh·OW + ow comes
// from window (rows[oh], cols[ow]).
func (g PoolGeom) planes(body func(p0, p1 int)) {
	ParallelFor(g.Planes, g.Planes*(g.H*g.W+g.OH*g.OW*(1+g.KH*g.KW)), body)
}

// MaxPool2D sets y[o] to the maximum of x over window o. Padding acts as −∞:
// only elements of the plane compete, so an all-negative window pools to its
// largest element, never to 0. A NaN in a window makes its output NaN, as in
// PyTorch.
func MaxPool2D[T float32 | float64](y, x []T, g PoolGeom) {
	if g.is2x2() {
		maxPool2x2(y, nil, x, nil, g)
		return
	}
	maxPoolWindows(y, nil, x, nil, g)
}

// MaxPool2DGrad adds dy[o] to dx at the argmax of window o: the first
// element in row-major order that equals MaxPool2D's value (its first NaN,
// if any; −0 and +0 tie). Overlapping windows (3×3 stride 2) that share an argmax add up there.
// dx must be zeroed by the caller. The argmax is recomputed from x rather
// than stored, so the op that calls this holds no state between passes.
func MaxPool2DGrad[T float32 | float64](dx, x, dy []T, g PoolGeom) {
	if g.is2x2() {
		maxPool2x2(nil, dx, x, dy, g)
		return
	}
	maxPoolWindows(nil, dx, x, dy, g)
}

// maxPoolWindows is the general window walk of MaxPool2D (y set) and
// MaxPool2DGrad (dx and dy set). Per row of windows, the columns' maxima
// over the window's rows come first, a plain loop over whole rows; each
// window's maximum is then the maximum of KW of them. Go's max is branch
// free and propagates NaN, where a running argmax compared and branched on
// every element, a coin toss on real data (9 per window of AlexNet's 3×3
// pools). The gradient then finds where that maximum sits (windowArgmax).
func maxPoolWindows[T float32 | float64](y, dx, x, dy []T, g PoolGeom) {
	rows, cols := g.spans()
	g.planes(func(p0, p1 int) {
		colMax := getBuf[T](g.W)
		for p := p0; p < p1; p++ {
			plane, o := p*g.H*g.W, p*g.OH*g.OW
			for _, r := range rows {
				columnMax(colMax, x[plane+r.lo*g.W:plane+r.hi*g.W], g.W)
				for _, c := range cols {
					m := colMax[c.lo]
					for _, v := range colMax[c.lo+1 : c.hi] {
						m = max(m, v)
					}
					if y != nil {
						y[o] = m
					} else {
						dx[windowArgmax(x, plane, g.W, r, c, m)] += dy[o]
					}
					o++
				}
			}
		}
		putBuf(colMax)
	})
}

// columnMax sets m[j] to the maximum of column j over the rows of x (rows
// of len(m) values), NaN if any of them is NaN.
func columnMax[T float32 | float64](m, x []T, w int) {
	copy(m, x[:w])
	for i := w; i < len(x); i += w {
		row := x[i : i+w]
		for j, v := range row[:len(m)] {
			m[j] = max(m[j], v)
		}
	}
}

// windowArgmax returns the flat index in x of the window's first element,
// in row-major order, that equals its maximum m, or its first NaN (m is NaN
// exactly when the window holds one): the element a running strict-greater
// scan picks, ties going to the first; equality also ties −0 with +0, as
// that scan does. Knowing m, the scan branches once per window (where it
// stops) instead of on every element that might be a new maximum. (A scan
// without branches, moving the index by 0/1 flags, was slower still.)
func windowArgmax[T float32 | float64](x []T, plane, w int, rows, cols poolSpan, m T) int {
	nan := m != m
	for i := rows.lo; i < rows.hi; i++ {
		row := plane + i*w + cols.lo
		for j, v := range x[row : row+cols.hi-cols.lo] {
			if v == m || nan && v != v {
				return row + j
			}
		}
	}
	return plane + rows.lo*w + cols.lo // unreachable: m is one of the window's elements
}

// AvgPool2D sets y[o] to the sum of x over window o divided by KH·KW when
// countPad is true (padding counts as zeros: PyTorch's count_include_pad=True),
// else by the number of plane elements in the window.
func AvgPool2D[T float32 | float64](y, x []T, g PoolGeom, countPad bool) {
	rows, cols := g.spans()
	g.planes(func(p0, p1 int) {
		for p := p0; p < p1; p++ {
			plane, o := p*g.H*g.W, p*g.OH*g.OW
			for _, r := range rows {
				for _, c := range cols {
					// Summing in float64 keeps a float32 mean over a large window (global
					// pooling of a 56×56 plane) within rounding of the float64 one.
					var sum float64
					for i := r.lo; i < r.hi; i++ {
						row := plane + i*g.W
						sum += sum4(x[row+c.lo : row+c.hi])
					}
					y[o] = T(sum / g.divisor(r, c, countPad))
					o++
				}
			}
		}
	})
}

// AvgPool2DGrad adds dy[o]/count to every plane element of window o, with
// the divisor AvgPool2D used. dx must be zeroed by the caller.
func AvgPool2DGrad[T float32 | float64](dx, dy []T, g PoolGeom, countPad bool) {
	rows, cols := g.spans()
	g.planes(func(p0, p1 int) {
		for p := p0; p < p1; p++ {
			plane, o := p*g.H*g.W, p*g.OH*g.OW
			for _, r := range rows {
				for _, c := range cols {
					d := T(float64(dy[o]) / g.divisor(r, c, countPad))
					for i := r.lo; i < r.hi; i++ {
						row := dx[plane+i*g.W+c.lo : plane+i*g.W+c.hi]
						for j := range row {
							row[j] += d
						}
					}
					o++
				}
			}
		}
	})
}

// divisor is the count an average pool divides a window's sum by. Every
// window lies inside the padded input (floor mode), so with countPad it is
// always the full KH·KW.
func (g PoolGeom) divisor(rows, cols poolSpan, countPad bool) float64 {
	if countPad {
		return float64(g.KH * g.KW)
	}
	return float64((rows.hi - rows.lo) * (cols.hi - cols.lo))
}
