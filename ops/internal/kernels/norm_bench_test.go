package kernels

import (
	"math/rand"
	"testing"
)

// ResNet-20's first stage: batch 128, 16 channels of 32×32.
const normBenchN, normBenchC, normBenchInner = 128, 16, 1024

func normBenchData(seed int64) []float32 {
	r := rand.New(rand.NewSource(seed))
	x := make([]float32, normBenchN*normBenchC*normBenchInner)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	return x
}

func BenchmarkMoments(b *testing.B) {
	x := normBenchData(1)
	mean, variance := make([]float64, normBenchC), make([]float64, normBenchC)
	b.SetBytes(int64(4 * len(x)))
	for b.Loop() {
		MomentsInto(mean, variance, x, normBenchN, normBenchC, normBenchInner)
	}
}

func BenchmarkBatchNorm(b *testing.B) {
	x, y := normBenchData(1), make([]float32, normBenchN*normBenchC*normBenchInner)
	gamma, beta := make([]float32, normBenchC), make([]float32, normBenchC)
	mean, variance := Moments(x, normBenchN, normBenchC, normBenchInner)
	b.SetBytes(int64(4 * len(x)))
	for b.Loop() {
		BatchNorm(y, x, nil, gamma, beta, mean, variance, 1e-5, false, normBenchN, normBenchC, normBenchInner)
	}
}

func BenchmarkNormSums(b *testing.B) {
	x, dy := normBenchData(1), normBenchData(2)
	mean, variance := Moments(x, normBenchN, normBenchC, normBenchInner)
	b.SetBytes(int64(4 * len(x)))
	for b.Loop() {
		NormSums(x, dy, false, nil, nil, mean, variance, 1e-5, normBenchN, normBenchC, normBenchInner)
	}
}

func BenchmarkBatchNormInputGrad(b *testing.B) {
	x, dy, dx := normBenchData(1), normBenchData(2), make([]float32, normBenchN*normBenchC*normBenchInner)
	gamma := make([]float32, normBenchC)
	mean, variance := Moments(x, normBenchN, normBenchC, normBenchInner)
	s1, s2 := NormSums(x, dy, false, nil, nil, mean, variance, 1e-5, normBenchN, normBenchC, normBenchInner)
	b.SetBytes(int64(4 * len(x)))
	for b.Loop() {
		BatchNormInputGrad(dx, x, dy, false, gamma, nil, mean, variance, 1e-5, s1, s2, normBenchN, normBenchC, normBenchInner)
	}
}

func BenchmarkReLU(b *testing.B) {
	x, y := normBenchData(1), make([]float32, normBenchN*normBenchC*normBenchInner)
	b.SetBytes(int64(4 * len(x)))
	for b.Loop() {
		ReLU(y, x)
	}
}

func BenchmarkReLUGrad(b *testing.B) {
	x, dy, dx := normBenchData(1), normBenchData(2), make([]float32, normBenchN*normBenchC*normBenchInner)
	b.SetBytes(int64(4 * len(x)))
	for b.Loop() {
		ReLUGrad(dx, x, dy)
	}
}

func BenchmarkAdd(b *testing.B) {
	x, dy, dx := normBenchData(1), normBenchData(2), make([]float32, normBenchN*normBenchC*normBenchInner)
	b.SetBytes(int64(4 * len(x)))
	for b.Loop() {
		Add(dx, x, dy)
	}
}
