package harness

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// TestMeasure times a fake model that counts its steps.
func TestMeasure(t *testing.T) {
	steps, closed := 0, false
	var events []string
	build := func(c Config) (*Model, error) {
		return &Model{
			Step: func() (float64, error) {
				steps++
				return float64(steps), nil
			},
			Input: []int{1, 28, 28},
			Close: func() error { closed = true; return nil },
		}, nil
	}
	h := Hooks{
		Start: func() error { events = append(events, "start", strings.Repeat("s", steps)); return nil },
		Stop: func(r *Result) error {
			events = append(events, "stop", strings.Repeat("s", steps))
			if r.StepMs <= 0 || r.TimedSteps() != 6 {
				t.Errorf("Stop got an incomplete result %+v", r)
			}
			return nil
		},
	}
	c := Config{Model: "m", Mode: "train", Threads: 1, Batch: 4, Steps: 2, Warmup: 1, Repeats: 3, Seed: 1}
	r, err := Measure(c, "impl", build, h)
	if err != nil {
		t.Fatal(err)
	}
	if steps != 1+3*2 || !closed {
		t.Errorf("%d steps, closed %v; want 7 steps, closed", steps, closed)
	}
	if !slices.Equal(events, []string{"start", "s", "stop", "sssssss"}) {
		t.Errorf("hooks ran %q: want Start after the warm-up, Stop after the timed steps", events)
	}
	if r.Impl != "impl" || r.Model != "m" || r.Mode != "train" || r.Batch != 4 || r.Steps != 2 || r.Warmup != 1 ||
		len(r.RepeatsIPS) != 3 || r.ImagesPerSec <= 0 || r.StepMs <= 0 || r.Loss != 7 || r.GOMAXPROCS != 1 {
		t.Errorf("result %+v", r)
	}
	// What the benchmark does not measure stays out of the JSON.
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"activation_bytes_per_step", "minor_faults_per_step"} {
		if strings.Contains(string(b), key) {
			t.Errorf("JSON %s has %s", b, key)
		}
	}
	r.MinorFaults = new(0.0)
	if b, _ := json.Marshal(r); !strings.Contains(string(b), `"minor_faults_per_step":0`) {
		t.Errorf("JSON %s lacks a measured 0 faults", b)
	}
}

func TestMedian(t *testing.T) {
	if m := Median([]float64{3, 1, 2}); m != 2 {
		t.Errorf("median odd = %v", m)
	}
	xs := []float64{4, 1, 3, 2}
	if m := Median(xs); m != 2.5 {
		t.Errorf("median even = %v", m)
	}
	if !slices.Equal(xs, []float64{4, 1, 3, 2}) {
		t.Errorf("median sorted its argument: %v", xs)
	}
}
