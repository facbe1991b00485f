package kernels

// The lowering of an image to its col matrix and back, a band of output
// rows at a time.
//
// The col matrix of a c-channel image (c, H, W) has one row per kernel tap,
// (ci·KH + kh)·KW + kw, and one column per output pixel, oh·OW + ow, holding
// x[ci, oh·SH − PadTop + kh·DH, ow·SW − PadLeft + kw·DW], or 0 where that
// falls in the padding. A band is the columns of output rows oh0 ≤ oh < oh1;
// it is stored with its rows ld apart, ld ≥ (oh1 − oh0)·OW, so that a band
// small enough to stay in cache can be lowered and multiplied before the
// next one is.

// tapMap is where one col row reads: output pixel (oh, ow) reads
// plane[ih·w + iw] with ih = oh·sh + dh and iw = ow·sw + off, or 0 unless
// 0 ≤ ih < h and 0 ≤ iw < w. plane is one channel of the image, or one
// phase of it (see phases).
type tapMap struct{ h, w, sh, sw, dh, off int }

// rows returns the output rows [a, b) within [oh0, oh1) whose input row lies
// inside the plane; a == b when none does.
func (t tapMap) rows(oh0, oh1 int) (a, b int) {
	a, b = oh0, oh1
	if t.dh < 0 {
		a = min(max(a, (-t.dh+t.sh-1)/t.sh), oh1) // ceil(−dh/sh)
	}
	if last := t.h - 1 - t.dh; last < 0 {
		b = a
	} else {
		b = min(b, last/t.sh+1)
	}
	return a, max(a, b)
}

// cols returns the output columns [lo, hi) within [0, ow) whose input column
// lies inside the plane; lo == hi when none does.
func (t tapMap) cols(ow int) (lo, hi int) {
	if t.off < 0 {
		lo = (-t.off + t.sw - 1) / t.sw // ceil(−off/sw)
	}
	if last := t.w - 1 - t.off; last >= 0 {
		hi = min(last/t.sw+1, ow)
	}
	return min(lo, hi), hi
}

// lowerTap writes the band oh0 ≤ oh < oh1 of one col row, ow pixels per
// output row, into dst, overwriting it (padding included).
func lowerTap[T float32 | float64](dst, plane []T, t tapMap, ow, oh0, oh1 int) {
	dst = dst[:(oh1-oh0)*ow]
	a, b := t.rows(oh0, oh1)
	lo, hi := t.cols(ow)
	d0, d1 := (a-oh0)*ow, (b-oh0)*ow
	clear(dst[:d0])
	clear(dst[d1:])
	if a == b {
		return
	}
	if lo == hi {
		clear(dst[d0:d1])
		return
	}
	if t.sh == 1 && t.sw == 1 && ow == t.w {
		// The band is the plane shifted: one copy. It reads past a row's
		// end only at columns outside [lo, hi), zeroed below, and is
		// clipped to the plane.
		s0 := (a+t.dh)*t.w + t.off
		if s0 < 0 {
			d0, s0 = d0-s0, 0
		}
		n := min(d1-d0, len(plane)-s0)
		copy(dst[d0:d0+n], plane[s0:s0+n])
		if lo > 0 || hi < ow {
			for oh := a; oh < b; oh++ {
				zeroEnds(dst[(oh-oh0)*ow:(oh-oh0+1)*ow], lo, hi)
			}
		}
		return
	}
	for oh := a; oh < b; oh++ {
		row := dst[(oh-oh0)*ow : (oh-oh0+1)*ow]
		zeroEnds(row, lo, hi)
		base := (oh*t.sh+t.dh)*t.w + t.off
		if t.sw == 1 {
			copyShort(row[lo:hi], plane[base+lo:base+hi])
			continue
		}
		gatherStrided(row[lo:hi], plane[base+lo*t.sw:], t.sw)
	}
}

// raiseTap is the adjoint of lowerTap: it adds the band of one col row
// into the plane pixels it was read from, dropping the padding entries.
func raiseTap[T float32 | float64](src, plane []T, t tapMap, ow, oh0, oh1 int) {
	a, b := t.rows(oh0, oh1)
	lo, hi := t.cols(ow)
	if lo == hi {
		return
	}
	for oh := a; oh < b; oh++ {
		s := src[(oh-oh0)*ow:][lo:hi]
		base := (oh*t.sh+t.dh)*t.w + t.off
		if t.sw == 1 {
			d := plane[base+lo : base+hi]
			d = d[:len(s)]
			for i, v := range s {
				d[i] += v
			}
			continue
		}
		d := plane[base+lo*t.sw:]
		d = d[:(len(s)-1)*t.sw+1]
		for i, v := range s {
			d[i*t.sw] += v
		}
	}
}

// zeroEnds zeroes row[:lo] and row[hi:], a padding column or two: a loop,
// since a call to clear costs more than that.
func zeroEnds[T float32 | float64](row []T, lo, hi int) {
	for j := range row[:lo] {
		row[j] = 0
	}
	for j := hi; j < len(row); j++ {
		row[j] = 0
	}
}

// copyShort is copy for the short rows of small images, where a call to
// memmove costs more than the copy.
func copyShort[T float32 | float64](dst, src []T) {
	if len(dst) > 16 {
		copy(dst, src)
		return
	}
	src = src[:len(dst)]
	for i := range dst {
		dst[i] = src[i]
	}
}

// gatherStrided sets dst[i] = src[i·s].
func gatherStrided[T float32 | float64](dst, src []T, s int) {
	if len(dst) == 0 {
		return
	}
	src = src[:(len(dst)-1)*s+1]
	if s == 2 {
		for i := range dst {
			dst[i] = src[2*i]
		}
		return
	}
	for i := range dst {
		dst[i] = src[i*s]
	}
}

// channelTap is the tapMap of kernel tap (kh, kw) on a channel of x.
func (g ConvGeom) channelTap(kh, kw int) tapMap {
	return tapMap{h: g.H, w: g.W, sh: g.SH, sw: g.SW, dh: kh*g.DH - g.PadTop, off: kw*g.DW - g.PadLeft}
}

// im2col writes the whole col matrix of x (c, H, W) into col, rows OH·OW
// apart, overwriting it.
func im2col[T float32 | float64](g ConvGeom, c int, x, col []T) {
	im2colRows(g, c, x, col, g.OH*g.OW, 0, g.OH)
}

// col2im is the adjoint of im2col: it adds every entry of col (rows OH·OW
// apart) into the pixel of x (c, H, W) it was read from and drops the
// padding entries. x is not cleared, since overlapping windows add up.
func col2im[T float32 | float64](g ConvGeom, c int, col, x []T) {
	col2imRows(g, c, col, g.OH*g.OW, 0, g.OH, x)
}

// im2colRows writes the band oh0 ≤ oh < oh1 of the col matrix of x (c, H, W)
// into col, row r at col[r·ld:], overwriting it (padding included).
func im2colRows[T float32 | float64](g ConvGeom, c int, x, col []T, ld, oh0, oh1 int) {
	plane := g.H * g.W
	for ci := 0; ci < c; ci++ {
		xc := x[ci*plane : (ci+1)*plane]
		for kh := 0; kh < g.KH; kh++ {
			for kw := 0; kw < g.KW; kw++ {
				r := (ci*g.KH+kh)*g.KW + kw
				lowerTap(col[r*ld:], xc, g.channelTap(kh, kw), g.OW, oh0, oh1)
			}
		}
	}
}

// col2imRows is the adjoint of im2colRows: it adds the band oh0 ≤ oh < oh1
// of a col matrix (row r at col[r·ld:]) into the pixels of x (c, H, W) it
// was read from, dropping the padding entries.
func col2imRows[T float32 | float64](g ConvGeom, c int, col []T, ld, oh0, oh1 int, x []T) {
	if col2imGather(g, c, col, ld, oh0, oh1, x) {
		return
	}
	plane := g.H * g.W
	for ci := 0; ci < c; ci++ {
		xc := x[ci*plane : (ci+1)*plane]
		for kh := 0; kh < g.KH; kh++ {
			for kw := 0; kw < g.KW; kw++ {
				r := (ci*g.KH+kh)*g.KW + kw
				raiseTap(col[r*ld:], xc, g.channelTap(kh, kw), g.OW, oh0, oh1)
			}
		}
	}
}

// Phases. A strided convolution reads every SH-th row and SW-th column:
// split into its SH·SW phases, x[ci, SH·i + rh, SW·j + rw] = phase (rh, rw)
// [ci, i, j], every col row reads one phase at unit stride, so it is lowered
// with whole-row copies instead of a strided gather per entry, and the
// gather runs once per pixel of x, not once per tap.

// phaseLen returns the side of phase r of a length-n axis split s ways.
func phaseLen(n, s, r int) int { return max(0, (n-r+s-1)/s) }

// phaseOffset returns where phase (rh, rw) of a c-channel image starts in
// the phase buffer: the phases are stored one after another, each
// (c, phaseLen(H), phaseLen(W)).
func (g ConvGeom) phaseOffset(c, rh, rw int) int {
	off := 0
	for i := 0; i < rh; i++ {
		off += phaseLen(g.H, g.SH, i) * g.W
	}
	w := 0
	for j := 0; j < rw; j++ {
		w += phaseLen(g.W, g.SW, j)
	}
	return c * (off + phaseLen(g.H, g.SH, rh)*w)
}

// splitPhases writes the phases of x (c, H, W) into xp (c·H·W values).
func splitPhases[T float32 | float64](g ConvGeom, c int, x, xp []T) {
	for rh := 0; rh < g.SH; rh++ {
		hr := phaseLen(g.H, g.SH, rh)
		if g.SW == 2 && g.W > 1 { // both column phases of a row in one pass
			w0, w1 := phaseLen(g.W, 2, 0), phaseLen(g.W, 2, 1)
			p0 := xp[g.phaseOffset(c, rh, 0):][:c*hr*w0]
			p1 := xp[g.phaseOffset(c, rh, 1):][:c*hr*w1]
			if splitRowsVec(g, c, hr, rh, x, p0, p1) {
				continue
			}
			for ci := 0; ci < c; ci++ {
				for i := 0; i < hr; i++ {
					src := x[(ci*g.H+i*g.SH+rh)*g.W:][:g.W]
					deinterleave2(p0[(ci*hr+i)*w0:][:w0], p1[(ci*hr+i)*w1:][:w1], src)
				}
			}
			continue
		}
		for rw := 0; rw < g.SW; rw++ {
			wr := phaseLen(g.W, g.SW, rw)
			if wr == 0 {
				continue
			}
			p := xp[g.phaseOffset(c, rh, rw):][:c*hr*wr]
			for ci := 0; ci < c; ci++ {
				for i := 0; i < hr; i++ {
					src := x[(ci*g.H+i*g.SH+rh)*g.W+rw:]
					gatherStrided(p[(ci*hr+i)*wr:][:wr], src, g.SW)
				}
			}
		}
	}
}

// splitRowsVec is splitPhases' two column phases of row phase rh for
// float32 on the AVX-512 kernel, all rows of all channels in one call
// (their rows are evenly spaced when SH divides H); false, with nothing
// done, otherwise. A row was a call of its own, and the calls cost as much
// as the copying on ResNet's 16- and 32-wide rows.
func splitRowsVec[T float32 | float64](g ConvGeom, c, hr, rh int, x, p0, p1 []T) bool {
	x32, ok := any(x).([]float32)
	if !ok || !useAVX512 || g.H%g.SH != 0 || hr == 0 {
		return false
	}
	w0, w1 := phaseLen(g.W, 2, 0), phaseLen(g.W, 2, 1)
	e, o := any(p0).([]float32), any(p1).([]float32)
	deinterleave2RowsVec(e, o, x32[rh*g.W:], w1, c*hr, w0, w1, g.SH*g.W)
	if w0 > w1 { // odd W: each row's last element is even
		for r := 0; r < c*hr; r++ {
			e[r*w0+w1] = x32[(r*g.SH+rh)*g.W+2*w1]
		}
	}
	return true
}

// deinterleave2 sets even[j] = src[2j] and odd[j] = src[2j+1], for
// len(even) = ⌈len(src)/2⌉ and len(odd) = ⌊len(src)/2⌋.
func deinterleave2[T float32 | float64](even, odd, src []T) {
	n := len(odd)
	even, src = even[:n+len(src)%2], src[:2*n+len(src)%2]
	if e, ok := any(even).([]float32); ok && useAVX512 {
		deinterleave2Vec(e, any(odd).([]float32), any(src).([]float32))
	} else {
		for j := range odd {
			pair := src[2*j : 2*j+2 : 2*j+2]
			even[j], odd[j] = pair[0], pair[1]
		}
	}
	if len(even) > n {
		even[n] = src[2*n]
	}
}

// interleave2 is the inverse of deinterleave2.
func interleave2[T float32 | float64](dst, even, odd []T) {
	n := len(odd)
	even, dst = even[:n+len(dst)%2], dst[:2*n+len(dst)%2]
	if e, ok := any(even).([]float32); ok && useAVX512 {
		interleave2Vec(any(dst).([]float32), e, any(odd).([]float32))
	} else {
		for j := range odd {
			pair := dst[2*j : 2*j+2 : 2*j+2]
			pair[0], pair[1] = even[j], odd[j]
		}
	}
	if len(even) > n {
		dst[2*n] = even[n]
	}
}

// floorDivMod returns the floor quotient and the non-negative remainder.
func floorDivMod(a, b int) (q, r int) {
	q, r = a/b, a%b
	if r < 0 {
		q, r = q-1, r+b
	}
	return q, r
}

// im2colPhases is im2colRows reading from the phases xp of the image (see
// splitPhases).
func im2colPhases[T float32 | float64](g ConvGeom, c int, xp, col []T, ld, oh0, oh1 int) {
	for kh := 0; kh < g.KH; kh++ {
		qh, rh := floorDivMod(kh*g.DH-g.PadTop, g.SH)
		hr := phaseLen(g.H, g.SH, rh)
		for kw := 0; kw < g.KW; kw++ {
			qw, rw := floorDivMod(kw*g.DW-g.PadLeft, g.SW)
			wr := phaseLen(g.W, g.SW, rw)
			t := tapMap{h: hr, w: wr, sh: 1, sw: 1, dh: qh, off: qw}
			p := xp[g.phaseOffset(c, rh, rw):]
			for ci := 0; ci < c; ci++ {
				r := (ci*g.KH+kh)*g.KW + kw
				lowerTap(col[r*ld:], p[ci*hr*wr:][:hr*wr], t, g.OW, oh0, oh1)
			}
		}
	}
}
