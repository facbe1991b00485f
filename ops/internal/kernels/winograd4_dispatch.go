package kernels

// The F(4×4, 3×3) plane transforms as the Winograd passes call them, as
// winograd_dispatch.go's for F(2×2, 3×3): the AVX-512 kernels where the
// machine has them (winograd4_amd64.s), the Go loops otherwise. The slices
// are checked here, as the Go loops' indexing would, before any pointer
// reaches the assembly, and so are the arguments the kernels rely on (the
// sides, the padding and the streams' stride), on both paths alike.

// winoInputPlane4 is winoInputPlane4Go, for h, w ≥ 1, 0 ≤ pt, pl ≤ 2 and
// ldv ≥ th·tw.
func winoInputPlane4(x []float32, h, w, pt, pl, th, tw int, v []float32, ldv int) {
	if th <= 0 || tw <= 0 {
		return
	}
	if h < 1 || w < 1 || uint(pt) > 2 || uint(pl) > 2 || ldv < th*tw {
		panic("kernels: winoInputPlane4: bad plane, padding or stride")
	}
	if !useWinoAsm {
		winoInputPlane4Go(x, h, w, pt, pl, th, tw, v, ldv)
		return
	}
	_ = x[h*w-1]
	_ = v[35*ldv+th*tw-1]
	winoInputPlane4AVX512(&x[0], h, w, pt, pl, th, tw, &v[0], ldv)
}

// winoOutputPlane4 is winoOutputPlane4Go, for oh, ow ≥ 1 and ldm ≥ th·tw.
func winoOutputPlane4(m []float32, ldm, th, tw int, y []float32, oh, ow int) {
	if th <= 0 || tw <= 0 {
		return
	}
	if oh < 1 || ow < 1 || ldm < th*tw {
		panic("kernels: winoOutputPlane4: bad plane or stride")
	}
	if !useWinoAsm {
		winoOutputPlane4Go(m, ldm, th, tw, y, oh, ow)
		return
	}
	_ = m[35*ldm+th*tw-1]
	_ = y[oh*ow-1]
	winoOutputPlane4AVX512(&m[0], ldm, th, tw, &y[0], oh, ow)
}

// winoGradPlane4 is winoGradPlane4Go, for oh, ow ≥ 1 and ldo ≥ th·tw.
func winoGradPlane4(dy []float32, oh, ow, th, tw int, out []float32, ldo int) {
	if th <= 0 || tw <= 0 {
		return
	}
	if oh < 1 || ow < 1 || ldo < th*tw {
		panic("kernels: winoGradPlane4: bad plane or stride")
	}
	if !useWinoAsm {
		winoGradPlane4Go(dy, oh, ow, th, tw, out, ldo)
		return
	}
	_ = dy[oh*ow-1]
	_ = out[35*ldo+th*tw-1]
	winoGradPlane4AVX512(&dy[0], oh, ow, th, tw, &out[0], ldo)
}
