package solvers

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// The finite check must find a bad value wherever it sits, in either chunk
// of a split pass and in the tail the four-way loop leaves.
func TestFirstNonFinite(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	n := 2*minChunk + 3
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(i%7) - 3 // finite, negative ones too (x·0 = −0)
	}
	if got := firstNonFinite(v); got != 0 {
		t.Fatalf("all finite: got %v", got)
	}
	for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		for _, at := range []int{0, 5, minChunk + 1, n - 1} {
			old := v[at]
			v[at] = float32(bad)
			got := firstNonFinite(v)
			v[at] = old
			if got == 0 || math.IsNaN(bad) != math.IsNaN(got) || (!math.IsNaN(bad) && got != bad) {
				t.Errorf("%v at %d: got %v", bad, at, got)
			}
		}
	}
	if got := firstNonFinite([]float64{1, math.MaxFloat64, -math.MaxFloat64}); got != 0 {
		t.Errorf("huge but finite values: got %v", got)
	}
}

// A step split across goroutines computes exactly what one pass does.
func TestSplitStepsMatchOnePass(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	n := 3*minChunk + 11
	rng := rand.New(rand.NewPCG(1, 2))
	vec := func() []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(rng.NormFloat64())
		}
		return v
	}
	w, g, v, m := vec(), vec(), vec(), vec()
	for _, nesterov := range []bool{false, true} {
		h := sgdHyper{lr: 0.1, mu: 0.9, decay: 1e-4, nesterov: nesterov}
		w1, v1, w2, v2 := clone(w), clone(v), clone(w), clone(v)
		sgdStep(w1, g, v1, h)
		sgdRange(w2, g, v2, h)
		same(t, "sgd w", w1, w2)
		same(t, "sgd v", v1, v2)
	}
	w1, w2 := clone(w), clone(w)
	sgdStep(w1, g, nil, sgdHyper{lr: 0.1})
	sgdRange(w2, g, nil, sgdHyper{lr: 0.1})
	same(t, "plain sgd w", w1, w2)

	h := adamHyper{lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, c1: 0.1, c2: 0.001}
	v = vec()
	for i := range v {
		v[i] *= v[i] // a second moment is not negative
	}
	w1, m1, v1 := clone(w), clone(m), clone(v)
	w2, m2, v2 := clone(w), clone(m), clone(v)
	adamStep(w1, g, m1, v1, h)
	adamRange(w2, g, m2, v2, h)
	same(t, "adam w", w1, w2)
	same(t, "adam m", m1, m2)
	same(t, "adam v", v1, v2)
}

func clone(v []float32) []float32 { return append([]float32(nil), v...) }

func same(t *testing.T, what string, a, b []float32) {
	t.Helper()
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("%s[%d]: split %v, one pass %v", what, i, a[i], b[i])
		}
	}
}
