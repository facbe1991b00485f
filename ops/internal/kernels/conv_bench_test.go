package kernels

import (
	"math/rand"
	"runtime"
	"testing"

	"github.com/convgraph/convgraph/ops/internal/gemm"
)

// convBenchShapes are the convolutions of the benchmarked models at their
// benchmark batch sizes: ResNet-20 (CIFAR, 128), LeNet-5 (64) and the zoo's
// one-tower AlexNet (227², 16).
var convBenchShapes = []struct {
	name string
	g    ConvGeom
}{
	{"resnet20/3-16x32", convBenchGeom(128, 3, 16, 32, 3, 1, 1)},
	{"resnet20/16-16x32", convBenchGeom(128, 16, 16, 32, 3, 1, 1)},
	{"resnet20/16-32x32s2", convBenchGeom(128, 16, 32, 32, 3, 2, 1)},
	{"resnet20/32-32x16", convBenchGeom(128, 32, 32, 16, 3, 1, 1)},
	{"resnet20/32-64x16s2", convBenchGeom(128, 32, 64, 16, 3, 2, 1)},
	{"resnet20/64-64x8", convBenchGeom(128, 64, 64, 8, 3, 1, 1)},
	{"lenet5/1-6x28", convBenchGeom(64, 1, 6, 28, 5, 1, 2)},
	{"lenet5/6-16x14", convBenchGeom(64, 6, 16, 14, 5, 1, 0)},
	{"alexnet/3-96x227", convBenchGeom(16, 3, 96, 227, 11, 4, 0)},
	{"alexnet/96-256x27", convBenchGeom(16, 96, 256, 27, 5, 1, 2)},
	{"alexnet/256-384x13", convBenchGeom(16, 256, 384, 13, 3, 1, 1)},
	{"alexnet/384-384x13", convBenchGeom(16, 384, 384, 13, 3, 1, 1)},
	{"alexnet/384-256x13", convBenchGeom(16, 384, 256, 13, 3, 1, 1)},
}

// convBenchGeom is a square k×k convolution with stride s and padding p on
// every side.
func convBenchGeom(n, c, k, h, kk, s, p int) ConvGeom {
	o := (h+2*p-kk)/s + 1
	return ConvGeom{N: n, C: c, H: h, W: h, K: k, KH: kk, KW: kk, OH: o, OW: o, SH: s, SW: s, PadTop: p, PadLeft: p, DH: 1, DW: 1, G: 1}
}

// BenchmarkConv runs the three passes on every shape, in float32, reporting
// GFLOP/s (2 flops per multiply-add of the direct definition); the shapes
// that run by Winograd run without it too ("-direct"), and those run by
// F(4×4, 3×3) by F(2×2, 3×3) too ("-f2").
//
//	go test -run XXX -bench Conv ./ops/internal/kernels/
func BenchmarkConv(b *testing.B) {
	defer gemm.SetThreads(gemm.SetThreads(runtime.GOMAXPROCS(0))) // -cpu sets GOMAXPROCS
	rng := rand.New(rand.NewSource(1))
	rnd := func(n int) []float32 {
		s := make([]float32, n)
		for i := range s {
			s[i] = float32(rng.NormFloat64())
		}
		return s
	}
	for _, sh := range convBenchShapes {
		b.Run(sh.name, func(b *testing.B) {
			g := sh.g
			x := rnd(g.N * g.C * g.H * g.W)
			w := rnd(g.K * g.C / g.G * g.KH * g.KW)
			y := rnd(g.N * g.K * g.OH * g.OW)
			flops := 2 * float64(g.N*g.K*g.OH*g.OW) * float64(g.C/g.G*g.KH*g.KW)
			for _, pass := range []struct {
				name string
				run  func() error
			}{
				{"fwd", func() error { return Conv2D(g, x, w, y) }},
				{"data", func() error { return Conv2DInputGrad(g, w, y, x) }},
				{"filter", func() error { return Conv2DFilterGrad(g, x, y, w) }},
			} {
				for _, algo := range convBenchAlgos(g) {
					b.Run(pass.name+algo.name, func(b *testing.B) {
						defer algo.set()()
						if err := pass.run(); err != nil { // warm the buffers
							b.Fatal(err)
						}
						b.ResetTimer()
						for i := 0; i < b.N; i++ {
							if err := pass.run(); err != nil {
								b.Fatal(err)
							}
						}
						b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
					})
				}
			}
		})
	}
}

// convBenchAlgo is a way to run a pass: set switches it on and returns
// what restores the default.
type convBenchAlgo struct {
	name string
	set  func() (restore func())
}

// convBenchAlgos are the default passes and, where they would run by
// Winograd, the direct ones too.
func convBenchAlgos(g ConvGeom) []convBenchAlgo {
	algos := []convBenchAlgo{{"", func() func() { return func() {} }}}
	if wg, ok := newWinoGeom(g); ok && wg.alg == &wino4 {
		algos = append(algos, convBenchAlgo{"-f2", func() func() {
			m4 := wino4MinSide
			wino4MinSide = 1 << 30
			return func() { wino4MinSide = m4 }
		}})
	}
	if _, ok := newWinoGeom(g); ok {
		algos = append(algos, convBenchAlgo{"-direct", func() func() {
			on := winograd
			winograd = func() bool { return false }
			return func() { winograd = on }
		}})
	}
	return algos
}
