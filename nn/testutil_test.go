package nn

import (
	"math"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/graph"
)

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%+v", err)
	}
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

// forward builds model in mode and runs it once on x, returning the net and
// its output.
func forward(t *testing.T, model Layer, mode Mode, seed int64, x tensor.Tensor) (*Net, tensor.Tensor) {
	t.Helper()
	net, err := Build(model, x.Dtype(), mode, seed, x.Shape()...)
	must(t, err)
	prog, err := net.G.Compile(net.Output)
	must(t, err)
	vals, err := prog.Run(graph.Feeds{InputName: x})
	must(t, err)
	return net, vals[0]
}

// f64 makes a float64 tensor of shape from vals.
func f64(shape tensor.Shape, vals ...float64) *tensor.Dense {
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(vals))
}

// ramp is a float tensor of dt holding 0.1·(i − n/2), distinct and of both signs.
func ramp(dt tensor.Dtype, shape ...int) tensor.Tensor {
	t := tensor.New(tensor.WithShape(shape...), tensor.Of(dt))
	n := t.Size()
	fill(t, func() float64 { n--; return 0.1 * float64(n-t.Size()/2) })
	return t
}

// floatsOf reads a float tensor as float64s.
func floatsOf(t tensor.Tensor) []float64 {
	switch d := t.Data().(type) {
	case []float64:
		return d
	case []float32:
		out := make([]float64, len(d))
		for i, v := range d {
			out[i] = float64(v)
		}
		return out
	}
	panic("not a float tensor")
}

func near(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if math.Abs(got[i]-want[i]) > tol {
			t.Fatalf("%s[%d] = %.10g, want %.10g (all: %v)", what, i, got[i], want[i], got)
		}
	}
}
