package kernels

import "testing"

// Subsample and SubsampleGrad against their definitions, on enough planes
// to split across goroutines, an odd size and a dropped-channel case.
func TestSubsample(t *testing.T) {
	withProcs(t, 2)
	for _, g := range []SubsampleGeom{
		{N: 64, CX: 16, CY: 32, H: 32, W: 32, S: 2}, // ResNet's first option-A shortcut, split
		{N: 2, CX: 3, CY: 5, H: 7, W: 5, S: 2},      // odd sizes: ⌈7/2⌉ × ⌈5/2⌉
		{N: 2, CX: 4, CY: 2, H: 4, W: 6, S: 3},      // fewer channels out: the adjoint zeroes the rest
	} {
		ho, wo := (g.H+g.S-1)/g.S, (g.W+g.S-1)/g.S
		x := normData[float32](g.N*g.CX*g.H*g.W, 0, 1, 1)
		y := normData[float32](g.N*g.CY*ho*wo, 0, 1, 2) // garbage: every element is written
		Subsample(y, x, g)
		dy := normData[float32](len(y), 0, 1, 3)
		dx := normData[float32](len(x), 0, 1, 4)
		SubsampleGrad(dx, dy, g)
		for n := range g.N {
			for c := range max(g.CX, g.CY) {
				for i := range g.H {
					for j := range g.W {
						var want float32
						if c < g.CY && c < g.CX && i%g.S == 0 && j%g.S == 0 {
							want = dy[((n*g.CY+c)*ho+i/g.S)*wo+j/g.S]
						}
						if c < g.CX && dx[((n*g.CX+c)*g.H+i)*g.W+j] != want {
							t.Fatalf("%+v: dx[%d,%d,%d,%d] = %v, want %v", g, n, c, i, j, dx[((n*g.CX+c)*g.H+i)*g.W+j], want)
						}
						if c < g.CY && i%g.S == 0 && j%g.S == 0 {
							var wantY float32
							if c < g.CX {
								wantY = x[((n*g.CX+c)*g.H+i)*g.W+j]
							}
							if got := y[((n*g.CY+c)*ho+i/g.S)*wo+j/g.S]; got != wantY {
								t.Fatalf("%+v: y[%d,%d,%d,%d] = %v, want %v", g, n, c, i/g.S, j/g.S, got, wantY)
							}
						}
					}
				}
			}
		}
	}
}
