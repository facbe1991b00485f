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

// MaxPool2DGrad adds dy[o] to dx at the argmax of window o, the element
// MaxPool2D picked: the first maximum in row-major order (its first NaN, if
// any). Overlapping windows (3×3 stride 2) that share an argmax add up there.
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
// MaxPool2DGrad (dx and dy set): both find each window's argmax the same way.
func maxPoolWindows[T float32 | float64](y, dx, x, dy []T, g PoolGeom) {
	rows, cols := g.spans()
	g.planes(func(p0, p1 int) {
		for p := p0; p < p1; p++ {
			plane, o := p*g.H*g.W, p*g.OH*g.OW
			for _, r := range rows {
				for _, c := range cols {
					i := poolArgmax(x, plane, g.W, r, c)
					if y != nil {
						y[o] = x[i]
					} else {
						dx[i] += dy[o]
					}
					o++
				}
			}
		}
	})
}

// poolArgmax returns the flat index in x of the first maximum of a window in
// row-major order, or of its first NaN. The running maximum starts at the
// window's first element, not at 0 or at the smallest positive float (spago's
// bug), so all-negative windows are right; ties keep the first because the
// comparison is strict.
func poolArgmax[T float32 | float64](x []T, plane, w int, rows, cols poolSpan) int {
	best := plane + rows.lo*w + cols.lo
	m := x[best]
	for i := rows.lo; i < rows.hi; i++ {
		row := plane + i*w + cols.lo
		for j, v := range x[row : row+cols.hi-cols.lo] {
			if v > m {
				m, best = v, row+j
			} else if v != v { // NaN: nothing compares greater, so it would be lost
				return row + j
			}
		}
	}
	return best
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
