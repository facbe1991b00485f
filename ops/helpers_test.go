package ops_test

import (
	"math"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/graph"
)

// forwardBackward runs y = f(x) and dx = d sum(y)/dx in the dtype of x.
func forwardBackward(t *testing.T, f func(*gorgonia.Node) (*gorgonia.Node, error), x tensor.Tensor) (y, dx tensor.Tensor) {
	t.Helper()
	g, err := graph.New(x.Dtype())
	must(t, err)
	xn, err := g.Input("x", x.Shape()...)
	must(t, err)
	yn, err := f(xn)
	must(t, err)
	flat, err := gorgonia.Reshape(yn, tensor.Shape{yn.Shape().TotalSize()})
	must(t, err)
	loss, err := gorgonia.Sum(flat)
	must(t, err)
	grads, err := g.Grad(loss, xn)
	must(t, err)
	prog, err := g.Compile(yn, grads[0])
	must(t, err)
	vals, err := prog.Run(graph.Feeds{"x": x})
	must(t, err)
	return vals[0], vals[1]
}

// run evaluates f on the inputs (fed as x0, x1, ...) in their dtype.
func run(t *testing.T, f func(gorgonia.Nodes) (*gorgonia.Node, error), inputs ...tensor.Tensor) tensor.Tensor {
	t.Helper()
	g, err := graph.New(inputs[0].Dtype())
	must(t, err)
	feeds := graph.Feeds{}
	nodes := make(gorgonia.Nodes, len(inputs))
	for i, x := range inputs {
		name := string(rune('a' + i))
		nodes[i], err = g.InputOf(name, x.Dtype(), x.Shape()...)
		must(t, err)
		feeds[name] = x
	}
	y, err := f(nodes)
	must(t, err)
	prog, err := g.Compile(y)
	must(t, err)
	vals, err := prog.Run(feeds)
	must(t, err)
	return vals[0]
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%+v", err)
	}
}

// assertClose compares a tensor's elements with want, within tol relative
// (absolute near zero).
func assertClose(t *testing.T, what string, got tensor.Tensor, want []float64, tol float64) {
	t.Helper()
	g := toFloat64(got)
	if len(g) != len(want) {
		t.Fatalf("%s: %d values %v, want %d %v", what, len(g), g, len(want), want)
	}
	for i := range want {
		if d := math.Abs(g[i] - want[i]); d > tol*math.Max(1, math.Abs(want[i])) || math.IsNaN(g[i]) {
			t.Fatalf("%s: element %d = %v, want %v (all: %v)", what, i, g[i], want[i], g)
		}
	}
}

func toFloat64(t tensor.Tensor) []float64 {
	switch d := t.Data().(type) {
	case []float64:
		return d
	case float64:
		return []float64{d}
	case []float32:
		out := make([]float64, len(d))
		for i, v := range d {
			out[i] = float64(v)
		}
		return out
	case float32:
		return []float64{float64(d)}
	}
	return nil
}

// toFloat32 converts a float64 tensor to float32, for float32-vs-float64 agreement tests.
func toFloat32(x tensor.Tensor) tensor.Tensor {
	src := x.Data().([]float64)
	dst := make([]float32, len(src))
	for i, v := range src {
		dst[i] = float32(v)
	}
	return tensor.New(tensor.WithShape(x.Shape()...), tensor.WithBacking(dst))
}

func tensorOf(shape tensor.Shape, vals ...float64) *tensor.Dense {
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(vals))
}

// opsWantError fails unless err is non-nil and its message holds every part.
func opsWantError(t *testing.T, what string, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error, want one containing %q", what, parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Fatalf("%s: error %q does not contain %q", what, err, p)
		}
	}
}
