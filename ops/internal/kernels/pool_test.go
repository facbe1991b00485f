package kernels

import (
	"math"
	"testing"
)

// poolGeom1 is one plane of h×w pooled by a kh×kw window with strides sh×sw
// and top/left padding pt, pl; oh, ow as the caller's shape rule gives them.
func poolGeom1(h, w, oh, ow, kh, kw, sh, sw, pt, pl int) PoolGeom {
	return PoolGeom{Planes: 1, H: h, W: w, OH: oh, OW: ow, KH: kh, KW: kw, SH: sh, SW: sw, PadTop: pt, PadLeft: pl}
}

func TestPoolSpans(t *testing.T) {
	// 3-wide windows at stride 2 over 6 elements with 1 of padding in front
	// (and 1 behind: 3 windows): the first window loses its padded element.
	got := poolSpans(3, 3, 2, 1, 6)
	want := []poolSpan{{0, 2}, {1, 4}, {3, 6}}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("spans = %v, want %v", got, want)
		}
	}
}

// TestMaxPoolNaN: a NaN in a window wins it (PyTorch propagates NaN), and
// the gradient goes to that NaN; windows without one are unaffected.
func TestMaxPoolNaN(t *testing.T) {
	nan := math.NaN()
	x := []float64{1, nan, 7, 3, nan, 2} // 1×6, windows of 1×2
	g := poolGeom1(1, 6, 1, 3, 1, 2, 1, 2, 0, 0)
	y := make([]float64, 3)
	MaxPool2D(y, x, g)
	if !math.IsNaN(y[0]) || y[1] != 7 || !math.IsNaN(y[2]) {
		t.Errorf("y = %v, want [NaN 7 NaN]", y)
	}
	dx := make([]float64, 6)
	MaxPool2DGrad(dx, x, []float64{1, 2, 3}, g)
	if want := []float64{0, 1, 2, 0, 3, 0}; !poolEqual(dx, want) {
		t.Errorf("dx = %v, want %v", dx, want)
	}
}

// TestMaxPoolFirstOfTies: ties go to the first in row-major order, in float32
// and float64 alike.
func TestMaxPoolFirstOfTies(t *testing.T) {
	// A 2×3 plane, 2×2 windows at stride 1 with 1 column of left padding:
	// the windows cover columns {0}, {0,1} and {1,2} of both rows.
	g := poolGeom1(2, 3, 1, 3, 2, 2, 1, 1, 0, 1)
	x64 := []float64{-1, 4, 4, 4, -2, 4}
	dx64 := make([]float64, 6)
	MaxPool2DGrad(dx64, x64, []float64{1, 1, 1}, g)
	x32 := []float32{-1, 4, 4, 4, -2, 4}
	dx32 := make([]float32, 6)
	MaxPool2DGrad(dx32, x32, []float32{1, 1, 1}, g)
	// Window 0 (column 0): −1, 4 → (1,0). Window 1: −1, 4, 4, −2 → (0,1),
	// not (1,0). Window 2: 4, 4, −2, 4 → (0,1), not (0,2) or (1,2).
	want := []float64{0, 2, 0, 1, 0, 0}
	if !poolEqual(dx64, want) || !poolEqual(poolTo64(dx32), want) {
		t.Errorf("dx = %v (float64), %v (float32), want %v", dx64, dx32, want)
	}
}

// TestAvgPoolDivisor: one 2×2 window over a 1×1 plane padded on top and left
// (the window holds the plane's only element) divides by 4 or by 1.
func TestAvgPoolDivisor(t *testing.T) {
	g := poolGeom1(1, 1, 1, 1, 2, 2, 1, 1, 1, 1)
	for _, c := range []struct {
		countPad bool
		y, dx    float32
	}{{true, 2, 0.25}, {false, 8, 1}} {
		y := make([]float32, 1)
		AvgPool2D(y, []float32{8}, g, c.countPad)
		dx := make([]float32, 1)
		AvgPool2DGrad(dx, []float32{1}, g, c.countPad)
		if y[0] != c.y || dx[0] != c.dx {
			t.Errorf("countPad=%t: y %v, dx %v; want %v, %v", c.countPad, y[0], dx[0], c.y, c.dx)
		}
	}
}

func poolEqual(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func poolTo64(a []float32) []float64 {
	out := make([]float64, len(a))
	for i, v := range a {
		out[i] = float64(v)
	}
	return out
}

// TestPoolPlanesSplit: with many planes split across goroutines, every
// pooling kernel gives, plane by plane, what it gives on that plane alone,
// overlapping windows and padding included.
func TestPoolPlanesSplit(t *testing.T) {
	withProcs(t, 3)
	const planes, h, w = 101, 13, 11 // enough work to be split
	// 3×3 windows at stride 2, 1 row and column of padding: 7×6 outputs.
	g := PoolGeom{Planes: planes, H: h, W: w, OH: 7, OW: 6, KH: 3, KW: 3, SH: 2, SW: 2, PadTop: 1, PadLeft: 1}
	one := g
	one.Planes = 1
	x, dy := normData[float32](planes*h*w, 0, 1, 1), normData[float32](planes*7*6, 0, 1, 2)
	in, out := h*w, 7*6
	type run func(g PoolGeom, x, dy, dst []float32)
	kernels := map[string]struct {
		r       run
		dstSize int
	}{
		"max":      {func(g PoolGeom, x, _, y []float32) { MaxPool2D(y, x, g) }, out},
		"max_grad": {func(g PoolGeom, x, dy, dx []float32) { MaxPool2DGrad(dx, x, dy, g) }, in},
		"avg":      {func(g PoolGeom, x, _, y []float32) { AvgPool2D(y, x, g, false) }, out},
		"avg_grad": {func(g PoolGeom, _, dy, dx []float32) { AvgPool2DGrad(dx, dy, g, true) }, in},
	}
	for name, k := range kernels {
		all := make([]float32, planes*k.dstSize)
		k.r(g, x, dy, all)
		for p := 0; p < planes; p++ {
			want := make([]float32, k.dstSize)
			k.r(one, x[p*in:(p+1)*in], dy[p*out:(p+1)*out], want)
			for i, v := range want {
				if got := all[p*k.dstSize+i]; got != v {
					t.Fatalf("%s: plane %d element %d = %v, want %v", name, p, i, got, v)
				}
			}
		}
	}
}
