package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/convgraph/convgraph/examples/benchmark/internal/harness"
)

// TestSpecs checks that newModel knows the classes of every model -model takes.
func TestSpecs(t *testing.T) {
	for _, s := range specs {
		if classes[s.Name] == 0 {
			t.Errorf("%s: no classes", s.Name)
		}
	}
}

// TestMeasure runs LeNet-5 in both modes on a tiny batch, in process.
func TestMeasure(t *testing.T) {
	for _, mode := range []string{"train", "infer"} {
		c := harness.Config{Model: "lenet5-modern", Mode: mode, Threads: 1, Batch: 4, Steps: 2, Warmup: 1, Repeats: 3, Seed: 1}
		r, err := harness.Measure(c, impl, newModel, hooks("", false))
		if err != nil {
			t.Fatalf("%s: %v", mode, err)
		}
		if r.ImagesPerSec <= 0 || len(r.RepeatsIPS) != 3 || r.StepMs <= 0 || r.AllocBytes <= 0 || r.ActivationBytes <= 0 || r.MinorFaults == nil {
			t.Errorf("%s: %+v", mode, r)
		}
		if !slices.Equal(r.Input, []int{1, 28, 28}) {
			t.Errorf("%s: input %v, want [1 28 28]", mode, r.Input)
		}
		if mode == "train" && r.Loss <= 0 {
			t.Errorf("train loss %v", r.Loss)
		}
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{`"impl":"convgraph"`, `"model"`, `"mode"`, `"threads"`, `"batch"`, `"images_per_sec"`,
			`"alloc_bytes_per_step"`, `"activation_bytes_per_step"`, `"minor_faults_per_step"`} {
			if !strings.Contains(string(b), key) {
				t.Errorf("JSON %s lacks %s", b, key)
			}
		}
	}
}
