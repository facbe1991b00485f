package kernels

import (
	"fmt"
	"math"
	"math/rand"
	"runtime"
	"testing"
)

// withProcs runs the test with GOMAXPROCS = p, so ParallelFor splits its
// loops (into uneven ranges too) even where the machine has one core.
func withProcs(t *testing.T, p int) {
	t.Helper()
	old := runtime.GOMAXPROCS(p)
	t.Cleanup(func() { runtime.GOMAXPROCS(old) })
}

// normLayouts are (N, C, inner) layouts: (N, C) rows and blocks shorter than
// shortBlock (swept element by element), odd block lengths that leave
// remainders after the multi-lane loops, and two large enough to be split
// across goroutines, one with long blocks and one with short.
var normLayouts = [][3]int{{5, 3, 1}, {64, 7, 1}, {3, 2, 7}, {2, 5, 13}, {4, 3, 1025}, {16, 6, 32 * 33}, {2048, 9, 3}}

// normData is offset + spread·N(0, 1) per element, as T.
func normData[T float32 | float64](size int, offset, spread float64, seed int64) []T {
	r := rand.New(rand.NewSource(seed))
	x := make([]T, size)
	for i := range x {
		x[i] = T(offset + spread*r.NormFloat64())
	}
	return x
}

// naiveMoments is the two-pass float64 reference, element by element.
func naiveMoments[T float32 | float64](x []T, n, c, inner int) (mean, variance []float64) {
	mean, variance = make([]float64, c), make([]float64, c)
	m := float64(n * inner)
	for j := 0; j < c; j++ {
		for i := 0; i < n; i++ {
			for _, v := range normBlock(x, i, j, c, inner) {
				mean[j] += float64(v)
			}
		}
		mean[j] /= m
		for i := 0; i < n; i++ {
			for _, v := range normBlock(x, i, j, c, inner) {
				d := float64(v) - mean[j]
				variance[j] += d * d
			}
		}
		variance[j] /= m
	}
	return mean, variance
}

func relClose(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*math.Max(math.Abs(want), 1e-300)
}

// TestMomentsOnePass: the one-pass shifted moments agree with the two-pass
// float64 reference to far below float32's rounding, in float32 data with a
// large offset and a small spread (1e4 + 0.01·noise: the textbook one-pass
// E[x²] − E[x]² loses every digit of that variance, even in float64) as well
// as centred data, whichever layout, split across goroutines or not.
func TestMomentsOnePass(t *testing.T) {
	withProcs(t, 3)
	for _, l := range normLayouts {
		n, c, inner := l[0], l[1], l[2]
		for _, d := range []struct{ offset, spread float64 }{{0, 1}, {1e4, 0.01}, {-3e5, 2}, {1e4, 1e4}} {
			t.Run(fmt.Sprintf("%dx%dx%d/%g+%g", n, c, inner, d.offset, d.spread), func(t *testing.T) {
				x32 := normData[float32](n*c*inner, d.offset, d.spread, int64(n+c+inner))
				x64 := make([]float64, len(x32))
				for i, v := range x32 {
					x64[i] = float64(v)
				}
				wantMean, wantVar := naiveMoments(x32, n, c, inner)
				for name, got := range map[string][2][]float64{
					"float32": pair(Moments(x32, n, c, inner)),
					"float64": pair(Moments(x64, n, c, inner)),
				} {
					for j := range wantMean {
						if !relClose(got[0][j], wantMean[j], 1e-12) || !relClose(got[1][j], wantVar[j], 1e-9) {
							t.Errorf("%s channel %d: mean %v, variance %v; want %v, %v", name, j, got[0][j], got[1][j], wantMean[j], wantVar[j])
						}
					}
				}
			})
		}
	}
}

func pair(a, b []float64) [2][]float64 { return [2][]float64{a, b} }

// TestMomentsConstant: a channel of equal values has variance exactly 0, not
// a tiny negative number from rounding.
func TestMomentsConstant(t *testing.T) {
	x := []float32{7, 7, 7, 0.1, 0.1, 0.1, 7, 7, 7, 0.1, 0.1, 0.1} // (2, 2, 3)
	mean, variance := Moments(x, 2, 2, 3)
	if mean[0] != 7 || variance[0] != 0 || mean[1] != float64(float32(0.1)) || variance[1] != 0 {
		t.Fatalf("mean %v, variance %v", mean, variance)
	}
}

// TestBatchNormKernels checks the forward, NormSums and both forms of the
// input gradient against their formulas evaluated element by element in
// float64, on data with an offset.
func TestBatchNormKernels(t *testing.T) {
	withProcs(t, 3)
	const eps = 1e-3
	for _, l := range normLayouts {
		n, c, inner := l[0], l[1], l[2]
		t.Run(fmt.Sprintf("%dx%dx%d", n, c, inner), func(t *testing.T) {
			size := n * c * inner
			x, dy := normData[float64](size, 50, 3, 1), normData[float64](size, 0.5, 1, 2)
			gamma, beta := normData[float64](c, 1, 0.5, 3), normData[float64](c, 0, 1, 4)
			mean, variance := naiveMoments(x, n, c, inner)
			m := float64(n * inner)
			sumDy, sumDyXhat := make([]float64, c), make([]float64, c)
			for b := 0; b < n*c; b++ {
				j := b % c
				for k := b * inner; k < (b+1)*inner; k++ {
					sumDy[j] += dy[k]
					sumDyXhat[j] += dy[k] * (x[k] - mean[j]) / math.Sqrt(variance[j]+eps)
				}
			}
			gotDy, gotDyXhat := NormSums(x, dy, false, nil, nil, mean, variance, eps, n, c, inner)
			for j := range sumDy {
				if !relClose(gotDy[j], sumDy[j], 1e-10) || !relClose(gotDyXhat[j], sumDyXhat[j], 1e-10) {
					t.Errorf("NormSums channel %d: %v, %v; want %v, %v", j, gotDy[j], gotDyXhat[j], sumDy[j], sumDyXhat[j])
				}
			}
			y, dxTrain, dxEval := make([]float64, size), make([]float64, size), make([]float64, size)
			BatchNorm(y, x, nil, gamma, beta, mean, variance, eps, false, n, c, inner)
			BatchNormInputGrad(dxTrain, x, dy, false, gamma, nil, mean, variance, eps, sumDy, sumDyXhat, n, c, inner)
			BatchNormInputGrad(dxEval, x, dy, false, gamma, nil, mean, variance, eps, nil, nil, n, c, inner)
			for b := 0; b < n*c; b++ {
				j := b % c
				sigma := math.Sqrt(variance[j] + eps)
				for k := b * inner; k < (b+1)*inner; k++ {
					xhat := (x[k] - mean[j]) / sigma
					checks := []struct {
						what      string
						got, want float64
					}{
						{"y", y[k], gamma[j]*xhat + beta[j]},
						{"dx (batch statistics)", dxTrain[k], gamma[j] / sigma * (dy[k] - sumDy[j]/m - xhat*sumDyXhat[j]/m)},
						{"dx (given statistics)", dxEval[k], gamma[j] / sigma * dy[k]},
					}
					for _, ch := range checks {
						if math.Abs(ch.got-ch.want) > 1e-12*math.Max(1, math.Abs(ch.want)) {
							t.Fatalf("%s[%d] = %v, want %v", ch.what, k, ch.got, ch.want)
						}
					}
				}
			}
		})
	}
}

// TestMomentGrad checks both statistics' gradients element by element.
func TestMomentGrad(t *testing.T) {
	withProcs(t, 3)
	n, c, inner := 16, 6, 32*33
	x, dy := normData[float32](n*c*inner, 5, 2, 1), normData[float32](c, 0, 1, 2)
	mean, _ := Moments(x, n, c, inner)
	dMean, dVar := make([]float32, len(x)), make([]float32, len(x))
	MomentGrad(dMean, x, dy, nil, false, n, c, inner)
	MomentGrad(dVar, x, dy, mean, true, n, c, inner)
	m := float64(n * inner)
	for k := range x {
		j := k / inner % c
		if want := float32(float64(dy[j]) / m); dMean[k] != want {
			t.Fatalf("dmean[%d] = %v, want %v", k, dMean[k], want)
		}
		if want := float32(2 * (float64(x[k]) - mean[j]) * float64(dy[j]) / m); dVar[k] != want {
			t.Fatalf("dvar[%d] = %v, want %v", k, dVar[k], want)
		}
	}
}

// TestLRNKernels: split across goroutines, the channel window sum and the
// affine power give what one goroutine does.
func TestLRNKernels(t *testing.T) {
	n, c, inner := 8, 9, 25*25
	x := normData[float32](n*c*inner, 1, 1, 1)
	one, split := make([]float32, len(x)), make([]float32, len(x))
	withProcs(t, 1)
	ChannelWindowSum(one, x, 2, 1, n, c, inner)
	runtime.GOMAXPROCS(3)
	ChannelWindowSum(split, x, 2, 1, n, c, inner)
	for k := range x {
		i, j, at := k/(c*inner), k/inner%c, k%inner
		var want float32
		for src := max(0, j-2); src <= min(c-1, j+1); src++ {
			want += x[(i*c+src)*inner+at]
		}
		if one[k] != want || split[k] != want {
			t.Fatalf("window sum [%d] = %v (1 goroutine), %v (split), want %v", k, one[k], split[k], want)
		}
	}
	AffinePow(split, x, 2, 1e-4, 1, -0.75)
	for k, v := range x {
		if want := 2 * math.Pow(1+1e-4*float64(v), -0.75); math.Abs(float64(split[k])-want) > 0x1p-24*want {
			t.Fatalf("affine pow [%d] = %v, want %v", k, split[k], want)
		}
	}
}

// quarterPow serves every exponent that is a whole number of quarters; it
// must agree with math.Pow to a few float64 ulps, far inside float32
// rounding, on LRN's range of bases and at the edges.
func TestQuarterPow(t *testing.T) {
	for n := -maxQuarters; n <= maxQuarters; n++ {
		for _, b := range []float64{1, 1.0001, 1.5, 2, 3.7, 123.4, 1e-3, 1e6} {
			got, want := quarterPow(b, n), math.Pow(b, float64(n)/4)
			if math.Abs(got-want) > 1e-14*want {
				t.Errorf("%v^(%d/4) = %v, math.Pow %v", b, n, got, want)
			}
		}
	}
	if got := quarterPow(0, -3); !math.IsInf(got, 1) {
		t.Errorf("0^-0.75 = %v, want +Inf", got)
	}
	if got := quarterPow(0, 3); got != 0 {
		t.Errorf("0^0.75 = %v, want 0", got)
	}
	if got := quarterPow(-1, -3); !math.IsNaN(got) {
		t.Errorf("(-1)^-0.75 = %v, want NaN", got)
	}
	// AffinePow leaves bases that are not positive to math.Pow (whole
	// exponents of negative bases, zeros), and agrees with it elsewhere.
	x := []float64{-3, -1, 0, 2, 1e-3}
	for _, p := range []float64{1, 2, -0.75, -1, 3} {
		y := make([]float64, len(x))
		AffinePow(y, x, 1, 1, 0, p)
		for i, v := range x {
			want := math.Pow(v, p)
			if v > 0 && math.Abs(y[i]-want) <= 1e-14*want || y[i] == want || math.IsNaN(y[i]) && math.IsNaN(want) {
				continue
			}
			t.Errorf("AffinePow(%v)^%v = %v, math.Pow %v", v, p, y[i], want)
		}
	}
}

// TestReLUGateMatchesOutput: the fused ReLU's gate, recomputed from x, is
// the mask the fused output gives: NormSums and BatchNormInputGrad with
// relu equal, bit for bit, the plain passes on dy gated by ReLUGrad of the
// fused output, in both dtypes, long and short blocks, with zeros and a
// NaN in x.
func TestReLUGateMatchesOutput(t *testing.T) {
	testReLUGate[float32](t)
	testReLUGate[float64](t)
}

func testReLUGate[T float32 | float64](t *testing.T) {
	for _, l := range [][3]int{{3, 4, 37}, {2, 5, 3}, {4, 3, 16}} {
		n, c, inner := l[0], l[1], l[2]
		size := n * c * inner
		x, dy := normData[T](size, 0, 1, 5), normData[T](size, 0, 1, 6)
		gamma, beta := normData[T](c, 1, 0.5, 7), normData[T](c, 0, 1, 8)
		beta[0] = 0
		x[0], x[1], x[7] = 0, T(math.Copysign(0, -1)), T(math.NaN())
		mean, variance := Moments(x[8:], 1, 1, size-8) // any statistics will do
		means, vars := make([]float64, c), make([]float64, c)
		for j := range means {
			means[j], vars[j] = mean[0]+0.1*float64(j), variance[0]+float64(j)
		}
		mean, variance = means, vars
		mean[0] = 0 // x = 0 maps to exactly 0 in channel 0
		const eps = 1e-3
		y := make([]T, size)
		BatchNorm(y, x, nil, gamma, beta, mean, variance, eps, true, n, c, inner)
		gated := make([]T, size)
		ReLUGrad(gated, y, dy)
		wantDy, wantDyXhat := NormSums(x, gated, false, nil, nil, mean, variance, eps, n, c, inner)
		gotDy, gotDyXhat := NormSums(x, dy, true, gamma, beta, mean, variance, eps, n, c, inner)
		for j := range wantDy {
			if gotDy[j] != wantDy[j] && !(math.IsNaN(gotDy[j]) && math.IsNaN(wantDy[j])) ||
				gotDyXhat[j] != wantDyXhat[j] && !(math.IsNaN(gotDyXhat[j]) && math.IsNaN(wantDyXhat[j])) {
				t.Fatalf("%v NormSums channel %d: %v, %v; want %v, %v", l, j, gotDy[j], gotDyXhat[j], wantDy[j], wantDyXhat[j])
			}
		}
		want, got := make([]T, size), make([]T, size)
		BatchNormInputGrad(want, x, gated, false, gamma, nil, mean, variance, eps, wantDy, wantDyXhat, n, c, inner)
		BatchNormInputGrad(got, x, dy, true, gamma, beta, mean, variance, eps, wantDy, wantDyXhat, n, c, inner)
		for i := range want {
			if got[i] != want[i] && !(got[i] != got[i] && want[i] != want[i]) {
				t.Fatalf("%v BatchNormInputGrad [%d] = %v, want %v", l, i, got[i], want[i])
			}
		}
	}
}
