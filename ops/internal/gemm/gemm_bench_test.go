package gemm

import (
	"fmt"
	"testing"
)

// benchShapes are square sizes and the ResNet-20 convolutions as im2col
// GEMMs (m = out channels, k = in channels·3·3, n = pixels), then the GEMMs
// ResNet-20's 3×3 convolutions issue per image in each stage (16 channels at
// 32×32, 32 at 16×16, 64 at 8×8), named kind-m×n×k (C = A·B, m×k times k×n,
// row-major, beta 0), as examples/benchmark/peers/sgemm_openblas.c names
// them:
//
//	rows    forward lowered by rows: m = K, n = OH·OW, k = 3·C (one of 3 products)
//	im2col  forward on the whole col matrix: m = K, n = OH·OW, k = 9·C
//	wgrad   filter gradient dy·zᵀ, B transposed: m = K, n = 3·C, k = OH·OW
//	xgrad   input gradient Wᵀ·dy: m = 9·C, n = OH·OW, k = K
//	wino    a Winograd product U[ξ]·V[ξ] of an item: m = K, n = tiles, k = C
//	winowgrad  its filter gradient dM[ξ]·V[ξ]ᵀ: m = K, n = C, k = tiles
//
// (the Winograd items as the kernels cut them: F(4×4, 3×3) on 3 images of 64
// tiles at 32×32, F(2×2, 3×3) on 4 images of 64 at 16×16 and 8 of 16 at 8×8).
var benchShapes = []struct {
	name    string
	m, n, k int
	transB  bool
}{
	{"256", 256, 256, 256, false},
	{"1024", 1024, 1024, 1024, false},
	{"conv16x32x32", 16, 1024, 144, false}, // 3×3 16→16 at 32×32, one image
	{"conv16x32x32b8", 16, 8 * 1024, 144, false},
	{"conv64x8x8", 64, 64, 576, false}, // 3×3 64→64 at 8×8, one image
	{"rows-16x1024x48", 16, 1024, 48, false},
	{"rows-32x256x96", 32, 256, 96, false},
	{"rows-64x64x192", 64, 64, 192, false},
	{"im2col-16x1024x144", 16, 1024, 144, false},
	{"im2col-32x256x288", 32, 256, 288, false},
	{"im2col-64x64x576", 64, 64, 576, false},
	{"wgrad-16x48x1024", 16, 48, 1024, true},
	{"wgrad-32x96x256", 32, 96, 256, true},
	{"wgrad-64x192x64", 64, 192, 64, true},
	{"xgrad-144x1024x16", 144, 1024, 16, false},
	{"xgrad-288x256x32", 288, 256, 32, false},
	{"xgrad-576x64x64", 576, 64, 64, false},
	{"wino-16x192x16", 16, 192, 16, false},
	{"wino-32x256x32", 32, 256, 32, false},
	{"wino-64x128x64", 64, 128, 64, false},
	{"winowgrad-16x16x192", 16, 16, 192, true},
	{"winowgrad-32x32x256", 32, 32, 256, true},
	{"winowgrad-64x64x128", 64, 64, 128, true},
}

// BenchmarkSgemm reports GFLOP/s for each shape, kernel and thread count:
//
//	go test -bench Sgemm -run XXX ./ops/internal/gemm/
//	go test -bench 'Sgemm/(rows|im2col|wgrad|xgrad)-.*/avx512/' -run XXX ./ops/internal/gemm/
//
// The transposed-B shapes also run as DotNT (kernel "dotnt", one goroutine:
// its callers split their work themselves), which the filter gradient uses
// on the shapes where it beat Gemm.
func BenchmarkSgemm(b *testing.B) {
	for _, s := range benchShapes {
		for _, kern := range Kernels() {
			for _, th := range []int{1, 2} {
				b.Run(fmt.Sprintf("%s/%s/t%d", s.name, kern, th), func(b *testing.B) {
					benchGemm[float32](b, kern, th, s.m, s.n, s.k, s.transB)
				})
			}
		}
		if s.transB && kernelFor[float32]().dotNT4x4 != nil {
			b.Run(fmt.Sprintf("%s/dotnt/t1", s.name), func(b *testing.B) { benchDotNT(b, s.m, s.n, s.k) })
		}
	}
}

// benchDotNT times C += A·Bᵀ (m×k times (n×k)ᵀ) by DotNT.
func benchDotNT(b *testing.B, m, n, k int) {
	x, y, z := make([]float32, m*k), make([]float32, n*k), make([]float32, m*n)
	for i := range x {
		x[i] = float32(i%7) - 3
	}
	for i := range y {
		y[i] = float32(i%5) - 2
	}
	for b.Loop() {
		DotNT(m, n, k, x, k, y, k, z, n)
	}
	b.ReportMetric(2*float64(m)*float64(n)*float64(k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// BenchmarkDgemm is BenchmarkSgemm in float64, square sizes only.
func BenchmarkDgemm(b *testing.B) {
	for _, s := range benchShapes[:2] {
		for _, kern := range Kernels() {
			for _, th := range []int{1, 2} {
				b.Run(fmt.Sprintf("%s/%s/t%d", s.name, kern, th), func(b *testing.B) {
					benchGemm[float64](b, kern, th, s.m, s.n, s.k, s.transB)
				})
			}
		}
	}
}

// benchGemm times C = A·B (m×k times k×n); with transB, B is stored n×k.
func benchGemm[T float32 | float64](b *testing.B, kern string, th, m, n, k int, transB bool) {
	restore, err := Use(kern)
	if err != nil {
		b.Fatal(err)
	}
	defer restore()
	defer SetThreads(SetThreads(th))
	x, y, z := make([]T, m*k), make([]T, k*n), make([]T, m*n)
	for i := range x {
		x[i] = T(i%7) - 3
	}
	for i := range y {
		y[i] = T(i%5) - 2
	}
	ldb := n
	if transB {
		ldb = k
	}
	Gemm(false, transB, m, n, k, 1, x, k, y, ldb, 0, z, n) // warm the buffers
	b.ResetTimer()
	for b.Loop() {
		Gemm(false, transB, m, n, k, 1, x, k, y, ldb, 0, z, n)
	}
	b.ReportMetric(2*float64(m)*float64(n)*float64(k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}
