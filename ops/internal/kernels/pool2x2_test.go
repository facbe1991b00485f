package kernels

import (
	"math"
	"math/rand"
	"testing"
)

// TestMaxPoolMatchesNaiveScan: both max-pool paths, the 2×2 loops and the
// general window walk, pick the element a naive running argmax picks (first
// maximum in row-major order, first NaN), on odd sizes, padding, overlapping
// windows, ties, negative values, signed zeros and NaNs, and route the
// gradient there.
func TestMaxPoolMatchesNaiveScan(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	geoms := []PoolGeom{
		{Planes: 3, H: 4, W: 6, OH: 2, OW: 3, KH: 2, KW: 2, SH: 2, SW: 2},
		{Planes: 2, H: 5, W: 7, OH: 2, OW: 3, KH: 2, KW: 2, SH: 2, SW: 2},
		{Planes: 1, H: 2, W: 2, OH: 1, OW: 1, KH: 2, KW: 2, SH: 2, SW: 2},
		{Planes: 6, H: 28, W: 28, OH: 14, OW: 14, KH: 2, KW: 2, SH: 2, SW: 2},
		{Planes: 4, H: 11, W: 13, OH: 5, OW: 6, KH: 3, KW: 3, SH: 2, SW: 2},                      // AlexNet's overlapping windows
		{Planes: 3, H: 9, W: 8, OH: 5, OW: 4, KH: 3, KW: 3, SH: 2, SW: 2, PadTop: 1, PadLeft: 1}, // ResNet's stem pool
		{Planes: 2, H: 5, W: 9, OH: 4, OW: 3, KH: 2, KW: 4, SH: 1, SW: 3, PadTop: 0, PadLeft: 1}, // H≠W, KH≠KW, SH≠SW
		{Planes: 2, H: 4, W: 4, OH: 3, OW: 3, KH: 2, KW: 2, SH: 2, SW: 2, PadTop: 1, PadLeft: 1}, // padded 2×2: the window walk
	}
	for _, g := range geoms {
		h, w := g.H, g.W
		x := make([]float32, g.Planes*h*w)
		for i := range x {
			x[i] = float32(rng.Intn(4) - 2) // many ties, negative values
			switch rng.Intn(50) {
			case 0:
				x[i] = float32(math.NaN())
			case 1:
				x[i] = float32(math.Copysign(0, -1))
			}
		}
		y := make([]float32, g.Planes*g.OH*g.OW)
		dy := make([]float32, len(y))
		for i := range dy {
			dy[i] = float32(i + 1)
		}
		dx := make([]float32, len(x))
		MaxPool2D(y, x, g)
		MaxPool2DGrad(dx, x, dy, g)
		want := make([]float32, len(x))
		rows, cols := g.spans()
		for p := 0; p < g.Planes; p++ {
			o := p * g.OH * g.OW
			for _, r := range rows {
				for _, c := range cols {
					i := naiveArgmax(x, p*h*w, w, r, c)
					if got := y[o]; got != x[i] && !(got != got && x[i] != x[i]) {
						t.Fatalf("%+v: y[%d] = %v, the naive scan picks x[%d] = %v", g, o, got, i, x[i])
					}
					want[i] += dy[o]
					o++
				}
			}
		}
		for i := range want {
			if dx[i] != want[i] {
				t.Fatalf("%+v: dx[%d] = %v, want %v", g, i, dx[i], want[i])
			}
		}
	}
	if (PoolGeom{H: 4, W: 4, OH: 2, OW: 2, KH: 2, KW: 2, SH: 2, SW: 2, PadTop: 1}).is2x2() {
		t.Fatal("a padded pool took the 2×2 path")
	}
}

// naiveArgmax returns the flat index in x of the first maximum of a window
// in row-major order, or of its first NaN: a running maximum that starts at
// the window's first element (not at 0, so all-negative windows are right)
// and moves only on a strictly greater value (so ties keep the first).
func naiveArgmax[T float32 | float64](x []T, plane, w int, rows, cols poolSpan) int {
	best := plane + rows.lo*w + cols.lo
	m := x[best]
	for i := rows.lo; i < rows.hi; i++ {
		row := plane + i*w + cols.lo
		for j, v := range x[row : row+cols.hi-cols.lo] {
			if v > m {
				m, best = v, row+j
			} else if v != v {
				return row + j
			}
		}
	}
	return best
}
