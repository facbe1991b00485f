package main

import (
	"math"
	"testing"

	"github.com/convgraph/convgraph/examples/internal/notebook"
)

func TestMain(m *testing.M) { notebook.Main(m, main) }

// TestTiny trains 2 LeNet-5s for 16 steps each and combines them.
func TestTiny(t *testing.T) {
	out := notebook.Run(t, "-k", "2", "-train", "1024", "-test", "500", "-quiet")
	notebook.Prints(t, out, "train 1024, test 500 images", "model 1 (seed 1): 16 steps", "model 2 (seed 2): 16 steps",
		"ensemble of 2: test error", "majority vote", "wall time")
}

// Two members, two images of 10 classes: image 0 (label 1) is won by the
// confident member, image 1 (label 2) by the average.
func TestCombine(t *testing.T) {
	a := make([]float64, 20)
	b := make([]float64, 20)
	a[0], a[1] = 0.6, 0.4   // image 0: a says 0 (wrong)
	b[0], b[1] = 0.1, 0.9   // image 0: b says 1
	a[12], a[13] = 0.5, 0.5 // image 1: a ties, first class 2 wins
	b[12], b[13] = 0.45, 0.55
	labels := []int{1, 2}
	ens := mean([][]float64{a, b})
	if got := []float64{ens[0], ens[1], ens[12], ens[13]}; !near(got, []float64{0.35, 0.65, 0.475, 0.525}) {
		t.Errorf("mean: %v", got)
	}
	if e := errorRate(ens, labels); e != 0.5 { // image 1: 0.525 for class 3
		t.Errorf("ensemble error %v, want 0.5", e)
	}
	if e := voteError([][]float64{a, b}, labels); e != 0.5 { // image 0: votes 0 and 1, tie to 0
		t.Errorf("vote error %v, want 0.5", e)
	}
	p := make([]float64, 3)
	softmax(p, []float64{1000, 1000, 1000 + math.Log(2)}) // no overflow
	if !near(p, []float64{0.25, 0.25, 0.5}) {
		t.Errorf("softmax: %v", p)
	}
}

func near(a, b []float64) bool {
	for i := range a {
		if math.Abs(a[i]-b[i]) > 1e-12 {
			return false
		}
	}
	return len(a) == len(b)
}
