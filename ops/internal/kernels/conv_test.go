package kernels

import (
	"math"
	"math/rand"
	"testing"
)

// convRandomGeom draws a valid geometry with every parameter free: stride,
// asymmetric padding (bottom/right only through OH, OW), dilation, groups.
// Every fourth draw is a 1×1 stride-1 kernel without top or left padding,
// half of them the identity path.
func convRandomGeom(rng *rand.Rand, i int) ConvGeom {
	for {
		g := ConvGeom{
			N: 1 + rng.Intn(2), G: 1 + rng.Intn(3), H: 1 + rng.Intn(8), W: 1 + rng.Intn(8),
			KH: 1 + rng.Intn(4), KW: 1 + rng.Intn(4), SH: 1 + rng.Intn(3), SW: 1 + rng.Intn(3),
			PadTop: rng.Intn(3), PadLeft: rng.Intn(3), DH: 1 + rng.Intn(3), DW: 1 + rng.Intn(3),
		}
		g.C, g.K = g.G*(1+rng.Intn(3)), g.G*(1+rng.Intn(3))
		if i%4 == 3 {
			g.KH, g.KW, g.SH, g.SW, g.PadTop, g.PadLeft = 1, 1, 1, 1, 0, 0
		}
		padBottom, padRight := rng.Intn(3), rng.Intn(3)
		if i%8 == 3 { // half of the 1×1 draws padded only at the bottom and right: not the identity
			padBottom, padRight = 0, 0
		}
		oh := (g.H+g.PadTop+padBottom-g.DH*(g.KH-1)-1)/g.SH + 1
		ow := (g.W+g.PadLeft+padRight-g.DW*(g.KW-1)-1)/g.SW + 1
		if g.H+g.PadTop+padBottom-g.DH*(g.KH-1)-1 < 0 || g.W+g.PadLeft+padRight-g.DW*(g.KW-1)-1 < 0 {
			continue
		}
		g.OH, g.OW = oh, ow
		return g
	}
}

func convRandom(rng *rand.Rand, n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = rng.NormFloat64()
	}
	return s
}

func convDot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func convAssertNear(t *testing.T, what string, a, b float64) {
	t.Helper()
	if math.Abs(a-b) > 1e-10*math.Max(1, math.Abs(a)) {
		t.Fatalf("%s: %v != %v", what, a, b)
	}
}

// TestConvIm2colValues compares im2col with its definition, element by element.
func TestConvIm2colValues(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 50; i++ {
		g := convRandomGeom(rng, i)
		c := g.C / g.G
		x := convRandom(rng, c*g.H*g.W)
		col := convRandom(rng, c*g.KH*g.KW*g.OH*g.OW) // garbage: im2col must overwrite it
		im2col(g, c, x, col)
		for ci := 0; ci < c; ci++ {
			for kh := 0; kh < g.KH; kh++ {
				for kw := 0; kw < g.KW; kw++ {
					for oh := 0; oh < g.OH; oh++ {
						for ow := 0; ow < g.OW; ow++ {
							ih, iw := oh*g.SH-g.PadTop+kh*g.DH, ow*g.SW-g.PadLeft+kw*g.DW
							want := 0.0
							if ih >= 0 && ih < g.H && iw >= 0 && iw < g.W {
								want = x[(ci*g.H+ih)*g.W+iw]
							}
							if got := col[(((ci*g.KH+kh)*g.KW+kw)*g.OH+oh)*g.OW+ow]; got != want {
								t.Fatalf("%+v: col[c%d kh%d kw%d oh%d ow%d] = %v, want %v", g, ci, kh, kw, oh, ow, got, want)
							}
						}
					}
				}
			}
		}
	}
}

// TestConvIm2colAdjoint checks ⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩: the input
// gradient is right exactly when col2im is im2col's adjoint.
func TestConvIm2colAdjoint(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	for i := 0; i < 50; i++ {
		g := convRandomGeom(rng, i)
		c := g.C / g.G
		x := convRandom(rng, c*g.H*g.W)
		cols := convRandom(rng, c*g.KH*g.KW*g.OH*g.OW)
		col := make([]float64, len(cols))
		im2col(g, c, x, col)
		back := make([]float64, len(x))
		col2im(g, c, cols, back)
		convAssertNear(t, "adjoint", convDot(col, cols), convDot(x, back))
	}
}

// TestConvPassesAdjoint checks ⟨conv(x, w), dy⟩ = ⟨x, dx⟩ = ⟨w, dw⟩: the
// convolution is bilinear, so both gradients are its adjoints. It covers the
// batch and group loops and the 1×1 identity path.
func TestConvPassesAdjoint(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for i := 0; i < 50; i++ {
		g := convRandomGeom(rng, i)
		x := convRandom(rng, g.N*g.C*g.H*g.W)
		w := convRandom(rng, g.K*(g.C/g.G)*g.KH*g.KW)
		dy := convRandom(rng, g.N*g.K*g.OH*g.OW)
		y, dx, dw := convRandom(rng, len(dy)), convRandom(rng, len(x)), convRandom(rng, len(w)) // garbage: overwritten
		if err := Conv2D(g, x, w, y); err != nil {
			t.Fatal(err)
		}
		if err := Conv2DInputGrad(g, w, dy, dx); err != nil {
			t.Fatal(err)
		}
		if err := Conv2DFilterGrad(g, x, dy, dw); err != nil {
			t.Fatal(err)
		}
		convAssertNear(t, "input grad", convDot(y, dy), convDot(x, dx))
		convAssertNear(t, "filter grad", convDot(y, dy), convDot(w, dw))
	}
}

// TestConvFloat32 runs the float32 instantiation once against float64.
func TestConvFloat32(t *testing.T) {
	g := ConvGeom{N: 2, C: 4, H: 5, W: 6, K: 6, KH: 3, KW: 2, OH: 3, OW: 6, SH: 2, SW: 1, PadTop: 1, PadLeft: 1, DH: 1, DW: 1, G: 2}
	rng := rand.New(rand.NewSource(4))
	x, w := convRandom(rng, 2*4*5*6), convRandom(rng, 6*2*3*2)
	y := make([]float64, 2*6*3*6)
	if err := Conv2D(g, x, w, y); err != nil {
		t.Fatal(err)
	}
	x32, w32, y32 := make([]float32, len(x)), make([]float32, len(w)), make([]float32, len(y))
	for i, v := range x {
		x32[i] = float32(v)
	}
	for i, v := range w {
		w32[i] = float32(v)
	}
	if err := Conv2D(g, x32, w32, y32); err != nil {
		t.Fatal(err)
	}
	for i := range y {
		if math.Abs(float64(y32[i])-y[i]) > 1e-5*math.Max(1, math.Abs(y[i])) {
			t.Fatalf("y[%d]: float32 %v, float64 %v", i, y32[i], y[i])
		}
	}
}

// TestConvLengths: a slice that does not fit the geometry is an error, not a
// panic inside GEMM.
func TestConvLengths(t *testing.T) {
	g := ConvGeom{N: 1, C: 2, H: 3, W: 3, K: 2, KH: 2, KW: 2, OH: 2, OW: 2, SH: 1, SW: 1, DH: 1, DW: 1, G: 1}
	x, w, y := make([]float64, 18), make([]float64, 16), make([]float64, 8)
	if err := Conv2D(g, x[:17], w, y); err == nil {
		t.Error("short input: want an error")
	}
	if err := Conv2DInputGrad(g, w, y[:7], x); err == nil {
		t.Error("short output grad: want an error")
	}
	if err := Conv2DFilterGrad(g, x, y, w[:15]); err == nil {
		t.Error("short weight grad: want an error")
	}
	g.G = 0
	if err := Conv2D(g, x, w, y); err == nil {
		t.Error("zero groups: want an error")
	}
}
