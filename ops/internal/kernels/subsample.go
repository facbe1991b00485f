package kernels

// SubsampleGeom is the geometry of a strided subsampling between x (N, CX,
// H, W) and y (N, CY, ⌈H/S⌉, ⌈W/S⌉): y[n, c, i, j] = x[n, c, i·S, j·S] for
// c < min(CX, CY). It is ResNet's option-A shortcut (CY > CX, the extra
// channels zero) and its adjoint.
type SubsampleGeom struct {
	N, CX, CY, H, W, S int
}

func (g SubsampleGeom) out() (ho, wo int) { return (g.H + g.S - 1) / g.S, (g.W + g.S - 1) / g.S }

// Subsample writes every element of y: the sampled pixels of x's channels,
// zero in y's channels past CX. Planes run in parallel.
func Subsample[T float32 | float64](y, x []T, g SubsampleGeom) {
	ho, wo := g.out()
	ParallelFor(g.N*g.CY, g.N*g.CY*ho*wo*2, func(lo, hi int) {
		for p := lo; p < hi; p++ {
			n, c := p/g.CY, p%g.CY
			yp := y[p*ho*wo : (p+1)*ho*wo]
			if c >= g.CX {
				clear(yp)
				continue
			}
			xp := x[(n*g.CX+c)*g.H*g.W:][:g.H*g.W]
			for i := range ho {
				row, src := yp[i*wo:(i+1)*wo], xp[i*g.S*g.W:]
				for j := range row {
					row[j] = src[j*g.S]
				}
			}
		}
	})
}

// SubsampleGrad writes every element of dx (N, CX, H, W), the adjoint of
// Subsample: dy's first CX channels at the sampled pixels, zero elsewhere.
func SubsampleGrad[T float32 | float64](dx, dy []T, g SubsampleGeom) {
	ho, wo := g.out()
	ParallelFor(g.N*g.CX, g.N*g.CX*g.H*g.W*2, func(lo, hi int) {
		for p := lo; p < hi; p++ {
			n, c := p/g.CX, p%g.CX
			dp := dx[p*g.H*g.W : (p+1)*g.H*g.W]
			clear(dp)
			if c >= g.CY { // a channel the subsampling dropped
				continue
			}
			src := dy[(n*g.CY+c)*ho*wo:][:ho*wo]
			for i := range ho {
				row := dp[i*g.S*g.W:]
				for j, v := range src[i*wo : (i+1)*wo] {
					row[j*g.S] = v
				}
			}
		}
	})
}
