package solvers

import (
	"math"
	"testing"

	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/nn"
)

// twoSteps runs an optimizer for two steps of lr 0.1 on w = [1, −2] with the
// constant gradient [0.5, 1] and returns w after each step.
func twoSteps(t *testing.T, opt Optimizer, dt tensor.Dtype) [2][]float64 {
	t.Helper()
	p := &nn.Param{Name: "w", Trainable: true}
	g := tensor.New(tensor.WithShape(2), tensor.Of(dt))
	if dt == tensor.Float32 {
		p.Value = tensor.New(tensor.WithShape(2), tensor.WithBacking([]float32{1, -2}))
		copy(g.Data().([]float32), []float32{0.5, 1})
	} else {
		p.Value = tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{1, -2}))
		copy(g.Data().([]float64), []float64{0.5, 1})
	}
	var out [2][]float64
	for i := range out {
		if err := opt.Step([]*nn.Param{p}, []tensor.Tensor{g}, 0.1); err != nil {
			t.Fatal(err)
		}
		out[i] = asFloat64(p.Value)
	}
	return out
}

// Every expected value below is computed by hand in the comment beside it.
func TestOptimizersByHand(t *testing.T) {
	cases := []struct {
		name string
		opt  func() Optimizer
		want [2][]float64
	}{
		// w −= 0.1·g
		{"sgd", func() Optimizer { return NewSGD(0, false, Decay{}) }, [2][]float64{{0.95, -2.1}, {0.9, -2.2}}},
		// g1 = [0.51, 0.98] → [0.949, −2.098]; g2 = [0.50949, 0.97902] → [0.898051, −2.195902]
		{"sgd+decay", func() Optimizer { return NewSGD(0, false, Decay{Rate: 0.01}) }, [2][]float64{{0.949, -2.098}, {0.898051, -2.195902}}},
		// v1 = g → [0.95, −2.1]; v2 = 0.9·g + g = [0.95, 1.9] → [0.855, −2.29]
		{"momentum", func() Optimizer { return NewSGD(0.9, false, Decay{}) }, [2][]float64{{0.95, -2.1}, {0.855, -2.29}}},
		// step1 = g + 0.9·v1 = [0.95, 1.9] → [0.905, −2.19]; step2 = g + 0.9·[0.95, 1.9] = [1.355, 2.71] → [0.7695, −2.461]
		{"nesterov", func() Optimizer { return NewSGD(0.9, true, Decay{}) }, [2][]float64{{0.905, -2.19}, {0.7695, -2.461}}},
		// a constant gradient gives bias-corrected steps of exactly lr: [0.9, −2.1], [0.8, −2.2]
		{"adam", func() Optimizer { return NewAdam(Decay{}) }, [2][]float64{{0.9, -2.1}, {0.8, -2.2}}},
		// w·(1 − 0.1·0.1) then −0.1: [0.89, −2.08]; [0.8811, −2.0592] − 0.1 = [0.7811, −2.1592]
		{"adamw", func() Optimizer { return NewAdamW(Decay{Rate: 0.1}) }, [2][]float64{{0.89, -2.08}, {0.7811, -2.1592}}},
	}
	for _, c := range cases {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			got := twoSteps(t, c.opt(), dt)
			tol := 1e-7
			if dt == tensor.Float32 {
				// state is kept in the parameter's dtype, as PyTorch does:
				// Adam's bias correction (÷0.19, ÷0.002) magnifies float32 rounding to a few ulps
				tol = 5e-6
			}
			for s := range got {
				for i := range got[s] {
					if math.Abs(got[s][i]-c.want[s][i]) > tol {
						t.Errorf("%s %v: step %d: w = %v, want %v", c.name, dt, s+1, got[s], c.want[s])
					}
				}
			}
		}
	}
}

func TestDecaySkipsNoDecayParams(t *testing.T) {
	d := Decay{Rate: 0.5, SkipNoDecay: true}
	if d.rate(&nn.Param{NoDecay: true}) != 0 || d.rate(&nn.Param{}) != 0.5 {
		t.Fatal("SkipNoDecay should exempt NoDecay parameters only")
	}
}

func TestOptimizerStateRoundTrip(t *testing.T) {
	a := NewSGD(0.9, false, Decay{})
	twoSteps(t, a, tensor.Float64)
	state, steps := a.State()
	b := NewSGD(0.9, false, Decay{})
	if err := b.SetState(state, steps); err != nil {
		t.Fatal(err)
	}
	v := b.velocity.m["w"].Data().([]float64)
	if steps != 2 || len(v) != 2 || v[0] != 0.95 || v[1] != 1.9 {
		t.Fatalf("restored steps %d, velocity %v", steps, v)
	}
}

func TestOptimizerErrors(t *testing.T) {
	p := &nn.Param{Name: "layer.weight", Value: tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{1, 2}))}
	bad := tensor.New(tensor.WithShape(3), tensor.Of(tensor.Float64))
	err := NewSGD(0, false, Decay{}).Step([]*nn.Param{p}, []tensor.Tensor{bad}, 0.1)
	if err == nil || !contains(err.Error(), "layer.weight", "(3)", "(2)") {
		t.Fatalf("want a shape error naming the parameter, got %v", err)
	}
	nan := tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{math.NaN(), 0}))
	err = NewAdam(Decay{}).Step([]*nn.Param{p}, []tensor.Tensor{nan}, 0.1)
	if err == nil || !contains(err.Error(), "layer.weight", "NaN") {
		t.Fatalf("want a NaN error naming the parameter, got %v", err)
	}
	if got := p.Value.Data().([]float64); got[0] != 1 {
		t.Fatalf("a failed step changed the parameter: %v", got)
	}
}

func TestClipGradNorm(t *testing.T) {
	g := []tensor.Tensor{
		tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{3, 0})),
		tensor.New(tensor.WithShape(1), tensor.WithBacking([]float32{4})),
	}
	norm, err := ClipGradNorm(g, 1)
	if err != nil || norm != 5 {
		t.Fatalf("norm %v, err %v; want 5", norm, err)
	}
	if a, b := g[0].Data().([]float64)[0], g[1].Data().([]float32)[0]; math.Abs(a-0.6) > 1e-6 || math.Abs(float64(b)-0.8) > 1e-6 {
		t.Fatalf("clipped to %v, %v; want 0.6, 0.8", a, b)
	}
}

func contains(s string, parts ...string) bool {
	for _, p := range parts {
		if !stringsContains(s, p) {
			return false
		}
	}
	return true
}

func asFloat64(t tensor.Tensor) []float64 {
	switch d := t.Data().(type) {
	case []float64:
		return append([]float64(nil), d...)
	case []float32:
		out := make([]float64, len(d))
		for i, v := range d {
			out[i] = float64(v)
		}
		return out
	}
	return nil
}

// TestBadStateChangesNothing: a restored buffer of the wrong shape for the
// second parameter is an error before the first parameter is updated.
func TestBadStateChangesNothing(t *testing.T) {
	a := &nn.Param{Name: "a", Value: tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{1, 1}))}
	b := &nn.Param{Name: "b", Value: tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{1, 1}))}
	g := tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{1, 1}))
	bad := map[string]tensor.Tensor{
		"b.momentum_buffer": tensor.New(tensor.WithShape(3), tensor.Of(tensor.Float64)),
		"b.exp_avg":         tensor.New(tensor.WithShape(3), tensor.Of(tensor.Float64)),
	}
	for name, opt := range map[string]Optimizer{"sgd": NewSGD(0.9, false, Decay{}), "adam": NewAdam(Decay{})} {
		if err := opt.SetState(bad, 1); err != nil {
			t.Fatal(err)
		}
		err := opt.Step([]*nn.Param{a, b}, []tensor.Tensor{g, g}, 0.1)
		if err == nil || !contains(err.Error(), "b.", "(3)", "(2)") {
			t.Fatalf("%s: want an error naming b's buffer and both shapes, got %v", name, err)
		}
		if got := a.Value.Data().([]float64); got[0] != 1 {
			t.Fatalf("%s: a failed step changed a: %v", name, got)
		}
	}
}
