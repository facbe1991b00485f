package main

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/examples/benchmark/internal/harness"
)

// TestMeasure runs one step of each model and mode at batch 2, in process.
func TestMeasure(t *testing.T) {
	for _, model := range []string{"lenet5-modern", "resnet20"} {
		for _, mode := range []string{"train", "infer"} {
			c := harness.Config{Model: model, Mode: mode, Threads: 1, Batch: 2, Steps: 1, Warmup: 0, Repeats: 1, Seed: 1}
			r, err := harness.Measure(c, impl, newModel, harness.Hooks{})
			if err != nil {
				t.Fatalf("%s %s: %v", model, mode, err)
			}
			if r.ImagesPerSec <= 0 || r.Batch != 2 || len(r.RepeatsIPS) != 1 || r.Impl != "gorgonia" {
				t.Errorf("%s %s: %+v", model, mode, r)
			}
			if mode == "train" && (r.Loss <= 0 || math.IsInf(r.Loss, 0) || math.IsNaN(r.Loss)) {
				t.Errorf("%s train loss %v", model, r.Loss)
			}
		}
	}
}

// TestShortcutA checks the option-A shortcut, a strided Slice and a Concat of
// zeros (ops gorgonia.md does not vouch for), forward and gradient.
func TestShortcutA(t *testing.T) {
	b := &net{g: G.NewGraph(), rng: rand.New(rand.NewPCG(1, 2))}
	x := b.param(1, 0, 1, 1, 4, 4) // random values
	s := b.shortcutA(x, 2, 2)
	if !slices.Equal(s.Shape(), tensor.Shape{1, 2, 2, 2}) {
		t.Fatalf("shape %v", s.Shape())
	}
	w := []float32{1, 2, 3, 4, 5, 6, 7, 8}
	loss := G.Must(G.Sum(G.Must(G.HadamardProd(s, b.constant("w", w, 1, 2, 2, 2)))))
	if _, err := G.Grad(loss, x); err != nil {
		t.Fatal(err)
	}
	var sv G.Value
	G.Read(s, &sv)
	m := G.NewTapeMachine(b.g, G.BindDualValues(x))
	defer m.Close()
	if err := m.RunAll(); err != nil {
		t.Fatal(err)
	}
	xv := x.Value().Data().([]float32)
	got := sv.Data().([]float32)
	want := []float32{xv[0], xv[2], xv[8], xv[10], 0, 0, 0, 0}
	if !slices.Equal(got, want) {
		t.Errorf("forward %v, want %v", got, want)
	}
	gv, err := x.Grad()
	if err != nil {
		t.Fatal(err)
	}
	wantGrad := make([]float32, 16)
	wantGrad[0], wantGrad[2], wantGrad[8], wantGrad[10] = 1, 2, 3, 4
	if g := gv.Data().([]float32); !slices.Equal(g, wantGrad) {
		t.Errorf("gradient %v, want %v", g, wantGrad)
	}
}
