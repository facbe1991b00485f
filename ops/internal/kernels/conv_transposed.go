package kernels

// The input gradient as convolutions of dy.
//
// dx[c, ih, iw] = Σ w[k, c, kh, kw]·dy[k, oh, ow] over the taps and output
// pixels with oh·SH − PadTop + kh·DH = ih (and the same across). Split dx
// into its SH·SW phases, ih = SH·i + rh: for phase rh only the kernel rows
// with kh·DH ≡ rh + PadTop (mod SH) contribute, each at dy row
// oh = i + e_kh, e_kh = (rh + PadTop − kh·DH)/SH. Those rows are evenly
// spaced, so each phase of dx is a unit-stride convolution of dy by a
// sub-kernel of the flipped filters (phaseTaps), run with forward like any
// convolution, and written back into its phase of dx (interleave). At unit
// stride there is one phase, the whole kernel flipped: the transposed
// convolution. Either way no col2im scatters a col matrix back: the
// products are the forward pass's, with the same lowerings.

// phaseTaps describes phase r of one axis of the input gradient: the
// kernel taps in that phase, in the order of the sub-kernel (the dy offsets
// e ascending, so kernel index descending), the sub-kernel's padding −e_min
// and its dilation. taps is empty when no tap reaches the phase.
type phaseTaps struct {
	taps      []int
	pad, dil  int
	out, from int // the phase's length in dx; dy's length
}

// axisPhase returns phaseTaps for phase r of an axis of length n (dx) and
// m (dy) with stride s, dilation d, leading padding pad and k taps.
func axisPhase(n, m, s, d, pad, k, r int) phaseTaps {
	pt := phaseTaps{out: phaseLen(n, s, r), from: m, dil: 1}
	for kh := k - 1; kh >= 0; kh-- {
		if _, rem := floorDivMod(r+pad-kh*d, s); rem == 0 {
			pt.taps = append(pt.taps, kh)
		}
	}
	if len(pt.taps) > 0 {
		e0, _ := floorDivMod(r+pad-pt.taps[0]*d, s)
		pt.pad = -e0
	}
	if len(pt.taps) > 1 {
		pt.dil = (pt.taps[0] - pt.taps[1]) * d / s
	}
	return pt
}

// phaseGeom is the geometry of the convolution of dy (N, K, OH, OW) that
// gives phase (rh, rw) of dx (N, C, ⌈(H−rh)/SH⌉, ⌈(W−rw)/SW⌉).
func phaseGeom(g ConvGeom, ph, pw phaseTaps) ConvGeom {
	return ConvGeom{
		N: g.N, C: g.K, H: g.OH, W: g.OW, K: g.C, KH: len(ph.taps), KW: len(pw.taps), OH: ph.out, OW: pw.out,
		SH: 1, SW: 1, PadTop: ph.pad, PadLeft: pw.pad, DH: ph.dil, DW: pw.dil, G: g.G,
	}
}

// phaseFilters writes into wp the sub-kernel of phase (ph, pw), laid out as
// the filters of phaseGeom, (C, K/G, len(ph.taps), len(pw.taps)):
// wp[gr·cg + c, k, th, tw] = w[gr·kg + k, c, ph.taps[th], pw.taps[tw]].
func phaseFilters[T float32 | float64](g ConvGeom, ph, pw phaseTaps, w, wp []T) {
	cg, kg := g.C/g.G, g.K/g.G
	kh, kw := len(ph.taps), len(pw.taps)
	for gr := 0; gr < g.G; gr++ {
		for k := 0; k < kg; k++ {
			for c := 0; c < cg; c++ {
				src := w[((gr*kg+k)*cg+c)*g.KH*g.KW:][:g.KH*g.KW]
				dst := wp[((gr*cg+c)*kg+k)*kh*kw:][:kh*kw]
				for th, a := range ph.taps {
					for tw, b := range pw.taps {
						dst[th*kw+tw] = src[a*g.KW+b]
					}
				}
			}
		}
	}
}

// inputGradByPhases computes dx as the convolutions of dy, one per phase.
// With several phases, each goroutine takes whole images: it computes the
// phases of one image into a buffer laid out by phaseOffset, then
// interleaves them into dx while they are in cache.
func inputGradByPhases[T float32 | float64](g ConvGeom, w, dy, dx []T) {
	if g.SH == 1 && g.SW == 1 {
		ph := axisPhase(g.H, g.OH, 1, g.DH, g.PadTop, g.KH, 0)
		pw := axisPhase(g.W, g.OW, 1, g.DW, g.PadLeft, g.KW, 0)
		wp := getBuf[T](len(w))
		phaseFilters(g, ph, pw, w, wp)
		convForward(phaseGeom(g, ph, pw), dy, wp, dx)
		putBuf(wp)
		return
	}
	// One convolution per phase with taps, on one image (N = 1).
	type phase struct {
		off    int // in an image's phase buffer
		p      *convPlan
		wr, wp []T // its filters, and as byRows wants them
	}
	g1 := g
	g1.N = 1
	var phases []phase
	empty := make([]bool, g.SH*g.SW) // phases no tap reaches: zero
	for rh := 0; rh < g.SH; rh++ {
		ph := axisPhase(g.H, g.OH, g.SH, g.DH, g.PadTop, g.KH, rh)
		for rw := 0; rw < g.SW; rw++ {
			pw := axisPhase(g.W, g.OW, g.SW, g.DW, g.PadLeft, g.KW, rw)
			if ph.out == 0 || pw.out == 0 {
				continue
			}
			if len(ph.taps) == 0 || len(pw.taps) == 0 {
				empty[rh*g.SW+rw] = true
				continue
			}
			gp := phaseGeom(g1, ph, pw)
			wp := getBuf[T](len(w) / (g.KH * g.KW) * gp.KH * gp.KW)
			phaseFilters(g, ph, pw, w, wp)
			p := newConvPlan(gp, true)
			phases = append(phases, phase{off: g.phaseOffset(g.C, rh, rw), p: p, wp: wp, wr: byRows(p, wp)})
		}
	}
	imgX, imgY := g.K*g.OH*g.OW, g.C*g.H*g.W
	macs := g.N * g.K * g.OH * g.OW * g.C / g.G * g.KH * g.KW
	work := 0
	if macs >= minParallelMACs {
		work = max(macs, 1<<20)
	}
	ParallelFor(g.N, work, func(lo, hi int) {
		dxp := getBuf[T](imgY)
		for n := lo; n < hi; n++ {
			for _, ph := range phases {
				forwardItems(ph.p, dy[n*imgX:][:imgX], ph.wr, dxp[ph.off:], 0, ph.p.items())
			}
			interleave(g1, dxp, empty, dx[n*imgY:][:imgY])
		}
		putBuf(dxp)
	})
	for _, ph := range phases {
		if ph.p.how == lowerRows {
			putBuf(ph.wr)
		}
		putBuf(ph.wp)
	}
}

// interleave writes the phases dxp of dx (laid out by phaseOffset over the
// N·C planes) into dx, zeros for the empty ones.
func interleave[T float32 | float64](g ConvGeom, dxp []T, empty []bool, dx []T) {
	nc := g.N * g.C
	var offs, hrs, wrs [16]int // where each phase starts in dxp (−1: empty), and its sides
	off, hr, wr := offs[:0], hrs[:0], wrs[:0]
	if g.SH*g.SW > len(offs) {
		off, hr, wr = make([]int, 0, g.SH*g.SW), make([]int, 0, g.SH), make([]int, 0, g.SW)
	}
	for rh := 0; rh < g.SH; rh++ {
		hr = append(hr, phaseLen(g.H, g.SH, rh))
	}
	for rw := 0; rw < g.SW; rw++ {
		wr = append(wr, phaseLen(g.W, g.SW, rw))
	}
	for i := 0; i < g.SH*g.SW; i++ {
		off = append(off, g.phaseOffset(nc, i/g.SW, i%g.SW))
		if empty[i] {
			off[i] = -1
		}
	}
	if mergeRowsVec(g, nc, dxp, off, hr, wr, dx) {
		return
	}
	for pl := 0; pl < nc; pl++ {
		plane := dx[pl*g.H*g.W:][:g.H*g.W]
		for ih := 0; ih < g.H; ih++ {
			i, rh := ih/g.SH, ih%g.SH
			row := plane[ih*g.W:][:g.W]
			if g.SW == 2 && g.W > 1 && off[rh*2] >= 0 && off[rh*2+1] >= 0 {
				r0 := (pl*hr[rh] + i) * wr[0]
				r1 := (pl*hr[rh] + i) * wr[1]
				interleave2(row, dxp[off[rh*2]+r0:][:wr[0]], dxp[off[rh*2+1]+r1:][:wr[1]])
				continue
			}
			for rw := 0; rw < min(g.SW, g.W); rw++ {
				r := row[rw:][:(wr[rw]-1)*g.SW+1]
				if off[rh*g.SW+rw] < 0 {
					for j := 0; j < wr[rw]; j++ {
						r[j*g.SW] = 0
					}
					continue
				}
				src := dxp[off[rh*g.SW+rw]+(pl*hr[rh]+i)*wr[rw]:][:wr[rw]]
				for j, v := range src {
					r[j*g.SW] = v
				}
			}
		}
	}
}

// mergeRowsVec is interleave for float32 at stride 2 × 2 on the AVX-512
// kernel, every plane's rows of one row phase in one call (their rows are
// evenly spaced when 2 divides H and W); false, with nothing done,
// otherwise (and where a phase is empty).
func mergeRowsVec[T float32 | float64](g ConvGeom, nc int, dxp []T, off, hr, wr []int, dx []T) bool {
	d, ok := any(dx).([]float32)
	if !ok || !useAVX512 || g.SH != 2 || g.SW != 2 || g.H%2 != 0 || g.W%2 != 0 || g.H < 2 {
		return false
	}
	for _, o := range off {
		if o < 0 {
			return false
		}
	}
	p := any(dxp).([]float32)
	for rh := 0; rh < 2; rh++ {
		interleave2RowsVec(d[rh*g.W:], p[off[rh*2]:], p[off[rh*2+1]:], wr[0], nc*hr[rh], 2*g.W, wr[0], wr[1])
	}
	return true
}
