package ops_test

import (
	"math"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/graph"
	"github.com/convgraph/convgraph/graph/gradcheck"
	"github.com/convgraph/convgraph/ops"
)

func TestPointwiseGrad(t *testing.T) {
	fns := map[string]func(*gorgonia.Node) (*gorgonia.Node, error){
		"relu": ops.ReLU, "sigmoid": ops.Sigmoid, "tanh": ops.Tanh, "lecun_tanh": ops.LeCunTanh,
	}
	for name, fn := range fns {
		for _, c := range []struct {
			name string
			x    *tensor.Dense
		}{
			{"mixed", gradcheck.Distinct(tensor.Shape{2, 3, 4, 5}, 1)},
			{"negative", gradcheck.Negative(tensor.Shape{3, 2}, 2)},
		} {
			t.Run(name+"/"+c.name, func(t *testing.T) {
				f := func(in gorgonia.Nodes) (*gorgonia.Node, error) { return fn(in[0]) }
				gradcheck.Assert(t, f, []tensor.Tensor{c.x}, gradcheck.Default)
			})
		}
		t.Run(name+"/reuse", func(t *testing.T) { // y = f(x) + x: both paths add up
			f := func(in gorgonia.Nodes) (*gorgonia.Node, error) {
				y, err := fn(in[0])
				if err != nil {
					return nil, err
				}
				return ops.Add(y, in[0])
			}
			gradcheck.Assert(t, f, []tensor.Tensor{gradcheck.Distinct(tensor.Shape{2, 7}, 3)}, gradcheck.Default)
		})
	}
}

// TestReLUKink pins relu'(0) = 0 exactly, as tinygrad's test_relu_exact does.
func TestReLUKink(t *testing.T) {
	x := tensor.New(tensor.WithShape(3), tensor.WithBacking([]float64{-1, 0, 1}))
	y, dx := forwardBackward(t, ops.ReLU, x)
	assertClose(t, "relu", y, []float64{0, 0, 1}, 0)
	assertClose(t, "relu'", dx, []float64{0, 0, 1}, 0)
}

func TestPointwiseValues(t *testing.T) {
	x := tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{-2, 0.5}))
	y, _ := forwardBackward(t, ops.Sigmoid, x)
	assertClose(t, "sigmoid", y, []float64{1 / (1 + math.Exp(2)), 1 / (1 + math.Exp(-0.5))}, 1e-15)
	y, _ = forwardBackward(t, ops.LeCunTanh, x)
	assertClose(t, "lecun_tanh", y, []float64{1.7159 * math.Tanh(-4.0/3), 1.7159 * math.Tanh(1.0/3)}, 1e-15)
}

func TestPointwiseUnknown(t *testing.T) {
	g, err := graph.New(tensor.Float64)
	must(t, err)
	x, err := g.Input("x", 2)
	must(t, err)
	if _, err := ops.Pointwise("softplus", x); err == nil || !strings.Contains(err.Error(), `unknown function "softplus"`) {
		t.Fatalf("want an error naming the unknown function, got %v", err)
	}
	if _, err := ops.Pointwise("relu", nil); err == nil || !strings.Contains(err.Error(), "nil input") {
		t.Fatalf("want a nil-input error, got %v", err)
	}
}

// TestIntegerInputIsABuildError: an op on integer inputs alone fails when
// the graph is built (it used to build, then crash the run).
func TestIntegerInputIsABuildError(t *testing.T) {
	g, err := graph.New(tensor.Float32)
	must(t, err)
	labels, err := g.InputOf("labels", tensor.Int, 4)
	must(t, err)
	for name, f := range map[string]func(*gorgonia.Node) (*gorgonia.Node, error){"relu": ops.ReLU, "sum": ops.Sum} {
		if _, err := f(labels); err == nil || !strings.Contains(err.Error(), "no float32 or float64 input") {
			t.Errorf("%s of int labels: error %v, want one saying there is no float input", name, err)
		}
	}
}
