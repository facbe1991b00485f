package ops_test

import (
	"math"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/graph"
	"github.com/convgraph/convgraph/graph/gradcheck"
	"github.com/convgraph/convgraph/ops"
)

// TestSoftmaxValues: softmax([1, 2, 3]) = e^i / (e + e² + e³), and both ops
// in one graph stay two nodes with different values (gorgonia merges its own).
func TestSoftmaxValues(t *testing.T) {
	g, err := graph.New(tensor.Float64)
	must(t, err)
	x, err := g.Input("x", 1, 3)
	must(t, err)
	s, err := ops.Softmax(x)
	must(t, err)
	l, err := ops.LogSoftmax(x)
	must(t, err)
	if s == l {
		t.Fatal("softmax and log_softmax of one input are one node")
	}
	prog, err := g.Compile(s, l)
	must(t, err)
	vals, err := prog.Run(graph.Feeds{"x": tensorOf(tensor.Shape{1, 3}, 1, 2, 3)})
	must(t, err)
	z := math.E + math.Exp(2) + math.Exp(3)
	assertClose(t, "softmax", vals[0], []float64{math.E / z, math.Exp(2) / z, math.Exp(3) / z}, 1e-15)
	assertClose(t, "log_softmax", vals[1], []float64{1 - math.Log(z), 2 - math.Log(z), 3 - math.Log(z)}, 1e-15)
}

// TestSoftmaxLarge: logits of ±1000 overflow a naive exp; shifted by the row
// max they give the softmax of the differences.
func TestSoftmaxLarge(t *testing.T) {
	x := tensorOf(tensor.Shape{2, 3}, 1000, 1001, 1002, -1000, 0, 1000)
	z := 1 + math.E + math.Exp(2)
	s, ds := forwardBackward(t, ops.Softmax, x)
	assertClose(t, "softmax", s, []float64{1 / z, math.E / z, math.Exp(2) / z, 0, 0, 1}, 1e-15)
	assertClose(t, "softmax'", ds, []float64{0, 0, 0, 0, 0, 0}, 1e-15) // Σ_j softmax_j = 1 whatever x
	l, dl := forwardBackward(t, ops.LogSoftmax, x)
	assertClose(t, "log_softmax", l, []float64{-math.Log(z), 1 - math.Log(z), 2 - math.Log(z), -2000, -1000, 0}, 1e-13)
	// d Σ_j log softmax_j / dx_i = 1 − K·softmax_i
	assertClose(t, "log_softmax'", dl, []float64{1 - 3/z, 1 - 3*math.E/z, 1 - 3*math.Exp(2)/z, 1, 1, -2}, 1e-13)
}

func TestSoftmaxGrad(t *testing.T) {
	for name, fn := range map[string]func(*gorgonia.Node) (*gorgonia.Node, error){"softmax": ops.Softmax, "log_softmax": ops.LogSoftmax} {
		t.Run(name, func(t *testing.T) {
			f := func(in gorgonia.Nodes) (*gorgonia.Node, error) { return fn(in[0]) }
			x := []tensor.Tensor{gradcheck.Random(tensor.Shape{3, 7}, 1)}
			gradcheck.Assert(t, f, x, gradcheck.Default)
			matmulAgree32(t, f, x...)
			reuse := func(in gorgonia.Nodes) (*gorgonia.Node, error) { // y = f(x) + x
				y, err := fn(in[0])
				if err != nil {
					return nil, err
				}
				return ops.Add(y, in[0])
			}
			gradcheck.Assert(t, reuse, []tensor.Tensor{gradcheck.Random(tensor.Shape{4, 3}, 2)}, gradcheck.Default)
		})
	}
	both := func(in gorgonia.Nodes) (*gorgonia.Node, error) { // both ops on one node, in one graph
		s, err := ops.Softmax(in[0])
		if err != nil {
			return nil, err
		}
		l, err := ops.LogSoftmax(in[0])
		if err != nil {
			return nil, err
		}
		return ops.Mul(s, l)
	}
	gradcheck.Assert(t, both, []tensor.Tensor{gradcheck.Random(tensor.Shape{3, 7}, 3)}, gradcheck.Default)
}

func TestSoftmaxShapes(t *testing.T) {
	g, err := graph.New(tensor.Float64)
	must(t, err)
	v, _ := g.Input("v", 7)
	img, _ := g.Input("img", 2, 3, 4)
	_, err = ops.Softmax(v)
	opsWantError(t, "vector", err, "softmax", "(7)", "(N, K)")
	_, err = ops.LogSoftmax(img)
	opsWantError(t, "3-D", err, "log_softmax", "(2, 3, 4)")
}

// TestSoftmaxSecondDerivative: the gradient op has no gradient of its own;
// asking for one is an error, not a panic.
func TestSoftmaxSecondDerivative(t *testing.T) {
	g, err := graph.New(tensor.Float64)
	must(t, err)
	x, _ := g.Input("x", 2, 3)
	s, err := ops.Softmax(x)
	must(t, err)
	l, err := ops.Sum(s)
	must(t, err)
	dx, err := g.Grad(l, x)
	must(t, err)
	l2, err := ops.Sum(dx[0])
	must(t, err)
	if _, err := g.Grad(l2, x); err == nil {
		t.Fatal("second derivative of softmax: no error")
	}
}
