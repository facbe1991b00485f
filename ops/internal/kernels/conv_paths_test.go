package kernels

import (
	"fmt"
	"math"
	"math/rand"
	"runtime"
	"testing"
)

// convRef is the definition of the three passes, loop by loop, in float64.
func convRef(g ConvGeom, x, w, dy []float64) (y, dx, dw []float64) {
	cg, kg := g.C/g.G, g.K/g.G
	y, dx, dw = make([]float64, g.N*g.K*g.OH*g.OW), make([]float64, len(x)), make([]float64, len(w))
	for n := 0; n < g.N; n++ {
		for k := 0; k < g.K; k++ {
			gr := k / kg
			for oh := 0; oh < g.OH; oh++ {
				for ow := 0; ow < g.OW; ow++ {
					yi := ((n*g.K+k)*g.OH+oh)*g.OW + ow
					for c := 0; c < cg; c++ {
						for kh := 0; kh < g.KH; kh++ {
							ih := oh*g.SH - g.PadTop + kh*g.DH
							if ih < 0 || ih >= g.H {
								continue
							}
							for kw := 0; kw < g.KW; kw++ {
								iw := ow*g.SW - g.PadLeft + kw*g.DW
								if iw < 0 || iw >= g.W {
									continue
								}
								xi := ((n*g.C+gr*cg+c)*g.H+ih)*g.W + iw
								wi := ((k*cg+c)*g.KH+kh)*g.KW + kw
								y[yi] += w[wi] * x[xi]
								dx[xi] += w[wi] * dy[yi]
								dw[wi] += x[xi] * dy[yi]
							}
						}
					}
				}
			}
		}
	}
	return y, dx, dw
}

// convKnobs are the settings that choose the kernels' paths.
type convKnobs struct {
	name                                    string
	bandElems, minBandCols, minRowsK, ratio int
	minParallel, procs                      int
	phases                                  bool
	pad                                     int // filterGrad's padding of dy: 0 as the CPU says, 1 always, −1 never
	dot                                     int // filterGrad's products by gemm.DotNT: 0 as dotFilter says, 1 always, −1 never
}

// convKnobSets force every path: each lowering, one-row bands, the col2im
// and the phase-convolution input gradient, and the parallel split over 2
// and 3 goroutines (with its partial filter sums).
var convKnobSets = []convKnobs{
	{"default", 1 << 16, 256, 32, 2, 1 << 19, 1, true, 0, 0},
	{"rows/phases/one-row-bands/parallel2/dot", 1, 1, 1, 1 << 30, 0, 2, true, 1, 1},
	{"rows/phases/small-bands/parallel3", 40, 1, 1, 1 << 30, 0, 3, true, -1, -1},
	{"im2col/one-row-bands/col2im/padded/parallel3", 1, 1, 1 << 30, 0, 0, 3, false, 1, -1},
	{"im2col/whole/col2im/unpadded/dot", 1 << 30, 1, 1 << 30, 0, 1 << 30, 1, false, -1, 1},
	{"rows/whole/phase-convs/parallel2/dot", 1 << 30, 1, 1, 1 << 30, 0, 2, false, 0, 1},
	{"im2col/phases/col2im/padded/parallel2", 1 << 16, 256, 1 << 30, 0, 0, 2, true, 1, 0},
}

// withKnobs runs f with the knobs set and Winograd off (these tests check
// the direct passes), restoring the defaults after.
func withKnobs(k convKnobs, f func()) {
	be, mb, mr, tr, mp, up, pf, df, wi := bandElems, minBandCols, minRowsK, transposedMaxRatio, minParallelMACs, usePhases, padFilterRows, dotFilter, winograd
	procs := runtime.GOMAXPROCS(k.procs)
	defer func() {
		bandElems, minBandCols, minRowsK, transposedMaxRatio, minParallelMACs, usePhases, padFilterRows, dotFilter, winograd = be, mb, mr, tr, mp, up, pf, df, wi
		runtime.GOMAXPROCS(procs)
	}()
	winograd = func() bool { return false } // winograd_test.go checks those passes
	if k.pad != 0 {
		padFilterRows = func() bool { return k.pad > 0 }
	}
	if k.dot != 0 {
		dotFilter = func(int, int, int) bool { return k.dot > 0 }
	}
	bandElems, minBandCols, minRowsK, transposedMaxRatio, minParallelMACs, usePhases = k.bandElems, k.minBandCols, k.minRowsK, k.ratio, k.minParallel, k.phases
	f()
}

// convPathGeoms are hand-picked geometries on top of the random ones: the
// models' shapes shrunk, odd sizes, stride 2, groups, dilation, batch 1
// and 3, 1×1 kernels with and without padding.
var convPathGeoms = []ConvGeom{
	convBenchGeom(3, 16, 16, 8, 3, 1, 1),
	convBenchGeom(1, 16, 32, 9, 3, 2, 1),
	convBenchGeom(3, 3, 16, 7, 3, 1, 1),
	convBenchGeom(2, 1, 6, 12, 5, 1, 2),
	convBenchGeom(3, 6, 16, 9, 5, 1, 0),
	convBenchGeom(2, 3, 8, 23, 11, 4, 0),
	convBenchGeom(1, 12, 20, 5, 3, 1, 1),
	convBenchGeom(3, 5, 7, 6, 1, 1, 0),
	convBenchGeom(2, 5, 7, 6, 1, 2, 1),
	{N: 3, C: 8, H: 11, W: 7, K: 6, KH: 3, KW: 2, OH: 9, OW: 7, SH: 1, SW: 1, PadTop: 2, PadLeft: 1, DH: 2, DW: 1, G: 2},
	{N: 2, C: 6, H: 10, W: 9, K: 9, KH: 2, KW: 3, OH: 5, OW: 3, SH: 2, SW: 3, PadTop: 1, PadLeft: 0, DH: 1, DW: 2, G: 3},
	{N: 1, C: 4, H: 7, W: 8, K: 4, KH: 3, KW: 3, OH: 7, OW: 8, SH: 1, SW: 1, PadTop: 1, PadLeft: 1, DH: 1, DW: 1, G: 4},
	{N: 3, C: 4, H: 5, W: 5, K: 12, KH: 4, KW: 4, OH: 8, OW: 8, SH: 1, SW: 1, PadTop: 3, PadLeft: 3, DH: 1, DW: 1, G: 1},
	{N: 2, C: 10, H: 6, W: 13, K: 4, KH: 3, KW: 5, OH: 4, OW: 9, SH: 1, SW: 1, PadTop: 0, PadLeft: 0, DH: 1, DW: 1, G: 1},
	{N: 2, C: 3, H: 6, W: 40, K: 5, KH: 3, KW: 3, OH: 4, OW: 38, SH: 1, SW: 1, PadTop: 0, PadLeft: 0, DH: 1, DW: 1, G: 1},
	// Stride 2 on even heights: the phases split and merged a plane at a
	// time (splitRowsVec, mergeRowsVec), with an odd width too.
	convBenchGeom(2, 16, 32, 8, 3, 2, 1),
	{N: 2, C: 4, H: 8, W: 9, K: 8, KH: 3, KW: 3, OH: 4, OW: 5, SH: 2, SW: 2, PadTop: 1, PadLeft: 1, DH: 1, DW: 1, G: 1},
}

// TestConvPathsMatchReference runs the three passes on every path against
// the definition, in float64.
func TestConvPathsMatchReference(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	geoms := append([]ConvGeom(nil), convPathGeoms...)
	for i := 0; i < 40; i++ {
		g := convRandomGeom(rng, i)
		g.N = 1 + rng.Intn(3)
		geoms = append(geoms, g)
	}
	for _, k := range convKnobSets {
		t.Run(k.name, func(t *testing.T) {
			for _, g := range geoms {
				x := convRandom(rng, g.N*g.C*g.H*g.W)
				w := convRandom(rng, g.K*(g.C/g.G)*g.KH*g.KW)
				dy := convRandom(rng, g.N*g.K*g.OH*g.OW)
				wantY, wantDX, wantDW := convRef(g, x, w, dy)
				y, dx, dw := convRandom(rng, len(dy)), convRandom(rng, len(x)), convRandom(rng, len(w)) // garbage: overwritten
				withKnobs(k, func() {
					for _, err := range []error{Conv2D(g, x, w, y), Conv2DInputGrad(g, w, dy, dx), Conv2DFilterGrad(g, x, dy, dw)} {
						if err != nil {
							t.Fatal(err)
						}
					}
				})
				convAssertSlices(t, fmt.Sprintf("%+v: y", g), y, wantY, 1e-12)
				convAssertSlices(t, fmt.Sprintf("%+v: dx", g), dx, wantDX, 1e-12)
				convAssertSlices(t, fmt.Sprintf("%+v: dw", g), dw, wantDW, 1e-12)
			}
		})
	}
}

// TestConvPathsFloat32 checks the float32 instantiation of every path
// against the float64 definition.
func TestConvPathsFloat32(t *testing.T) {
	rng := rand.New(rand.NewSource(8))
	for _, k := range convKnobSets {
		for _, g := range convPathGeoms {
			x := convRandom(rng, g.N*g.C*g.H*g.W)
			w := convRandom(rng, g.K*(g.C/g.G)*g.KH*g.KW)
			dy := convRandom(rng, g.N*g.K*g.OH*g.OW)
			withKnobs(k, func() {
				convCheck32(t, k.name, g, x, w, dy, 1e-5)
			})
		}
	}
}

// convCheck32 runs the three float32 passes of g on x, w and dy (float64
// values, rounded) and compares them with the float64 definition, to tol
// times √terms relative: sums of terms N(0, 1)·N(0, 1) round with √terms.
// The outputs start as NaN, so a pass must write every element.
func convCheck32(t *testing.T, what string, g ConvGeom, x, w, dy []float64, tol float64) {
	t.Helper()
	wantY, wantDX, wantDW := convRef(g, x, w, dy)
	y, dx, dw := nans32(len(dy)), nans32(len(x)), nans32(len(w))
	for _, err := range []error{Conv2D(g, to32(x), to32(w), y), Conv2DInputGrad(g, to32(w), to32(dy), dx), Conv2DFilterGrad(g, to32(x), to32(dy), dw)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		name  string
		got   []float32
		want  []float64
		terms int
	}{{"y", y, wantY, g.C / g.G * g.KH * g.KW}, {"dx", dx, wantDX, g.K / g.G * g.KH * g.KW}, {"dw", dw, wantDW, g.N * g.OH * g.OW}} {
		convAssertSlices(t, fmt.Sprintf("%s %+v: %s", what, g, c.name), to64(c.got), c.want, tol*math.Sqrt(float64(c.terms)))
	}
}

// nans32 is a float32 slice of NaNs: a pass must overwrite it.
func nans32(n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(math.NaN())
	}
	return s
}

func convAssertSlices(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	for i := range want {
		if math.Abs(got[i]-want[i]) > tol*math.Max(1, math.Abs(want[i])) {
			t.Fatalf("%s[%d] = %v, want %v", what, i, got[i], want[i])
		}
	}
}

// TestConvIm2colBands compares every band of im2colRows, stored with a
// padded stride, with the whole col matrix, and checks col2imRows against
// it as its adjoint.
func TestConvIm2colBands(t *testing.T) {
	rng := rand.New(rand.NewSource(9))
	for i := 0; i < 60; i++ {
		g := convRandomGeom(rng, i)
		c := g.C / g.G
		x := convRandom(rng, c*g.H*g.W)
		whole := make([]float64, c*g.KH*g.KW*g.OH*g.OW)
		im2col(g, c, x, whole)
		oh0 := rng.Intn(g.OH)
		oh1 := oh0 + 1 + rng.Intn(g.OH-oh0)
		nc := (oh1 - oh0) * g.OW
		ld := nc + rng.Intn(5)
		rows := c * g.KH * g.KW
		band := convRandom(rng, rows*ld) // garbage: the band must overwrite it
		im2colRows(g, c, x, band, ld, oh0, oh1)
		for r := 0; r < rows; r++ {
			for j := 0; j < nc; j++ {
				if got, want := band[r*ld+j], whole[r*g.OH*g.OW+oh0*g.OW+j]; got != want {
					t.Fatalf("%+v band [%d, %d): row %d col %d = %v, want %v", g, oh0, oh1, r, j, got, want)
				}
			}
		}
		cols := convRandom(rng, rows*ld)
		back := make([]float64, len(x))
		col2imRows(g, c, cols, ld, oh0, oh1, back)
		var dot float64
		for r := 0; r < rows; r++ {
			dot += convDot(band[r*ld:r*ld+nc], cols[r*ld:r*ld+nc])
		}
		convAssertNear(t, "band adjoint", dot, convDot(x, back))
	}
}

// TestConvNoAllocs: in the steady state the passes take their buffers from
// the free list; what a call still allocates (the plan, closures) is small
// and does not grow with the image.
// The smallest buffer here, a goroutine's filter sum, is 18 KiB.
func TestConvNoAllocs(t *testing.T) {
	for _, k := range []convKnobs{convKnobSets[0], convKnobSets[2]} {
		g := convBenchGeom(4, 16, 16, 32, 3, 1, 1)
		rng := rand.New(rand.NewSource(10))
		x, w, dy := convRandom(rng, g.N*g.C*g.H*g.W), convRandom(rng, g.K*g.C*9), convRandom(rng, g.N*g.K*g.OH*g.OW)
		y, dx, dw := make([]float64, len(dy)), make([]float64, len(x)), make([]float64, len(w))
		withKnobs(k, func() {
			run := func() {
				_ = Conv2D(g, x, w, y)
				_ = Conv2DInputGrad(g, w, dy, dx)
				_ = Conv2DFilterGrad(g, x, dy, dw)
			}
			run()
			// The free lists grow once more whenever the goroutines happen
			// to hold more buffers at once than ever before (a worker joining
			// a product mid-pass), so the quietest of three rounds counts:
			// a steady-state allocation shows in all three.
			least := uint64(math.MaxUint64)
			for range 3 {
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				for range 5 {
					run()
				}
				runtime.ReadMemStats(&after)
				least = min(least, (after.TotalAlloc-before.TotalAlloc)/15)
			}
			if least > 8192 {
				t.Errorf("%s: %d bytes allocated per pass", k.name, least)
			}
		})
	}
}
