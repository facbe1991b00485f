package kernels

// The plane transforms as the Winograd passes call them: the AVX-512
// kernels where the machine has them (winograd_amd64.s, winograd4_amd64.s),
// the Go loops otherwise. The slices are checked here, as the Go loops'
// indexing would, before any pointer reaches the assembly, and so are the
// arguments the kernels rely on (the sides, the padding and the streams'
// stride), on both paths alike.

// winoPlanes are one algorithm's plane transforms: their Go definitions,
// their AVX-512 kernels, and the number of streams a tile's transform fills.
type winoPlanes struct {
	name      string
	streams   int
	inputGo   func(x []float32, h, w, pt, pl, th, tw int, v []float32, ldv int)
	inputAsm  func(x *float32, h, w, pt, pl, th, tw int, v *float32, ldv int)
	outputGo  func(m []float32, ldm, th, tw int, y []float32, oh, ow int)
	outputAsm func(m *float32, ldm, th, tw int, y *float32, oh, ow int)
	gradGo    func(dy []float32, oh, ow, th, tw int, out []float32, ldo int)
	gradAsm   func(dy *float32, oh, ow, th, tw int, out *float32, ldo int)
}

var (
	wino2Planes = &winoPlanes{"F(2×2, 3×3)", 16,
		winoInputPlaneGo, winoInputPlaneAVX512, winoOutputPlaneGo, winoOutputPlaneAVX512, winoGradPlaneGo, winoGradPlaneAVX512}
	wino4Planes = &winoPlanes{"F(4×4, 3×3)", 36,
		winoInputPlane4Go, winoInputPlane4AVX512, winoOutputPlane4Go, winoOutputPlane4AVX512, winoGradPlane4Go, winoGradPlane4AVX512}

	winoInputPlane, winoOutputPlane, winoGradPlane    = wino2Planes.input, wino2Planes.output, wino2Planes.grad
	winoInputPlane4, winoOutputPlane4, winoGradPlane4 = wino4Planes.input, wino4Planes.output, wino4Planes.grad
)

// input is the input transform of a plane, for h, w ≥ 1, 0 ≤ pt, pl ≤ 2
// and ldv ≥ th·tw (see winoInputPlaneGo, winoInputPlane4Go).
func (p *winoPlanes) input(x []float32, h, w, pt, pl, th, tw int, v []float32, ldv int) {
	if th <= 0 || tw <= 0 {
		return
	}
	if h < 1 || w < 1 || uint(pt) > 2 || uint(pl) > 2 || ldv < th*tw {
		panic("kernels: " + p.name + " input transform: bad plane, padding or stride")
	}
	if !useWinoAsm {
		p.inputGo(x, h, w, pt, pl, th, tw, v, ldv)
		return
	}
	_ = x[h*w-1]
	_ = v[(p.streams-1)*ldv+th*tw-1]
	p.inputAsm(&x[0], h, w, pt, pl, th, tw, &v[0], ldv)
}

// output is the output transform into a plane, for oh, ow ≥ 1 and
// ldm ≥ th·tw (see winoOutputPlaneGo, winoOutputPlane4Go).
func (p *winoPlanes) output(m []float32, ldm, th, tw int, y []float32, oh, ow int) {
	if th <= 0 || tw <= 0 {
		return
	}
	if oh < 1 || ow < 1 || ldm < th*tw {
		panic("kernels: " + p.name + " output transform: bad plane or stride")
	}
	if !useWinoAsm {
		p.outputGo(m, ldm, th, tw, y, oh, ow)
		return
	}
	_ = m[(p.streams-1)*ldm+th*tw-1]
	_ = y[oh*ow-1]
	p.outputAsm(&m[0], ldm, th, tw, &y[0], oh, ow)
}

// grad is the output-gradient transform of a plane, for oh, ow ≥ 1 and
// ldo ≥ th·tw (see winoGradPlaneGo, winoGradPlane4Go).
func (p *winoPlanes) grad(dy []float32, oh, ow, th, tw int, out []float32, ldo int) {
	if th <= 0 || tw <= 0 {
		return
	}
	if oh < 1 || ow < 1 || ldo < th*tw {
		panic("kernels: " + p.name + " gradient transform: bad plane or stride")
	}
	if !useWinoAsm {
		p.gradGo(dy, oh, ow, th, tw, out, ldo)
		return
	}
	_ = dy[oh*ow-1]
	_ = out[(p.streams-1)*ldo+th*tw-1]
	p.gradAsm(&dy[0], oh, ow, th, tw, &out[0], ldo)
}

// prefetchPlane asks for x[at : at+n] (clipped to x) in the cache, where
// the machine runs the assembly transforms; nothing otherwise.
func prefetchPlane(x []float32, at, n int) {
	if useWinoAsm && at < len(x) {
		prefetchAVX512(&x[at], 4*min(n, len(x)-at))
	}
}
