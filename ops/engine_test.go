package ops

import (
	"fmt"
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

// TestEngineAddFallsBack: what the fast path must leave to the standard
// engine gives the standard engine's results: a lazily transposed operand
// (its data is not in its order), a reuse tensor of another shape (the
// standard engine reshapes it), scalars; and the fast path's own decision
// is checked directly.
func TestEngineAddFallsBack(t *testing.T) {
	mk := func(e tensor.Engine, shape []int, d ...float32) *tensor.Dense {
		opts := []tensor.ConsOpt{tensor.WithShape(shape...), tensor.WithBacking(d)}
		if e != nil {
			opts = append(opts, tensor.WithEngine(e))
		}
		return tensor.New(opts...)
	}
	both := func(what string, f func(e tensor.Engine) (tensor.Tensor, error)) {
		t.Helper()
		got, err := f(engine{})
		want, werr := f(nil)
		if (err == nil) != (werr == nil) {
			t.Fatalf("%s: error %v, standard engine's %v", what, err, werr)
		}
		if err != nil {
			return
		}
		if !got.Shape().Eq(want.Shape()) || fmt.Sprint(got.Data()) != fmt.Sprint(want.Data()) {
			t.Errorf("%s: %v %v, standard engine %v %v", what, got.Shape(), got.Data(), want.Shape(), want.Data())
		}
	}
	both("transposed + zeros, unsafe", func(e tensor.Engine) (tensor.Tensor, error) {
		a := mk(e, []int{2, 3}, 1, 2, 3, 4, 5, 6)
		if err := a.T(); err != nil {
			return nil, err
		}
		return tensor.Add(a, mk(e, []int{3, 2}, 0, 0, 0, 0, 0, 0), tensor.UseUnsafe())
	})
	both("reuse of another shape", func(e tensor.Engine) (tensor.Tensor, error) {
		return tensor.Add(mk(e, []int{2, 3}, 1, 2, 3, 4, 5, 6), mk(e, []int{2, 3}, 1, 1, 1, 1, 1, 1),
			tensor.WithReuse(mk(e, []int{6}, make([]float32, 6)...)))
	})
	both("scalars", func(e tensor.Engine) (tensor.Tensor, error) {
		opts := []tensor.ConsOpt{tensor.FromScalar(float32(2))}
		if e != nil {
			opts = append(opts, tensor.WithEngine(e))
		}
		return tensor.Add(tensor.New(opts...), tensor.New(opts...))
	})

	a, b := mk(engine{}, []int{2, 2}, 1, 2, 3, 4), mk(engine{}, []int{2, 2}, 1, 1, 1, 1)
	if _, ok := (engine{}).sum(a, b, []tensor.FuncOpt{tensor.UseUnsafe()}); !ok {
		t.Errorf("in-place float32 sum: not taken")
	}
	if _, ok := (engine{}).sum(a, b, nil); ok {
		t.Errorf("safe sum (a new tensor): taken")
	}
	if err := a.T(); err != nil {
		t.Fatal(err)
	}
	if _, ok := (engine{}).sum(a, b, []tensor.FuncOpt{tensor.UseUnsafe()}); ok {
		t.Errorf("transposed operand: taken")
	}
}
