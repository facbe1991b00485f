package kernels

// The plane transforms as the Winograd passes call them: the AVX-512
// kernels where the machine has them (winograd_amd64.s), the Go loops
// otherwise. The slices are checked here, as the Go loops' indexing would,
// before any pointer reaches the assembly, and so are the arguments the
// kernels rely on (the sides, the padding and the streams' stride), on
// both paths alike.

// winoInputPlane is winoInputPlaneGo, for h, w ≥ 1, 0 ≤ pt, pl ≤ 2 and
// ldv ≥ th·tw.
func winoInputPlane(x []float32, h, w, pt, pl, th, tw int, v []float32, ldv int) {
	if th <= 0 || tw <= 0 {
		return
	}
	if h < 1 || w < 1 || uint(pt) > 2 || uint(pl) > 2 || ldv < th*tw {
		panic("kernels: winoInputPlane: bad plane, padding or stride")
	}
	if !useWinoAsm {
		winoInputPlaneGo(x, h, w, pt, pl, th, tw, v, ldv)
		return
	}
	_ = x[h*w-1]
	_ = v[15*ldv+th*tw-1]
	winoInputPlaneAVX512(&x[0], h, w, pt, pl, th, tw, &v[0], ldv)
}

// winoOutputPlane is winoOutputPlaneGo, for oh, ow ≥ 1 and ldm ≥ th·tw.
func winoOutputPlane(m []float32, ldm, th, tw int, y []float32, oh, ow int) {
	if th <= 0 || tw <= 0 {
		return
	}
	if oh < 1 || ow < 1 || ldm < th*tw {
		panic("kernels: winoOutputPlane: bad plane or stride")
	}
	if !useWinoAsm {
		winoOutputPlaneGo(m, ldm, th, tw, y, oh, ow)
		return
	}
	_ = m[15*ldm+th*tw-1]
	_ = y[oh*ow-1]
	winoOutputPlaneAVX512(&m[0], ldm, th, tw, &y[0], oh, ow)
}

// winoGradPlane is winoGradPlaneGo, for oh, ow ≥ 1 and ldo ≥ th·tw.
func winoGradPlane(dy []float32, oh, ow, th, tw int, out []float32, ldo int) {
	if th <= 0 || tw <= 0 {
		return
	}
	if oh < 1 || ow < 1 || ldo < th*tw {
		panic("kernels: winoGradPlane: bad plane or stride")
	}
	if !useWinoAsm {
		winoGradPlaneGo(dy, oh, ow, th, tw, out, ldo)
		return
	}
	_ = dy[oh*ow-1]
	_ = out[15*ldo+th*tw-1]
	winoGradPlaneAVX512(&dy[0], oh, ow, th, tw, &out[0], ldo)
}

// prefetchPlane asks for x[at : at+n] (clipped to x) in the cache, where
// the machine runs the assembly transforms; nothing otherwise.
func prefetchPlane(x []float32, at, n int) {
	if useWinoAsm && at < len(x) {
		prefetchAVX512(&x[at], 4*min(n, len(x)-at))
	}
}
