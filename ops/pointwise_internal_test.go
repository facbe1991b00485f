package ops

import (
	"math"
	"testing"

	"github.com/convgraph/convgraph/ops/internal/kernels"
)

// TestPointwiseFastMatchesTable: every specialized kernel of the pointwise
// table computes bit for bit what the entry's f and df compute through the
// generic kernels, on special values (signed zeros, infinities, NaNs,
// subnormals) and ordinary ones, for every (x, dy) pair, in both dtypes.
func TestPointwiseFastMatchesTable(t *testing.T) {
	vals := []float64{0, math.Copysign(0, -1), 1, -1, 0.5, -3.25, 1e-45, -1e-45, 5e-324,
		math.Inf(1), math.Inf(-1), math.NaN(), math.Copysign(math.NaN(), -1), math.MaxFloat32, -math.MaxFloat32}
	var xs, dys []float64
	for _, x := range vals {
		for _, dy := range vals {
			xs, dys = append(xs, x), append(dys, dy)
		}
	}
	same := func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) || a != a && b != b }
	for name, u := range pointwise {
		if u.fast == nil {
			continue
		}
		t.Run(name, func(t *testing.T) {
			n := len(xs)
			y, want, dx, wantDx := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
			u.fast.f64(y, xs)
			kernels.Map(want, xs, u.f)
			u.fast.df64(dx, xs, y, dys)
			kernels.MapGrad(wantDx, xs, want, dys, u.df)
			x32, dy32 := make([]float32, n), make([]float32, n)
			for i := range xs {
				x32[i], dy32[i] = float32(xs[i]), float32(dys[i])
			}
			y32, want32, dx32, wantDx32 := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
			u.fast.f32(y32, x32)
			kernels.Map(want32, x32, u.f)
			u.fast.df32(dx32, x32, y32, dy32)
			kernels.MapGrad(wantDx32, x32, want32, dy32, u.df)
			for i := range xs {
				if !same(y[i], want[i]) || !same(dx[i], wantDx[i]) {
					t.Errorf("float64 x=%v dy=%v: f %v, df·dy %v; want %v, %v", xs[i], dys[i], y[i], dx[i], want[i], wantDx[i])
				}
				if !same(float64(y32[i]), float64(want32[i])) || !same(float64(dx32[i]), float64(wantDx32[i])) {
					t.Errorf("float32 x=%v dy=%v: f %v, df·dy %v; want %v, %v", x32[i], dy32[i], y32[i], dx32[i], want32[i], wantDx32[i])
				}
			}
		})
	}
}
