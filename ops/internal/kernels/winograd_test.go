package kernels

import (
	"math"
	"math/rand"
	"runtime"
	"testing"
)

// winoGeoms fit F(2×2, 3×3): odd and even sizes (partial tiles), H ≠ W,
// padding 0, 1 and 2, a bottom/right padding other than the top/left one
// (OH, OW), channels not a multiple of anything, batches that split into
// items unevenly.
var winoGeoms = []ConvGeom{
	convBenchGeom(3, 16, 16, 8, 3, 1, 1),
	convBenchGeom(5, 8, 12, 7, 3, 1, 1),
	convBenchGeom(2, 9, 8, 6, 3, 1, 0),
	convBenchGeom(1, 8, 8, 5, 3, 1, 2),
	convBenchGeom(4, 12, 10, 4, 3, 1, 1),
	{N: 3, C: 10, H: 9, W: 14, K: 11, KH: 3, KW: 3, OH: 9, OW: 14, SH: 1, SW: 1, PadTop: 1, PadLeft: 1, DH: 1, DW: 1, G: 1},
	{N: 2, C: 8, H: 11, W: 6, K: 9, KH: 3, KW: 3, OH: 10, OW: 5, SH: 1, SW: 1, PadTop: 1, PadLeft: 1, DH: 1, DW: 1, G: 1},
	{N: 2, C: 8, H: 7, W: 9, K: 8, KH: 3, KW: 3, OH: 6, OW: 9, SH: 1, SW: 1, PadTop: 0, PadLeft: 2, DH: 1, DW: 1, G: 1},
	{N: 1, C: 8, H: 3, W: 3, K: 8, KH: 3, KW: 3, OH: 1, OW: 1, SH: 1, SW: 1, PadTop: 0, PadLeft: 0, DH: 1, DW: 1, G: 1},
	convBenchGeom(3, 8, 9, 16, 3, 1, 1),
	convBenchGeom(2, 9, 8, 13, 3, 1, 1),
	{N: 2, C: 8, H: 17, W: 12, K: 10, KH: 3, KW: 3, OH: 15, OW: 14, SH: 1, SW: 1, PadTop: 0, PadLeft: 2, DH: 1, DW: 1, G: 1},
	// F(4×4, 3×3)'s own sizes: 32×32 (8 tiles a row, two rows a vector), odd
	// sizes with asymmetric padding, a bottom padding above 2.
	convBenchGeom(3, 8, 8, 32, 3, 1, 1),
	{N: 2, C: 9, H: 31, W: 37, K: 8, KH: 3, KW: 3, OH: 30, OW: 38, SH: 1, SW: 1, PadTop: 0, PadLeft: 2, DH: 1, DW: 1, G: 1},
	{N: 1, C: 8, H: 20, W: 18, K: 11, KH: 3, KW: 3, OH: 23, OW: 17, SH: 1, SW: 1, PadTop: 1, PadLeft: 0, DH: 1, DW: 1, G: 1},
}

// winoVariant is one way the tests force the Winograd passes: F(4×4, 3×3)
// from output side min4 on (F(2×2, 3×3) below), the plane transforms in
// assembly or in Go, items of about bytes of streams, procs goroutines.
type winoVariant struct {
	name         string
	min4         int
	asm          bool
	bytes, procs int
}

// with runs f with the Winograd passes on as v says. With min4 = 1 every
// geometry runs by F(4×4, 3×3), however few tiles an item holds.
func (v winoVariant) with(f func()) {
	on, m4, mc, useAsm, wb := winograd, wino4MinSide, winoMinCols, useWinoAsm, winoBytes
	p := runtime.GOMAXPROCS(v.procs)
	defer func() {
		winograd, wino4MinSide, winoMinCols, useWinoAsm, winoBytes = on, m4, mc, useAsm, wb
		runtime.GOMAXPROCS(p)
	}()
	winograd, wino4MinSide, useWinoAsm, winoBytes = func() bool { return true }, v.min4, v.asm, v.bytes
	if v.min4 == 1 {
		winoMinCols = 0
	}
	f()
}

// tileSide is the output tile side v runs g with.
func (v winoVariant) tileSide() int {
	if v.min4 == 1 {
		return 4
	}
	return 2
}

// winoVariants are both algorithms, with the Go transforms always and the
// assembly where the CPU has it; one image per item, and several (with a
// short last item).
func winoVariants() []winoVariant {
	var vs []winoVariant
	for _, alg := range []struct {
		name string
		min4 int
	}{{"F2", 1 << 30}, {"F4", 1}} {
		vs = append(vs, winoVariant{alg.name + "/go/one-image", alg.min4, false, 1, 1},
			winoVariant{alg.name + "/go/batched/parallel3", alg.min4, false, 150000, 3})
		if useWinoAsm {
			vs = append(vs, winoVariant{alg.name + "/asm/batched/parallel2", alg.min4, true, 120000, 2},
				winoVariant{alg.name + "/asm/one-image", alg.min4, true, 1, 1})
		}
	}
	return vs
}

// TestWinogradMatchesReference compares the Winograd forward, input
// gradient and filter gradient with the float64 definition. Winograd rounds
// more than the direct sum (F(2×2, 3×3)'s transforms add up to 9 values
// before a product, F(4×4, 3×3)'s 36 and scale them by up to 100), so the
// bound is four times the direct float32 passes'; both algorithms stay
// within it on these sizes.
func TestWinogradMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewSource(21))
	for _, v := range winoVariants() {
		t.Run(v.name, func(t *testing.T) {
			for _, g := range winoGeoms {
				x := convRandom(rng, g.N*g.C*g.H*g.W)
				w := convRandom(rng, g.K*g.C*9)
				dy := convRandom(rng, g.N*g.K*g.OH*g.OW)
				v.with(func() {
					if wg, ok := newWinoGeom(g); !ok || wg.alg.m != v.tileSide() {
						t.Fatalf("%+v does not run by F(%d×%d, 3×3)", g, v.tileSide(), v.tileSide())
					}
					convCheck32(t, v.name, g, x, w, dy, 4e-5)
				})
			}
		})
	}
}

// TestWinogradDeclines: the shapes Winograd does not fit, and float64, run
// the direct passes (which TestConvPaths* check); a padding above 2 (the
// transforms' masks pad 0 to 2) on top or left declines, at the bottom or
// right it fits.
func TestWinogradDeclines(t *testing.T) {
	fits := convBenchGeom(2, 16, 16, 8, 3, 1, 1)
	on := winoVariant{"", wino4MinSide, false, winoBytes, 1}
	for _, c := range []struct {
		name string
		edit func(*ConvGeom)
	}{
		{"stride 2", func(g *ConvGeom) { g.SH, g.SW, g.OH, g.OW = 2, 2, 4, 4 }},
		{"5×5", func(g *ConvGeom) { g.KH, g.KW, g.OH, g.OW = 5, 5, 6, 6 }},
		{"dilated", func(g *ConvGeom) { g.DH, g.OH = 2, 6 }},
		{"groups", func(g *ConvGeom) { g.G = 2 }},
		{"3 input channels", func(g *ConvGeom) { g.C = 3 }},
		{"top padding 3", func(g *ConvGeom) { g.PadTop, g.OH = 3, 10 }},
		{"left padding 64", func(g *ConvGeom) { g.PadLeft, g.OW = 64, 70 }},
		{"1024×1024 images", func(g *ConvGeom) { g.H, g.W, g.OH, g.OW = 1024, 1024, 1024, 1024 }},
	} {
		g := fits
		c.edit(&g)
		on.with(func() {
			if _, ok := newWinoGeom(g); ok {
				t.Errorf("%s: runs by Winograd", c.name)
			}
		})
	}
	on.with(func() {
		bottom := fits
		bottom.OH, bottom.OW = 12, 15 // bottom padding 5, right 8
		if _, ok := newWinoGeom(bottom); !ok {
			t.Errorf("bottom and right padding above 2: declines")
		}
		x, w, y := make([]float64, fits.N*fits.C*fits.H*fits.W), make([]float64, fits.K*fits.C*9), make([]float64, fits.N*fits.K*fits.OH*fits.OW)
		if winogradForward(fits, x, w, y) || winogradFilterGrad(fits, x, y, w) {
			t.Errorf("float64 runs by Winograd")
		}
	})
}

// TestWinogradFilterTransforms: winoFilter on a hand-computed filter, and
// winoFilterGrad as its adjoint, ⟨G f Gᵀ, du⟩ = ⟨f, Gᵀ du G⟩.
func TestWinogradFilterTransforms(t *testing.T) {
	// Column by column, G f = [1 2 3; 6 7.5 9; 2 2.5 3; 7 8 9] for
	// f = [1 2 3; 4 5 6; 7 8 9]; then each row r of it maps to
	// [r0, (r0+r1+r2)/2, (r0−r1+r2)/2, r2].
	want := [36]float32{1, 3, 1, 3, 6, 11.25, 3.75, 9, 2, 3.75, 1.25, 3, 7, 12, 4, 9}
	var got [36]float32
	if winoFilter(&[9]float32{1, 2, 3, 4, 5, 6, 7, 8, 9}, &got); got != want {
		t.Errorf("G f Gᵀ = %v, want %v", got[:16], want[:16])
	}
	rng := rand.New(rand.NewSource(22))
	for range 20 {
		var f, df [9]float32
		var u, du [36]float32
		for i := range f {
			f[i] = float32(rng.NormFloat64())
		}
		for i := range du[:16] {
			du[i] = float32(rng.NormFloat64())
		}
		winoFilter(&f, &u)
		winoFilterGrad(&du, &df)
		var lhs, rhs float64
		for i := range u[:16] {
			lhs += float64(u[i]) * float64(du[i])
		}
		for i := range f {
			rhs += float64(f[i]) * float64(df[i])
		}
		if math.Abs(lhs-rhs) > 1e-5*math.Max(1, math.Abs(lhs)) {
			t.Errorf("⟨G f Gᵀ, du⟩ = %v, ⟨f, Gᵀ du G⟩ = %v", lhs, rhs)
		}
	}
}

// TestWinograd4FilterTransforms: wino4Filter against the matrix product
// G f Gᵀ written out, and wino4FilterGrad as its adjoint.
func TestWinograd4FilterTransforms(t *testing.T) {
	g := [6][3]float64{{1. / 4, 0, 0}, {-1. / 6, -1. / 6, -1. / 6}, {-1. / 6, 1. / 6, -1. / 6}, {1. / 24, 1. / 12, 1. / 6}, {1. / 24, -1. / 12, 1. / 6}, {0, 0, 1}}
	rng := rand.New(rand.NewSource(24))
	for range 20 {
		var f [9]float32
		var du [36]float32
		for i := range f {
			f[i] = float32(rng.NormFloat64())
		}
		for i := range du {
			du[i] = float32(rng.NormFloat64())
		}
		var u [36]float32
		var df [9]float32
		wino4Filter(&f, &u)
		wino4FilterGrad(&du, &df)
		var lhs, rhs float64
		for i := 0; i < 6; i++ {
			for j := 0; j < 6; j++ {
				var want float64 // (G f Gᵀ)[i][j]
				for p := 0; p < 3; p++ {
					for q := 0; q < 3; q++ {
						want += g[i][p] * float64(f[3*p+q]) * g[j][q]
					}
				}
				if math.Abs(float64(u[6*i+j])-want) > 1e-6*math.Max(1, math.Abs(want)) {
					t.Fatalf("(G f Gᵀ)[%d][%d] = %v, want %v", i, j, u[6*i+j], want)
				}
				lhs += want * float64(du[6*i+j])
			}
		}
		for i := range f {
			rhs += float64(f[i]) * float64(df[i])
		}
		if math.Abs(lhs-rhs) > 1e-5*math.Max(1, math.Abs(lhs)) {
			t.Errorf("⟨G f Gᵀ, du⟩ = %v, ⟨f, Gᵀ du G⟩ = %v", lhs, rhs)
		}
	}
}

// TestWinogradNoAllocs: the Winograd passes take their buffers from the
// free list too.
func TestWinogradNoAllocs(t *testing.T) {
	g := convBenchGeom(4, 16, 16, 32, 3, 1, 1)
	rng := rand.New(rand.NewSource(23))
	x, w, dy := to32(convRandom(rng, g.N*g.C*g.H*g.W)), to32(convRandom(rng, g.K*g.C*9)), to32(convRandom(rng, g.N*g.K*g.OH*g.OW))
	y, dx, dw := make([]float32, len(dy)), make([]float32, len(x)), make([]float32, len(w))
	winoVariant{"", wino4MinSide, useWinoAsm, winoBytes, 2}.with(func() {
		run := func() {
			_ = Conv2D(g, x, w, y)
			_ = Conv2DInputGrad(g, w, dy, dx)
			_ = Conv2DFilterGrad(g, x, dy, dw)
		}
		run()
		least := uint64(math.MaxUint64)
		for range 3 { // the quietest round, as in TestConvNoAllocs
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for range 5 {
				run()
			}
			runtime.ReadMemStats(&after)
			least = min(least, (after.TotalAlloc-before.TotalAlloc)/15)
		}
		if least > 8192 {
			t.Errorf("%d bytes allocated per pass", least)
		}
	})
}

func to32(s []float64) []float32 {
	r := make([]float32, len(s))
	for i, v := range s {
		r[i] = float32(v)
	}
	return r
}

func to64(s []float32) []float64 {
	r := make([]float64, len(s))
	for i, v := range s {
		r[i] = float64(v)
	}
	return r
}
