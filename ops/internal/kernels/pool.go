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

// windows calls visit once per output element, in output order (o is its
// flat index), with the offset of its input plane and its clipped window.
// It is the one window iteration that every pooling kernel shares.
func (g PoolGeom) windows(visit func(o, plane int, rows, cols poolSpan)) {
	rows := poolSpans(g.OH, g.KH, g.SH, g.PadTop, g.H)
	cols := poolSpans(g.OW, g.KW, g.SW, g.PadLeft, g.W)
	o := 0
	for p := 0; p < g.Planes; p++ {
		plane := p * g.H * g.W
		for _, r := range rows {
			for _, c := range cols {
				visit(o, plane, r, c)
				o++
			}
		}
	}
}

// MaxPool2D sets y[o] to the maximum of x over window o. Padding acts as −∞:
// only elements of the plane compete, so an all-negative window pools to its
// largest element, never to 0. A NaN in a window makes its output NaN, as in
// PyTorch.
func MaxPool2D[T float32 | float64](y, x []T, g PoolGeom) {
	g.windows(func(o, plane int, rows, cols poolSpan) {
		y[o] = x[poolArgmax(x, plane, g.W, rows, cols)]
	})
}

// MaxPool2DGrad adds dy[o] to dx at the argmax of window o, the element
// MaxPool2D picked: the first maximum in row-major order (its first NaN, if
// any). Overlapping windows (3×3 stride 2) that share an argmax add up there.
// dx must be zeroed by the caller. The argmax is recomputed from x rather
// than stored, so the op that calls this holds no state between passes.
func MaxPool2DGrad[T float32 | float64](dx, x, dy []T, g PoolGeom) {
	g.windows(func(o, plane int, rows, cols poolSpan) {
		dx[poolArgmax(x, plane, g.W, rows, cols)] += dy[o]
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
	g.windows(func(o, plane int, rows, cols poolSpan) {
		// Summing in float64 keeps a float32 mean over a large window (global
		// pooling of a 56×56 plane) within rounding of the float64 one.
		var sum float64
		for i := rows.lo; i < rows.hi; i++ {
			row := plane + i*g.W
			for _, v := range x[row+cols.lo : row+cols.hi] {
				sum += float64(v)
			}
		}
		y[o] = T(sum / g.divisor(rows, cols, countPad))
	})
}

// AvgPool2DGrad adds dy[o]/count to every plane element of window o, with
// the divisor AvgPool2D used. dx must be zeroed by the caller.
func AvgPool2DGrad[T float32 | float64](dx, dy []T, g PoolGeom, countPad bool) {
	g.windows(func(o, plane int, rows, cols poolSpan) {
		d := T(float64(dy[o]) / g.divisor(rows, cols, countPad))
		for i := rows.lo; i < rows.hi; i++ {
			row := plane + i*g.W
			for j := row + cols.lo; j < row+cols.hi; j++ {
				dx[j] += d
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
