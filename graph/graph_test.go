package graph_test

import (
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/graph"
	"github.com/convgraph/convgraph/ops"
)

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%+v", err)
	}
}

func vec(vals ...float64) *tensor.Dense {
	return tensor.New(tensor.WithShape(len(vals)), tensor.WithBacking(vals))
}

// affine builds y = x ⊙ w + x with a parameter w bound to wt.
func affine(t *testing.T, wt tensor.Tensor) (*graph.Graph, *gorgonia.Node, *gorgonia.Node, *gorgonia.Node) {
	t.Helper()
	g, err := graph.New(tensor.Float64)
	must(t, err)
	x, err := g.Input("x", 3)
	must(t, err)
	w, err := g.Param("w", wt)
	must(t, err)
	xw, err := ops.Mul(x, w)
	must(t, err)
	y, err := ops.Add(xw, x)
	must(t, err)
	return g, x, w, y
}

func wantErr(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want an error containing %q, got nil", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Fatalf("error %q does not mention %q", err, p)
		}
	}
}

func TestRunValuesAndGradients(t *testing.T) {
	g, x, w, y := affine(t, vec(2, 3, 4))
	loss, err := ops.Sum(y)
	must(t, err)
	grads, err := g.Grad(loss, x, w)
	must(t, err)
	prog, err := g.Compile(y, loss, grads[0], grads[1])
	must(t, err)
	vals, err := prog.Run(graph.Feeds{"x": vec(1, -1, 0.5)})
	must(t, err)
	want := [][]float64{{3, -4, 2.5}, {1.5}, {3, 4, 5}, {1, -1, 0.5}} // y, loss, dx = w+1, dw = x
	for i, w := range want {
		got := vals[i].Data()
		if f, ok := got.(float64); ok {
			got = []float64{f}
		}
		for j := range w {
			if got.([]float64)[j] != w[j] {
				t.Fatalf("output %d = %v, want %v", i, got, w)
			}
		}
	}
}

func TestOutputsAreCopies(t *testing.T) {
	g, _, _, y := affine(t, vec(1, 1, 1))
	prog, err := g.Compile(y)
	must(t, err)
	first, err := prog.Run(graph.Feeds{"x": vec(1, 2, 3)})
	must(t, err)
	_, err = prog.Run(graph.Feeds{"x": vec(7, 8, 9)})
	must(t, err)
	if got := first[0].Data().([]float64); got[0] != 2 || got[2] != 6 {
		t.Fatalf("a later run overwrote an earlier result: %v", got)
	}
}

// TestSharedParameter: one tensor serves two graphs, updated in place between runs.
func TestSharedParameter(t *testing.T) {
	wt := vec(1, 1, 1)
	g1, _, _, y1 := affine(t, wt)
	g2, _, _, y2 := affine(t, wt)
	p1, err := g1.Compile(y1)
	must(t, err)
	p2, err := g2.Compile(y2)
	must(t, err)
	feeds := graph.Feeds{"x": vec(1, 1, 1)}
	wt.Data().([]float64)[0] = 10
	for _, p := range []*graph.Program{p1, p2} {
		v, err := p.Run(feeds)
		must(t, err)
		if got := v[0].Data().([]float64)[0]; got != 11 {
			t.Fatalf("y[0] = %v, want 11 after updating the shared parameter", got)
		}
	}
	if got := wt.Data().([]float64); got[0] != 10 || got[1] != 1 {
		t.Fatalf("running changed the parameter: %v", got)
	}
}

func TestFeedErrors(t *testing.T) {
	g, _, _, y := affine(t, vec(1, 1, 1))
	prog, err := g.Compile(y)
	must(t, err)
	_, err = prog.Run(graph.Feeds{})
	wantErr(t, err, "missing feed", `"x"`, "(3)")
	_, err = prog.Run(graph.Feeds{"x": vec(1, 2)})
	wantErr(t, err, `"x"`, "shape (2)", "want (3)")
	_, err = prog.Run(graph.Feeds{"x": tensor.New(tensor.WithShape(3), tensor.WithBacking([]float32{1, 2, 3}))})
	wantErr(t, err, `"x"`, "float32", "float64")
	_, err = prog.Run(graph.Feeds{"x": vec(1, 2, 3), "z": vec(1)})
	wantErr(t, err, `"z"`, "no such input")
	_, err = prog.Run(graph.Feeds{"x": vec(1, 2, 3), "w": vec(1, 2, 3)})
	wantErr(t, err, `"w"`, "parameter")
}

func TestDeclarationErrors(t *testing.T) {
	_, err := graph.New(tensor.Int)
	wantErr(t, err, "int")
	g, err := graph.New(tensor.Float32)
	must(t, err)
	_, err = g.Input("x", 2, 0)
	wantErr(t, err, `"x"`, "(2, 0)")
	_, err = g.Input("x", 2)
	must(t, err)
	_, err = g.Input("x", 3)
	wantErr(t, err, `"x"`, "taken")
	_, err = g.Param("w", vec(1, 2))
	wantErr(t, err, `"w"`, "float64", "float32")
	_, err = g.Generated("m", []int{2}, nil)
	wantErr(t, err, `"m"`, "nil fill")
}

func TestGradErrors(t *testing.T) {
	g, x, _, y := affine(t, vec(1, 1, 1))
	_, err := g.Grad(y, x)
	wantErr(t, err, "scalar", "(3)")
	other, x2, _, y2 := affine(t, vec(1, 1, 1))
	loss, err := ops.Sum(y2)
	must(t, err)
	_, err = g.Grad(loss, x)
	wantErr(t, err, "another graph")
	_, err = other.Grad(loss, x)
	wantErr(t, err, "not an input or parameter of this graph")
	_, err = other.Grad(loss, x2)
	must(t, err)
}

// TestForwardProgramNeedsNoGradients: a program compiled for the loss alone
// from a graph that also holds gradients runs only the forward part.
func TestForwardProgramNeedsNoGradients(t *testing.T) {
	g, x, w, y := affine(t, vec(1, 2, 3))
	loss, err := ops.Sum(y)
	must(t, err)
	_, err = g.Grad(loss, x, w)
	must(t, err)
	prog, err := g.Compile(y)
	must(t, err)
	if in := prog.Inputs(); len(in) != 1 || in[0] != "x" {
		t.Fatalf("inputs = %v, want [x]", in)
	}
	if !strings.Contains(g.ToDot(), "digraph") {
		t.Fatal("ToDot did not render a digraph")
	}
}

func TestGeneratedInput(t *testing.T) {
	g, err := graph.New(tensor.Float64)
	must(t, err)
	x, err := g.Input("x", 2)
	must(t, err)
	calls := 0.0
	m, err := g.Generated("mask", []int{2}, func(t tensor.Tensor) error {
		calls++
		d := t.Data().([]float64)
		d[0], d[1] = calls, 0
		return nil
	})
	must(t, err)
	y, err := ops.Mul(x, m)
	must(t, err)
	prog, err := g.Compile(y)
	must(t, err)
	for run := 1.0; run <= 2; run++ {
		v, err := prog.Run(graph.Feeds{"x": vec(3, 5)})
		must(t, err)
		if got := v[0].Data().([]float64); got[0] != 3*run || got[1] != 0 {
			t.Fatalf("run %v: y = %v, want [%v 0]", run, got, 3*run)
		}
	}
}

// TestGradOnce: a second Grad on one graph is an error, not gorgonia's
// cached gradient of the first loss.
func TestGradOnce(t *testing.T) {
	g, x, w, y := affine(t, vec(1, 2, 3))
	sum, err := ops.Sum(y)
	must(t, err)
	mean, err := ops.Mean(y)
	must(t, err)
	_, err = g.Grad(sum, w)
	must(t, err)
	_, err = g.Grad(mean, x, w)
	wantErr(t, err, "already differentiated")
}

// TestRunIntoReusesBuffers: RunInto writes into the tensors it is given
// when they fit, and allocates for the rest.
func TestRunIntoReusesBuffers(t *testing.T) {
	g, _, _, y := affine(t, vec(1, 1, 1))
	prog, err := g.Compile(y)
	must(t, err)
	first, err := prog.RunInto(graph.Feeds{"x": vec(1, 2, 3)}, nil)
	must(t, err)
	second, err := prog.RunInto(graph.Feeds{"x": vec(4, 5, 6)}, first)
	must(t, err)
	if second[0] != first[0] {
		t.Fatal("RunInto did not reuse the tensor it was given")
	}
	if got := second[0].Data().([]float64); got[0] != 8 || got[2] != 12 {
		t.Fatalf("y = %v, want [8 10 12]", got)
	}
	wrong := []tensor.Tensor{vec(0, 0)}
	third, err := prog.RunInto(graph.Feeds{"x": vec(1, 1, 1)}, wrong)
	must(t, err)
	if third[0] == wrong[0] || third[0].Shape()[0] != 3 {
		t.Fatalf("RunInto wrote into a tensor of the wrong shape: %v", third[0].Shape())
	}
}
