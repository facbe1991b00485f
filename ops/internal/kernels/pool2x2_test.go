package kernels

import (
	"math"
	"math/rand"
	"testing"
)

// TestMaxPool2x2MatchesWindowWalk: the 2×2 loops pick the element the
// general window walk picks (first maximum, first NaN), on odd sizes, ties
// and NaNs, and route the gradient there.
func TestMaxPool2x2MatchesWindowWalk(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for _, s := range [][3]int{{3, 4, 6}, {2, 5, 7}, {1, 2, 2}, {6, 28, 28}} {
		planes, h, w := s[0], s[1], s[2]
		g := PoolGeom{Planes: planes, H: h, W: w, OH: h / 2, OW: w / 2, KH: 2, KW: 2, SH: 2, SW: 2}
		if !g.is2x2() {
			t.Fatalf("%v: not taken for 2×2", g)
		}
		x := make([]float32, planes*h*w)
		for i := range x {
			x[i] = float32(rng.Intn(4)) // many ties
			if rng.Intn(50) == 0 {
				x[i] = float32(math.NaN())
			}
		}
		y := make([]float32, planes*g.OH*g.OW)
		dy := make([]float32, len(y))
		for i := range dy {
			dy[i] = float32(i + 1)
		}
		dx := make([]float32, len(x))
		MaxPool2D(y, x, g)
		MaxPool2DGrad(dx, x, dy, g)
		want := make([]float32, len(x))
		rows, cols := g.spans()
		for p := 0; p < planes; p++ {
			o := p * g.OH * g.OW
			for _, r := range rows {
				for _, c := range cols {
					i := poolArgmax(x, p*h*w, w, r, c)
					if got := y[o]; math.Float32bits(got) != math.Float32bits(x[i]) && !(got != got && x[i] != x[i]) {
						t.Fatalf("%v: y[%d] = %v, the window walk picks x[%d] = %v", s, o, got, i, x[i])
					}
					want[i] += dy[o]
					o++
				}
			}
		}
		for i := range want {
			if dx[i] != want[i] {
				t.Fatalf("%v: dx[%d] = %v, want %v", s, i, dx[i], want[i])
			}
		}
	}
	if (PoolGeom{H: 4, W: 4, OH: 2, OW: 2, KH: 2, KW: 2, SH: 2, SW: 2, PadTop: 1}).is2x2() {
		t.Fatal("a padded pool took the 2×2 path")
	}
}
