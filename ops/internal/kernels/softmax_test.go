package kernels

import (
	"math"
	"testing"
)

func TestLogSumExp(t *testing.T) {
	for _, c := range []struct {
		name string
		x    []float64
		m, l float64
	}{
		{"equal", []float64{1000, 1000}, 1000, math.Log(2)},
		{"single", []float64{-3}, -3, 0},
		{"minus infinity", []float64{0, math.Inf(-1)}, 0, 0}, // a masked-out logit adds exp(−Inf) = 0
		{"spread", []float64{-1000, 0, 1000}, 1000, 0},       // exp(−1000) underflows harmlessly
	} {
		m, l := LogSumExp(c.x)
		if m != c.m || math.Abs(l-c.l) > 1e-15 {
			t.Errorf("%s: LogSumExp(%v) = (%v, %v), want (%v, %v)", c.name, c.x, m, l, c.m, c.l)
		}
	}
}

// TestSoftmaxRows: rows are independent, and log-softmax is the log of softmax.
func TestSoftmaxRows(t *testing.T) {
	x := []float32{1, 2, 3, 1000, 1000, 1000}
	y, ly := make([]float32, 6), make([]float32, 6)
	Softmax(y, x, 3, false)
	Softmax(ly, x, 3, true)
	z := 1 + math.E + math.Exp(2)
	want := []float64{1 / z, math.E / z, math.Exp(2) / z, 1.0 / 3, 1.0 / 3, 1.0 / 3}
	for i := range x {
		if math.Abs(float64(y[i])-want[i]) > 1e-7 || math.Abs(float64(ly[i])-math.Log(want[i])) > 1e-6 {
			t.Fatalf("element %d: softmax %v, log-softmax %v, want %v and %v", i, y[i], ly[i], want[i], math.Log(want[i]))
		}
	}
}

// TestSoftmaxXentGradFloat32: a confident row keeps its tiny gradient in
// float32 (1 − p is formed in float64 before rounding).
func TestSoftmaxXentGradFloat32(t *testing.T) {
	x := []float32{20, 0}
	dx := make([]float32, 2)
	SoftmaxXentGrad(dx, x, []int{0}, 2, 1)
	q := math.Exp(-20) / (1 + math.Exp(-20)) // softmax of the wrong class
	if math.Abs(float64(dx[0])+q) > 1e-6*q || math.Abs(float64(dx[1])-q) > 1e-6*q {
		t.Fatalf("dx = %v, want (%v, %v)", dx, -q, q)
	}
}
