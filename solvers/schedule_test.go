package solvers

import (
	"math"
	"strings"
	"testing"
)

func stringsContains(s, sub string) bool { return strings.Contains(s, sub) }

func TestSchedules(t *testing.T) {
	cases := []struct {
		name  string
		s     Schedule
		steps []int
		want  []float64
	}{
		{"fixed", Fixed(0.1), []int{0, 100}, []float64{0.1, 0.1}},
		{"step", StepDecay(1, 0.1, 10), []int{0, 9, 10, 25}, []float64{1, 1, 0.1, 0.01}},
		{"multistep", MultiStep(0.1, 0.1, 48, 32), []int{0, 31, 32, 47, 48, 1000}, []float64{0.1, 0.1, 0.01, 0.01, 0.001, 0.001}},
		{"cosine", Cosine(1, 0, 100), []int{0, 50, 100, 200}, []float64{1, 0.5, 0, 0}},
		{"warmup", Warmup(4, Fixed(1)), []int{0, 1, 3, 4, 10}, []float64{0.25, 0.5, 1, 1, 1}},
	}
	for _, c := range cases {
		for i, step := range c.steps {
			if got := c.s.LR(step); math.Abs(got-c.want[i]) > 1e-12 {
				t.Errorf("%s: LR(%d) = %v, want %v", c.name, step, got, c.want[i])
			}
		}
	}
}

func TestPlateau(t *testing.T) {
	p := NewPlateau(0.1, 1)
	// errors per epoch: improves, improves, flat, flat (2 bad > patience 1: divide), better, flat, flat (divide)
	metrics := []float64{0.5, 0.4, 0.4, 0.41, 0.3, 0.3, 0.3}
	want := []float64{0.1, 0.1, 0.1, 0.01, 0.01, 0.01, 0.001}
	for i, m := range metrics {
		p.Observe(m)
		if got := p.LR(0); math.Abs(got-want[i]) > 1e-15 {
			t.Fatalf("after epoch %d (metric %v): lr %v, want %v", i, m, got, want[i])
		}
	}
}
