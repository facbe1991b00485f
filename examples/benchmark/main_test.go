package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestConfigs(t *testing.T) {
	cs, err := configs("all", "all", "1,2", 0, -1, 3, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 3*2*2 {
		t.Fatalf("%d configurations, want 12", len(cs))
	}
	if c := cs[0]; c.Model != "lenet5-modern" || c.Mode != "train" || c.Threads != 1 || c.Batch != 64 || c.Steps != 40 || c.Warmup != 10 {
		t.Errorf("first configuration %+v", c)
	}
	cs, err = configs("resnet20", "infer", "2", 5, 0, 1, 8, 7)
	if err != nil {
		t.Fatal(err)
	}
	want := config{Model: "resnet20", Mode: "infer", Threads: 2, Batch: 8, Steps: 5, Warmup: 0, Repeats: 1, Seed: 7}
	if len(cs) != 1 || cs[0] != want {
		t.Errorf("got %+v, want [%+v]", cs, want)
	}
	// The child's flags reproduce the configuration.
	if a := strings.Join(want.args(""), " "); a != "-child -model resnet20 -mode infer -threads 2 -batch 8 -steps 5 -warmup 0 -repeats 1 -seed 7" {
		t.Errorf("child args %q", a)
	}
	for _, bad := range [][3]string{{"vgg", "all", "1"}, {"all", "fit", "1"}, {"all", "all", "0"}, {"all", "all", "x"}} {
		if _, err := configs(bad[0], bad[1], bad[2], 0, -1, 1, 0, 1); err == nil {
			t.Errorf("configs%v: no error", bad)
		}
	}
}

func TestMedian(t *testing.T) {
	if m := median([]float64{3, 1, 2}); m != 2 {
		t.Errorf("median odd = %v", m)
	}
	xs := []float64{4, 1, 3, 2}
	if m := median(xs); m != 2.5 {
		t.Errorf("median even = %v", m)
	}
	if !slices.Equal(xs, []float64{4, 1, 3, 2}) {
		t.Errorf("median sorted its argument: %v", xs)
	}
}

func TestLastResult(t *testing.T) {
	out := "noise\n{\"model\":\"a\",\"images_per_sec\":1}\n{\"model\":\"b\",\"images_per_sec\":2.5}\n"
	r, err := lastResult(strings.NewReader(out))
	if err != nil || r.Model != "b" || r.ImagesPerSec != 2.5 {
		t.Errorf("lastResult = %+v, %v", r, err)
	}
	if _, err := lastResult(strings.NewReader("nothing\n")); err == nil {
		t.Error("no result: no error")
	}
}

// TestMeasure runs LeNet-5 in both modes on a tiny batch, in process.
func TestMeasure(t *testing.T) {
	for _, mode := range []string{"train", "infer"} {
		c := config{Model: "lenet5-modern", Mode: mode, Threads: 1, Batch: 4, Steps: 2, Warmup: 1, Repeats: 3, Seed: 1}
		r, err := measure(c, "")
		if err != nil {
			t.Fatalf("%s: %v", mode, err)
		}
		if r.ImagesPerSec <= 0 || len(r.RepeatsIPS) != 3 || r.StepMs <= 0 || r.AllocBytes <= 0 {
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
		for _, key := range []string{`"model"`, `"mode"`, `"threads"`, `"batch"`, `"images_per_sec"`, `"alloc_bytes_per_step"`} {
			if !strings.Contains(string(b), key) {
				t.Errorf("JSON %s lacks %s", b, key)
			}
		}
	}
}
