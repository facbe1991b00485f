package gemm

import (
	"fmt"
	"testing"
)

// benchShapes are square sizes and the ResNet-20 convolutions as im2col
// GEMMs (m = out channels, k = in channels·3·3, n = pixels).
var benchShapes = []struct {
	name    string
	m, n, k int
}{
	{"256", 256, 256, 256},
	{"1024", 1024, 1024, 1024},
	{"conv16x32x32", 16, 1024, 144}, // 3×3 16→16 at 32×32, one image
	{"conv16x32x32b8", 16, 8 * 1024, 144},
	{"conv64x8x8", 64, 64, 576}, // 3×3 64→64 at 8×8, one image
}

// BenchmarkSgemm reports GFLOP/s for each shape, kernel and thread count:
//
//	go test -bench Sgemm -run XXX ./ops/internal/gemm/
func BenchmarkSgemm(b *testing.B) {
	for _, s := range benchShapes {
		for _, kern := range Kernels() {
			for _, th := range []int{1, 2} {
				b.Run(fmt.Sprintf("%s/%s/t%d", s.name, kern, th), func(b *testing.B) {
					benchGemm[float32](b, kern, th, s.m, s.n, s.k)
				})
			}
		}
	}
}

// BenchmarkDgemm is BenchmarkSgemm in float64, square sizes only.
func BenchmarkDgemm(b *testing.B) {
	for _, s := range benchShapes[:2] {
		for _, kern := range Kernels() {
			for _, th := range []int{1, 2} {
				b.Run(fmt.Sprintf("%s/%s/t%d", s.name, kern, th), func(b *testing.B) {
					benchGemm[float64](b, kern, th, s.m, s.n, s.k)
				})
			}
		}
	}
}

func benchGemm[T float32 | float64](b *testing.B, kern string, th, m, n, k int) {
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
	Gemm(false, false, m, n, k, 1, x, k, y, n, 0, z, n) // warm the buffers
	b.ResetTimer()
	for b.Loop() {
		Gemm(false, false, m, n, k, 1, x, k, y, n, 0, z, n)
	}
	b.ReportMetric(2*float64(m)*float64(n)*float64(k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}
