package kernels

// The 2×2, stride 2, unpadded max pool (LeNet-5, VGG) gets its own loops:
// the general window walk costs a call and two slice headers per window of
// four elements, which made pooling half of a LeNet-5 training step.

// is2x2 reports whether g is a 2×2 stride-2 pooling without padding.
func (g PoolGeom) is2x2() bool {
	return g.KH == 2 && g.KW == 2 && g.SH == 2 && g.SW == 2 && g.PadTop == 0 && g.PadLeft == 0 &&
		2*g.OH <= g.H && 2*g.OW <= g.W
}

// argmax4 is the offset of the window a b / c d (at offsets 0, 1, w, w+1)'s
// first maximum in row-major order, or of its first NaN. The bottom row's maximum wins only
// if strictly greater, which is the row-major order. On random data every
// comparison is a coin toss, so the index is computed from 0/1 flags
// (SETcc) instead of branches, and each row's maximum comes from Go's
// branch-free max, which also carries a NaN to the one test for it.
func argmax4[T float32 | float64](a, b, c, d T, w int) int {
	tv, bv := max(a, b), max(c, d)
	if tv != tv || bv != bv {
		return firstNaN4(a, b, c, w)
	}
	top := flag(b > a)
	lower := flag(bv > tv)
	return top + lower*(w+flag(d > c)-top)
}

// flag is 1 for true and 0 for false, without a branch.
func flag(b bool) int {
	var i int
	if b {
		i = 1
	}
	return i
}

// firstNaN4 is argmax4's rare case: the offset of the window's first NaN.
func firstNaN4[T float32 | float64](a, b, c T, w int) int {
	switch {
	case a != a:
		return 0
	case b != b:
		return 1
	case c != c:
		return w
	}
	return w + 1
}

// maxPool2x2 is MaxPool2D (y) or MaxPool2DGrad (dx, dy) for a 2×2 geometry.
// The forward only needs the maximum: Go's max, branch free and
// NaN-propagating, without the index arithmetic argmax4 does for the
// gradient (3× faster on LeNet-5's first pool).
func maxPool2x2[T float32 | float64](y, dx, x, dy []T, g PoolGeom) {
	if y != nil {
		g.planes(func(p0, p1 int) {
			for p := p0; p < p1; p++ {
				for oh := 0; oh < g.OH; oh++ {
					top := p*g.H*g.W + 2*oh*g.W
					r0, r1 := x[top:top+2*g.OW], x[top+g.W:top+g.W+2*g.OW]
					out := y[p*g.OH*g.OW+oh*g.OW:][:g.OW]
					for ow := range out {
						out[ow] = max(max(r0[2*ow], r0[2*ow+1]), max(r1[2*ow], r1[2*ow+1]))
					}
				}
			}
		})
		return
	}
	g.planes(func(p0, p1 int) {
		for p := p0; p < p1; p++ {
			for oh := 0; oh < g.OH; oh++ {
				top := p*g.H*g.W + 2*oh*g.W
				r0, r1 := x[top:top+2*g.OW], x[top+g.W:top+g.W+2*g.OW]
				d := dx[top : top+g.W+2*g.OW]
				for ow, v := range dy[p*g.OH*g.OW+oh*g.OW:][:g.OW] {
					d[2*ow+argmax4(r0[2*ow], r0[2*ow+1], r1[2*ow], r1[2*ow+1], g.W)] += v
				}
			}
		}
	})
}
