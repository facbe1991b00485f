package kernels

// The plane transforms as the Winograd passes call them: the AVX-512
// kernels where the machine has them (winograd_amd64.s), the Go loops
// otherwise. The slices are checked here, as the Go loops' indexing would,
// before any pointer reaches the assembly.

// winoInputPlane is winoInputPlaneGo.
func winoInputPlane(x []float32, h, w, pt, pl, th, tw int, v []float32, ldv int) {
	if th <= 0 || tw <= 0 {
		return
	}
	if !useWinoAsm {
		winoInputPlaneGo(x, h, w, pt, pl, th, tw, v, ldv)
		return
	}
	_ = x[h*w-1]
	_ = v[15*ldv+th*tw-1]
	winoInputPlaneAVX512(&x[0], h, w, pt, pl, th, tw, &v[0], ldv)
}

// winoOutputPlane is winoOutputPlaneGo.
func winoOutputPlane(m []float32, ldm, th, tw int, y []float32, oh, ow int) {
	if th <= 0 || tw <= 0 {
		return
	}
	if !useWinoAsm {
		winoOutputPlaneGo(m, ldm, th, tw, y, oh, ow)
		return
	}
	_ = m[15*ldm+th*tw-1]
	_ = y[oh*ow-1]
	winoOutputPlaneAVX512(&m[0], ldm, th, tw, &y[0], oh, ow)
}

// winoGradPlane is winoGradPlaneGo.
func winoGradPlane(dy []float32, oh, ow, th, tw int, out []float32, ldo int) {
	if th <= 0 || tw <= 0 {
		return
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
