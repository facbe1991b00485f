package kernels

// col2im at unit stride and dilation by gathering: each row of x adds up,
// in a register, the KW taps of one kernel row that land on it, where the
// scatter (raiseTap) read, added and wrote x back once per tap. Adjacent
// taps overlap by all but one element, and a vector scatter stalls on
// store forwarding between them; the gather writes each row once per
// kernel row.

// gatherTapsGo adds into rows rows of x (ldx apart, w wide) the kw taps of
// one kernel row: x[r·ldx + iw] += Σ_k src[k·ldTap + r·ldRow + iw + pl − k]
// over the taps k < kw whose column iw + pl − k lies in [0, ow), summed in
// tap order before the one addition to x.
func gatherTapsGo(x []float32, ldx, w int, src []float32, ldTap, ldRow, ow, kw, pl, rows int) {
	for r := 0; r < rows; r++ {
		row := x[r*ldx : r*ldx+w]
		for iw := range row {
			var acc float32
			for k := 0; k < kw; k++ {
				if j := iw + pl - k; j >= 0 && j < ow {
					acc += src[k*ldTap+r*ldRow+j]
				}
			}
			row[iw] += acc
		}
	}
}

// col2imGather is col2imRows for float32 at unit stride and dilation on
// the AVX-512 kernel; false, with nothing done, otherwise.
func col2imGather[T float32 | float64](g ConvGeom, c int, col []T, ld, oh0, oh1 int, x []T) bool {
	col32, ok := any(col).([]float32)
	if !ok || !useAVX512 || g.SH != 1 || g.SW != 1 || g.DH != 1 || g.DW != 1 {
		return false
	}
	x32 := any(x).([]float32)
	plane := g.H * g.W
	for ci := 0; ci < c; ci++ {
		for kh := 0; kh < g.KH; kh++ {
			t := g.channelTap(kh, 0)
			a, b := t.rows(oh0, oh1)
			if a == b {
				continue
			}
			gatherTaps(x32[ci*plane+(a+t.dh)*g.W:], g.W, g.W, col32[((ci*g.KH+kh)*g.KW)*ld+(a-oh0)*g.OW:],
				ld, g.OW, g.OW, g.KW, g.PadLeft, b-a)
		}
	}
	return true
}

// gatherTaps is gatherTapsGo, on the AVX-512 kernel where there is one.
// The slices are checked first as the Go loop's indexing would check them
// (x's last row sliced within its capacity, src's last element read), so
// no pointer reaches the assembly that could take it out of bounds; the
// kernel reads exactly the elements of src that the Go loop reads. Odd
// layouts (negative strides, x's rows overlapping, columns past int32, no
// element of src read at all) go to the Go loop.
func gatherTaps(x []float32, ldx, w int, src []float32, ldTap, ldRow, ow, kw, pl, rows int) {
	const huge = 1 << 30
	if !useAVX512 || rows <= 0 || w <= 0 || ldx < w || ldTap < 0 || ldRow < 0 || pl < 0 ||
		w > huge || pl > huge || ow > huge || kw > huge {
		gatherTapsGo(x, ldx, w, src, ldTap, ldRow, ow, kw, pl, rows)
		return
	}
	last := rows - 1
	x = x[:last*ldx+w]
	read := -1 // the last element of src read: the last row's, of some tap
	for k := 0; k < kw; k++ {
		if lo, hi := max(0, pl-k), min(ow, w+pl-k); lo < hi {
			read = max(read, k*ldTap+last*ldRow+hi-1)
		}
	}
	if read < 0 {
		gatherTapsGo(x, ldx, w, src, ldTap, ldRow, ow, kw, pl, rows)
		return
	}
	_ = src[read]
	gatherTapsAVX512(&x[0], ldx, w, &src[0], ldTap, ldRow, ow, kw, pl, rows)
}
