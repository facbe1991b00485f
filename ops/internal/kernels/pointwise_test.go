package kernels

import (
	"math"
	"testing"
)

// specials are the values where a fast kernel could part from the generic
// formula: signed zeros, infinities, NaNs of either sign, subnormals.
var specials = []float64{0, math.Copysign(0, -1), 1, -1, 2.5, -2.5, math.Inf(1), math.Inf(-1),
	math.NaN(), math.Copysign(math.NaN(), -1), 1e-45, -1e-45, 5e-324, -5e-324, math.MaxFloat32, -math.MaxFloat32}

// sameBits is bitwise equality, NaNs of any payload counting as equal.
func sameBits(a, b float64) bool {
	return math.Float64bits(a) == math.Float64bits(b) || a != a && b != b
}

// TestReLUMatchesGeneric: ReLU and ReLUGrad give bit for bit what Map and
// MapGrad give with relu's own formulas, math.Max(x, 0) and step(x)·dy,
// for every pair of special values, in both dtypes, split or not.
func TestReLUMatchesGeneric(t *testing.T) {
	withProcs(t, 3)
	f := func(x float64) float64 { return math.Max(x, 0) }
	df := func(x, _ float64) float64 {
		if x > 0 {
			return 1
		}
		return 0
	}
	var xs, dys []float64
	for _, x := range specials {
		for _, dy := range specials {
			xs, dys = append(xs, x), append(dys, dy)
		}
	}
	for len(xs) < 1<<16 { // large enough to be split across goroutines
		xs, dys = append(xs, xs...), append(dys, dys...)
	}
	check := func(name string, got, want []float64) {
		t.Helper()
		for i := range want {
			if !sameBits(got[i], want[i]) {
				t.Fatalf("%s(x=%v, dy=%v) = %v, want %v", name, xs[i], dys[i], got[i], want[i])
			}
		}
	}
	n := len(xs)
	y, want, dx, wantDx := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	ReLU(y, xs)
	Map(want, xs, f)
	check("relu", y, want)
	ReLUGrad(dx, xs, dys)
	MapGrad(wantDx, xs, y, dys, df)
	check("relu'", dx, wantDx)

	x32, dy32 := make([]float32, n), make([]float32, n)
	for i := range xs {
		x32[i], dy32[i] = float32(xs[i]), float32(dys[i])
	}
	y32, want32, dx32, wantDx32 := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
	ReLU(y32, x32)
	Map(want32, x32, f)
	check("relu32", widen(y32), widen(want32))
	ReLUGrad(dx32, x32, dy32)
	MapGrad(wantDx32, x32, y32, dy32, df)
	check("relu32'", widen(dx32), widen(wantDx32))
}

func widen(s []float32) []float64 {
	w := make([]float64, len(s))
	for i, v := range s {
		w[i] = float64(v)
	}
	return w
}
