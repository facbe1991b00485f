package kernels

import (
	"fmt"
	"math"
	"math/rand"
	"os"
	"testing"
)

// KERNELS_NOAVX512=1 runs the whole package on the Go loops.
func init() {
	if os.Getenv("KERNELS_NOAVX512") != "" {
		useAVX512, useWinoAsm = false, false
	}
}

// vecLengths cover empty input, a lone masked tail, one full vector with and
// without a tail, the 32-value loops' remainders, and long runs.
var vecLengths = []int{0, 1, 7, 15, 16, 17, 31, 33, 1000, 1024 + 5}

// vecSpecials are the float32 values a vector kernel could get wrong: signed
// zeros, infinities, quiet and signalling NaNs of either sign with payloads,
// subnormals, the extremes, and values that round differently once scaled.
var vecSpecials = []uint32{
	0x00000000, 0x80000000, 0x7f800000, 0xff800000,
	0x7fc00000, 0xffc00000, 0x7fc12345, 0xffc54321, // quiet NaNs
	0x7f800001, 0xff800001, 0x7fa00005, 0xffa00005, // signalling NaNs
	0x00000001, 0x80000001, 0x007fffff, 0x807fffff, // subnormals
	0x7f7fffff, 0xff7fffff, 0x3f800000, 0xbf800000, 0x3f800001, 0x33800000,
}

func requireAVX512(t testing.TB) {
	t.Helper()
	if !useAVX512 {
		t.Skip("no AVX-512 on this CPU (or forced off): only the Go loops run")
	}
}

// requireUnfused skips the bit-for-bit checks of the affine kernels where
// the compiler fuses x·y + z (GOAMD64=v3 and up): the Go loops then round
// once where the kernels, mirroring the default v1 code, round twice.
func requireUnfused(t testing.TB) {
	t.Helper()
	if goFuses() {
		t.Skip("the compiler fuses a·x + b (GOAMD64 ≥ v3): the Go loops round differently from the kernels")
	}
}

// goFuses reports whether the compiler fuses x·y + z.
func goFuses() bool {
	return mulAdd(1+0x1p-30, 1+0x1p-30, -1) != 0x1p-29 // fused: 0x1p-29 + 0x1p-60
}

//go:noinline
func mulAdd(x, y, z float64) float64 { return x*y + z }

// vecData is offset + spread·N(0, 1), with every fourth value a special
// when specials is set.
func vecData(n int, offset, spread float64, specials bool, seed int64) []float32 {
	r := rand.New(rand.NewSource(seed))
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(offset + spread*r.NormFloat64())
		if specials && r.Intn(4) == 0 {
			x[i] = math.Float32frombits(vecSpecials[r.Intn(len(vecSpecials))])
		}
	}
	return x
}

// guarded returns a slice of n values at an odd offset inside a larger
// buffer filled with a marker, and a check that nothing outside the slice
// changed: the masked tails must not write past n.
func guarded(t *testing.T, n int) ([]float32, func()) {
	buf := make([]float32, n+40)
	for i := range buf {
		buf[i] = -12345
	}
	s := buf[3 : 3+n : 3+n]
	return s, func() {
		t.Helper()
		for i, v := range buf {
			if (i < 3 || i >= 3+n) && v != -12345 {
				t.Fatalf("n=%d: wrote outside the slice at %d", n, i-3)
			}
		}
	}
}

func sameBits32(t *testing.T, what string, got, want, in []float32) {
	t.Helper()
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("%s n=%d [%d] (x=%#08x): got %#08x, want %#08x", what, len(want), i,
				math.Float32bits(in[i]), math.Float32bits(got[i]), math.Float32bits(want[i]))
		}
	}
}

// vecCoefs are (a, b, c) triples, ordinary ones and the specials that a
// batch norm on degenerate data produces.
var vecCoefs = [][3]float64{
	{1.7, -0.3, 0.25}, {-3e3, 1e4, -2e-3}, {1e-30, 1e30, 1}, {0, math.Copysign(0, -1), 0},
	{math.Inf(1), 2, -1}, {1, math.NaN(), 0}, {0.5, 0.5, math.Inf(-1)},
}

func TestVecAffine(t *testing.T) {
	requireAVX512(t)
	requireUnfused(t)
	for _, n := range vecLengths {
		for i, k := range vecCoefs {
			x := vecData(n, 0, 3, true, int64(n+i))
			got, check := guarded(t, n)
			want := make([]float32, n)
			affineVec(got, x, k[0], k[1])
			affineGo(want, x, k[0], k[1])
			check()
			sameBits32(t, fmt.Sprintf("affine%v", k), got, want, x)

			// In place, as BatchNorm may run with y = x.
			inPlace := append([]float32(nil), x...)
			affineVec(inPlace, inPlace, k[0], k[1])
			sameBits32(t, "affine in place", inPlace, want, x)

			// scale: a·g + (−0) must be a·g exactly.
			affineVec(got, x, k[0], math.Copysign(0, -1))
			scaleGo(want, x, k[0])
			sameBits32(t, fmt.Sprintf("scale %v", k[0]), got, want, x)
		}
	}
}

func TestVecAffine2(t *testing.T) {
	requireAVX512(t)
	requireUnfused(t)
	for _, n := range vecLengths {
		for i, k := range vecCoefs {
			dy, x := vecData(n, 0.5, 1, true, int64(2*n+i)), vecData(n, 50, 3, true, int64(3*n+i))
			got, check := guarded(t, n)
			want := make([]float32, n)
			affine2Vec(got, dy, x, k[0], k[1], k[2])
			affine2Go(want, dy, x, k[0], k[1], k[2])
			check()
			sameBits32(t, fmt.Sprintf("affine2%v", k), got, want, dy)
		}
	}
}

func TestVecReLU(t *testing.T) {
	requireAVX512(t)
	for _, n := range vecLengths {
		x := vecData(n, 0, 1, true, int64(n))
		got, check := guarded(t, n)
		want := make([]float32, n)
		reluVec(got, x)
		reluGo(want, x)
		check()
		sameBits32(t, "relu", got, want, x)
	}
	// Every special, in every lane position of a full vector and a tail.
	x := make([]float32, 0, 16*len(vecSpecials)+5)
	for i := 0; i < cap(x); i++ {
		x = append(x, math.Float32frombits(vecSpecials[i%len(vecSpecials)]))
	}
	got, want := make([]float32, len(x)), make([]float32, len(x))
	reluVec(got, x)
	reluGo(want, x)
	sameBits32(t, "relu specials", got, want, x)
}

// TestVecAdd checks the sum kernel in place (y += r), as the residual
// block's end uses it, against the Go loop.
func TestVecAdd(t *testing.T) {
	requireAVX512(t)
	for _, n := range vecLengths {
		y, r := vecData(n, 0, 1, true, int64(n)), vecData(n, 0, 1, true, int64(n+1))
		got, check := guarded(t, n)
		copy(got, y)
		want := append([]float32(nil), y...)
		sumVec(got, got, r)
		sumGo(want, want, r)
		check()
		sameBits32(t, "add", got, want, y)
	}
	// Every special against every special, in every lane position.
	var y, r []float32
	for i := range vecSpecials {
		for j := range vecSpecials {
			y = append(y, math.Float32frombits(vecSpecials[i]))
			r = append(r, math.Float32frombits(vecSpecials[j]))
		}
	}
	got, want := append([]float32(nil), y...), append([]float32(nil), y...)
	sumVec(got, got, r)
	sumGo(want, want, r)
	sameBits32(t, "add specials", got, want, y)
}

// TestSum32 checks y = a + b against sumGo, the vector kernel alone and
// split across goroutines, including in place (y = a).
func TestSum32(t *testing.T) {
	for _, n := range append(vecLengths, 1<<16+5) {
		a, b := vecData(n, 0, 1, true, int64(n)), vecData(n, 0, 1, true, int64(n+1))
		want := make([]float32, n)
		sumGo(want, a, b)
		if useAVX512 {
			got, check := guarded(t, n)
			sumVec(got, a, b)
			check()
			sameBits32(t, "sum", got, want, a)
		}
		got, check := guarded(t, n)
		Sum32(got, a, b)
		check()
		sameBits32(t, "Sum32", got, want, a)
		Sum32(a, a, b)
		sameBits32(t, "Sum32 in place", a, want, b)
	}
}

func TestVecReLUGrad(t *testing.T) {
	requireAVX512(t)
	for _, n := range vecLengths {
		x, dy := vecData(n, 0, 1, true, int64(n)), vecData(n, 0, 1, true, int64(n+1))
		got, check := guarded(t, n)
		want := make([]float32, n)
		reluGradVec(got, x, dy)
		reluGrad32Go(want, x, dy)
		check()
		sameBits32(t, "relu'", got, want, x)
	}
	// Every pair of specials.
	var x, dy []float32
	for _, a := range vecSpecials {
		for _, b := range vecSpecials {
			x, dy = append(x, math.Float32frombits(a)), append(dy, math.Float32frombits(b))
		}
	}
	got, want := make([]float32, len(x)), make([]float32, len(x))
	reluGradVec(got, x, dy)
	reluGrad32Go(want, x, dy)
	sameBits32(t, "relu' specials", got, want, x)
}

// closeSum: got and want agree to tol times mag, the sum of the terms'
// magnitudes (the scale of the rounding of any summation order), or are
// the same non-finite value.
func closeSum(got, want, mag, tol float64) bool {
	if math.IsNaN(want) || math.IsInf(want, 0) {
		return got == want || math.IsNaN(got) && math.IsNaN(want)
	}
	return math.Abs(got-want) <= tol*mag
}

func TestVecShiftedSums(t *testing.T) {
	requireAVX512(t)
	for _, n := range vecLengths {
		for _, d := range []struct{ offset, spread float64 }{{0, 1}, {1e4, 1}, {1e4, 0.01}, {-3e5, 2}} {
			x := vecData(n, d.offset, d.spread, false, int64(n))
			k := d.offset
			if n > 0 {
				k = float64(x[0])
			}
			var mag1, mag2 float64
			for _, v := range x {
				mag1 += math.Abs(float64(v) - k)
				mag2 += (float64(v) - k) * (float64(v) - k)
			}
			s, q := shiftedSumsVec(x, k)
			ws, wq := shiftedSumsGo(x, k)
			if !closeSum(s, ws, mag1, 1e-12) || !closeSum(q, wq, mag2, 1e-12) {
				t.Errorf("n=%d %+v: got %v, %v; want %v, %v", n, d, s, q, ws, wq)
			}
		}
	}
	// A shift far from the data, and non-finite data, in the masked tail too.
	for _, n := range []int{5, 21, 40} {
		x := vecData(n, 0, 1, false, 7)
		for _, k := range []float64{1e30, math.Inf(1)} {
			s, q := shiftedSumsVec(x, k)
			ws, wq := shiftedSumsGo(x, k)
			if !closeSum(s, ws, math.Abs(ws), 1e-12) || !closeSum(q, wq, math.Abs(wq), 1e-12) {
				t.Errorf("n=%d k=%g: got %v, %v; want %v, %v", n, k, s, q, ws, wq)
			}
		}
		x[n-1] = float32(math.Inf(-1))
		s, q := shiftedSumsVec(x, 0)
		ws, wq := shiftedSumsGo(x, 0)
		if !closeSum(s, ws, 0, 0) || !closeSum(q, wq, 0, 0) {
			t.Errorf("n=%d with −Inf: got %v, %v; want %v, %v", n, s, q, ws, wq)
		}
	}
}

func TestVecCenteredDots(t *testing.T) {
	requireAVX512(t)
	for _, n := range vecLengths {
		for _, d := range []struct{ offset, spread float64 }{{0, 1}, {1e4, 1}, {1e4, 0.01}, {-3e5, 2}} {
			x, dy := vecData(n, d.offset, d.spread, false, int64(n)), vecData(n, 0.5, 1, false, int64(n+1))
			mu := d.offset + 0.1*d.spread
			var mag1, mag2 float64
			for i, v := range x {
				mag1 += math.Abs(float64(dy[i]))
				mag2 += math.Abs(float64(dy[i]) * (float64(v) - mu))
			}
			s, p := centeredDotsVec(x, dy, mu)
			ws, wp := centeredDotsGo(x, dy, mu)
			if !closeSum(s, ws, mag1, 1e-12) || !closeSum(p, wp, mag2, 1e-12) {
				t.Errorf("n=%d %+v: got %v, %v; want %v, %v", n, d, s, p, ws, wp)
			}
		}
	}
	// An infinite mean (data holding ∞): the masked-off lanes must not turn
	// the dot into NaN through 0·(0 − ∞).
	for _, n := range []int{5, 21, 40} {
		x, dy := vecData(n, 0, 1, false, 8), vecData(n, 5, 0.1, false, 9)
		s, p := centeredDotsVec(x, dy, math.Inf(1))
		ws, wp := centeredDotsGo(x, dy, math.Inf(1))
		if !closeSum(s, ws, math.Abs(ws), 1e-12) || !closeSum(p, wp, 0, 0) {
			t.Errorf("n=%d mu=+Inf: got %v, %v; want %v, %v", n, s, p, ws, wp)
		}
	}
}

// withoutAVX512 runs f with the Go loops forced.
func withoutAVX512(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	old := useAVX512
	useAVX512 = false
	defer func() { useAVX512 = old }()
	f(t)
}

// TestNormFloat32Paths: the float32 batch-norm and ReLU entry points give
// bit for bit the same outputs on the vector kernels as on the Go loops,
// and sums within float64 rounding, on every test layout.
func TestNormFloat32Paths(t *testing.T) {
	requireAVX512(t)
	withProcs(t, 3)
	const eps = 1e-3
	type outputs struct {
		mean, variance, sumDy, sumDyXhat                []float64
		y, yRelu, yRes, dxTrain, dxEval, dxMasked, relu []float32
		reluGrad                                        []float32
	}
	for _, l := range normLayouts {
		n, c, inner := l[0], l[1], l[2]
		size := n * c * inner
		x, dy := normData[float32](size, 50, 3, 1), normData[float32](size, 0.5, 1, 2)
		gamma, beta := normData[float32](c, 1, 0.5, 3), normData[float32](c, 0, 1, 4)
		run := func() (o outputs) {
			o.mean, o.variance = Moments(x, n, c, inner)
			o.sumDy, o.sumDyXhat = NormSums(x, dy, false, nil, nil, o.mean, o.variance, eps, n, c, inner)
			o.y, o.yRelu, o.yRes = make([]float32, size), make([]float32, size), make([]float32, size)
			BatchNorm(o.y, x, nil, gamma, beta, o.mean, o.variance, eps, false, n, c, inner)
			BatchNorm(o.yRelu, x, nil, gamma, beta, o.mean, o.variance, eps, true, n, c, inner)
			BatchNorm(o.yRes, x, dy, gamma, beta, o.mean, o.variance, eps, true, n, c, inner)
			o.dxTrain, o.dxEval, o.dxMasked = make([]float32, size), make([]float32, size), make([]float32, size)
			BatchNormInputGrad(o.dxTrain, x, dy, false, gamma, nil, o.mean, o.variance, eps, o.sumDy, o.sumDyXhat, n, c, inner)
			BatchNormInputGrad(o.dxEval, x, dy, false, gamma, nil, o.mean, o.variance, eps, nil, nil, n, c, inner)
			BatchNormInputGrad(o.dxMasked, x, dy, true, gamma, beta, o.mean, o.variance, eps, o.sumDy, o.sumDyXhat, n, c, inner)
			o.relu, o.reluGrad = make([]float32, size), make([]float32, size)
			ReLU(o.relu, o.y)
			ReLUGrad(o.reluGrad, o.y, dy)
			return o
		}
		var want outputs
		withoutAVX512(t, func(*testing.T) { want = run() })
		got := run()
		name := fmt.Sprintf("%dx%dx%d", n, c, inner)
		for j := 0; j < c; j++ {
			if !relClose(got.mean[j], want.mean[j], 1e-12) || !relClose(got.variance[j], want.variance[j], 1e-9) ||
				!relClose(got.sumDy[j], want.sumDy[j], 1e-9) || !relClose(got.sumDyXhat[j], want.sumDyXhat[j], 1e-9) {
				t.Errorf("%s channel %d: moments and sums %v %v %v %v; want %v %v %v %v", name, j,
					got.mean[j], got.variance[j], got.sumDy[j], got.sumDyXhat[j],
					want.mean[j], want.variance[j], want.sumDy[j], want.sumDyXhat[j])
			}
		}
		// The elementwise outputs depend on the statistics, which differ in
		// their last bits between the paths: recompute them from want's.
		got.y, got.yRelu, got.yRes = make([]float32, size), make([]float32, size), make([]float32, size)
		BatchNorm(got.y, x, nil, gamma, beta, want.mean, want.variance, eps, false, n, c, inner)
		BatchNorm(got.yRelu, x, nil, gamma, beta, want.mean, want.variance, eps, true, n, c, inner)
		BatchNorm(got.yRes, x, dy, gamma, beta, want.mean, want.variance, eps, true, n, c, inner)
		BatchNormInputGrad(got.dxTrain, x, dy, false, gamma, nil, want.mean, want.variance, eps, want.sumDy, want.sumDyXhat, n, c, inner)
		BatchNormInputGrad(got.dxEval, x, dy, false, gamma, nil, want.mean, want.variance, eps, nil, nil, n, c, inner)
		BatchNormInputGrad(got.dxMasked, x, dy, true, gamma, beta, want.mean, want.variance, eps, want.sumDy, want.sumDyXhat, n, c, inner)
		ReLU(got.relu, want.y)
		ReLUGrad(got.reluGrad, want.y, dy)
		for _, p := range []struct {
			what      string
			got, want []float32
			affine    bool
		}{
			{"BatchNorm", got.y, want.y, true}, {"BatchNorm+ReLU", got.yRelu, want.yRelu, true}, {"BatchNorm+residual+ReLU", got.yRes, want.yRes, true},
			{"InputGrad (batch statistics)", got.dxTrain, want.dxTrain, true},
			{"InputGrad (given statistics)", got.dxEval, want.dxEval, true},
			{"InputGrad (masked)", got.dxMasked, want.dxMasked, true},
			{"ReLU", got.relu, want.relu, false}, {"ReLUGrad", got.reluGrad, want.reluGrad, false},
		} {
			if p.affine && goFuses() {
				continue // see requireUnfused
			}
			sameBits32(t, name+" "+p.what, p.got, p.want, x)
		}
	}
}

// TestKernelsWithoutAVX512 reruns the batch-norm and ReLU tests on the Go
// loops, which the CPUs without AVX-512 run.
func TestKernelsWithoutAVX512(t *testing.T) {
	for name, f := range map[string]func(*testing.T){
		"MomentsOnePass": TestMomentsOnePass, "MomentsConstant": TestMomentsConstant,
		"BatchNormKernels": TestBatchNormKernels, "MomentGrad": TestMomentGrad,
		"ReLUMatchesGeneric": TestReLUMatchesGeneric,
	} {
		t.Run(name, func(t *testing.T) { withoutAVX512(t, f) })
	}
}

// The benchmarks run each kernel, assembly and Go, on one ResNet-20 first
// stage activation (128·16·1024 values), single-threaded.
func BenchmarkVec(b *testing.B) {
	const n = normBenchN * normBenchC * normBenchInner
	x, dy, out := vecData(n, 0, 1, false, 1), vecData(n, 0, 1, false, 2), make([]float32, n)
	type kernel struct {
		name      string
		asm, gofn func()
	}
	var sink float64
	for _, k := range []kernel{
		{"Affine", func() { affineVec(out, x, 1.5, 0.25) }, func() { affineGo(out, x, 1.5, 0.25) }},
		{"Affine2", func() { affine2Vec(out, dy, x, 1.5, -0.2, 0.25) }, func() { affine2Go(out, dy, x, 1.5, -0.2, 0.25) }},
		{"ShiftedSums", func() { s, q := shiftedSumsVec(x, 0.1); sink += s + q }, func() { s, q := shiftedSumsGo(x, 0.1); sink += s + q }},
		{"CenteredDots", func() { s, p := centeredDotsVec(x, dy, 0.1); sink += s + p }, func() { s, p := centeredDotsGo(x, dy, 0.1); sink += s + p }},
		{"ReLU", func() { reluVec(out, x) }, func() { reluGo(out, x) }},
		{"Add", func() { sumVec(out, out, x) }, func() { sumGo(out, out, x) }},
		{"ReLUGrad", func() { reluGradVec(out, x, dy) }, func() { reluGrad32Go(out, x, dy) }},
	} {
		b.Run(k.name+"/asm", func(b *testing.B) {
			requireAVX512(b)
			b.SetBytes(4 * n)
			for b.Loop() {
				k.asm()
			}
		})
		b.Run(k.name+"/go", func(b *testing.B) {
			b.SetBytes(4 * n)
			for b.Loop() {
				k.gofn()
			}
		})
	}
	_ = sink
}
