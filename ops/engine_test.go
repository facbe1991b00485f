package ops

import (
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/graph"
)

// TestEngineAdd: the ops' engine adds float32 tensors as the standard
// engine does, into a reuse tensor, in place, and (through the standard
// engine) safely, incrementally and in float64; a shape mismatch is the
// standard engine's error.
func TestEngineAdd(t *testing.T) {
	vals := func(n int, k float32) []float32 {
		s := make([]float32, n)
		for i := range s {
			s[i] = float32(i%17)*k - 3
		}
		return s
	}
	const n = 3 * 40000 // several tasks of kernels.Sum32
	mk := func(d []float32) *tensor.Dense {
		return tensor.New(tensor.WithEngine(engine{}), tensor.WithShape(3, n/3), tensor.WithBacking(d))
	}
	want := make([]float32, n)
	av, bv := vals(n, 0.5), vals(n, -0.25)
	for i := range want {
		want[i] = av[i] + bv[i]
	}
	checkAs := func(what string, got tensor.Tensor, err error, want []float32) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		for i, v := range got.Data().([]float32) {
			if v != want[i] {
				t.Fatalf("%s: [%d] = %v, want %v", what, i, v, want[i])
			}
		}
	}
	check := func(what string, got tensor.Tensor, err error) { t.Helper(); checkAs(what, got, err, want) }
	a, b := mk(append([]float32(nil), av...)), mk(append([]float32(nil), bv...))
	reuse := mk(make([]float32, n))
	got, err := tensor.Add(a, b, tensor.WithReuse(reuse))
	check("reuse", got, err)
	if got != tensor.Tensor(reuse) {
		t.Errorf("reuse: the result is not the reuse tensor")
	}
	got, err = tensor.Add(a, b)
	check("safe", got, err)
	checkAs("safe leaves a", a, nil, av)
	incr := mk(make([]float32, n))
	got, err = tensor.Add(a, b, tensor.WithIncr(incr))
	check("incr from zero", got, err)
	got, err = tensor.Add(a, b, tensor.UseUnsafe())
	check("unsafe", got, err)
	if got != tensor.Tensor(a) {
		t.Errorf("unsafe: the result is not a")
	}

	f64 := func() *tensor.Dense {
		return tensor.New(tensor.WithEngine(engine{}), tensor.WithShape(2), tensor.WithBacking([]float64{1, 2}))
	}
	if got, err := tensor.Add(f64(), f64(), tensor.UseUnsafe()); err != nil || got.Data().([]float64)[1] != 4 {
		t.Errorf("float64: %v, %v", got, err)
	}
	other := tensor.New(tensor.WithEngine(engine{}), tensor.WithShape(2, n/2), tensor.WithBacking(vals(n, 1)))
	if _, err := tensor.Add(a, other, tensor.WithReuse(reuse)); err == nil {
		t.Errorf("(3, %d) + (2, %d): no error", n/3, n/2)
	}
}

// TestProgramsSumGradientsWithEngine: a float32 input read by two ops gets
// the sum of their gradients from gorgonia's own Add, which now runs
// through the ops' engine (the tape sets it on every value); the gradient
// is the sum.
func TestProgramsSumGradientsWithEngine(t *testing.T) {
	g, err := graph.New(tensor.Float32)
	if err != nil {
		t.Fatal(err)
	}
	x, _ := g.Input("x", 2, 3)
	r, err := ReLU(x)
	if err != nil {
		t.Fatal(err)
	}
	s1, _ := Sum(r)
	s2, _ := Sum(x)
	loss, err := gorgonia.Add(s1, s2)
	if err != nil {
		t.Fatal(err)
	}
	grads, err := g.Grad(loss, x)
	if err != nil {
		t.Fatal(err)
	}
	prog, err := g.Compile(grads[0])
	if err != nil {
		t.Fatal(err)
	}
	vals, err := prog.Run(graph.Feeds{"x": tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float32{-1, 2, -3, 4, 0.5, -0.5}))})
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{1, 2, 1, 2, 2, 1} // 1 from Σx, plus 1 where x > 0 from Σ relu(x)
	for i, v := range vals[0].Data().([]float32) {
		if v != want[i] {
			t.Fatalf("d/dx = %v, want %v", vals[0].Data(), want)
		}
	}
	if _, ok := graph.Engine().(engine); !ok {
		t.Errorf("programs' engine is %T, want ops' engine", graph.Engine())
	}
}
