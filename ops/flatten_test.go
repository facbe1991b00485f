package ops_test

import (
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/graph"
	"github.com/convgraph/convgraph/graph/gradcheck"
	"github.com/convgraph/convgraph/ops"
)

func TestFlattenValues(t *testing.T) {
	x := tensorOf(tensor.Shape{2, 3, 2}, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)
	y, dx := forwardBackward(t, ops.Flatten, x)
	if !y.Shape().Eq(tensor.Shape{2, 6}) {
		t.Fatalf("flatten of (2, 3, 2): shape %v, want (2, 6)", y.Shape())
	}
	assertClose(t, "flatten", y, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 0)
	if !dx.Shape().Eq(x.Shape()) {
		t.Fatalf("flatten gradient: shape %v, want %v", dx.Shape(), x.Shape())
	}
	assertClose(t, "flatten'", dx, []float64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, 0)
}

// TestFlattenGrad: an NCHW tensor into a Linear layer, as after a conv stack.
func TestFlattenGrad(t *testing.T) {
	f := func(in gorgonia.Nodes) (*gorgonia.Node, error) {
		flat, err := ops.Flatten(in[0])
		if err != nil {
			return nil, err
		}
		return ops.Linear(flat, in[1], nil)
	}
	in := []tensor.Tensor{gradcheck.Random(tensor.Shape{3, 2, 2, 3}, 1), gradcheck.Random(tensor.Shape{4, 12}, 2)}
	gradcheck.Assert(t, f, in, gradcheck.Default)
	matmulAgree32(t, f, in...)
	// reuse: the flat view and x itself feed one sum.
	reuse := func(in gorgonia.Nodes) (*gorgonia.Node, error) {
		flat, err := ops.Flatten(in[0])
		if err != nil {
			return nil, err
		}
		y, err := ops.Mul(flat, flat)
		if err != nil {
			return nil, err
		}
		back, err := ops.Flatten(in[1])
		if err != nil {
			return nil, err
		}
		return ops.Add(y, back)
	}
	gradcheck.Assert(t, reuse, []tensor.Tensor{gradcheck.Random(tensor.Shape{3, 4, 2}, 3), gradcheck.Random(tensor.Shape{3, 2, 4}, 4)}, gradcheck.Default)
}

func TestFlattenShapes(t *testing.T) {
	g, err := graph.New(tensor.Float64)
	must(t, err)
	v, _ := g.Input("v", 5)
	m, _ := g.Input("m", 3, 5)
	_, err = ops.Flatten(v)
	opsWantError(t, "vector", err, "(5)")
	y, err := ops.Flatten(m)
	must(t, err)
	if y != m {
		t.Fatal("flatten of a matrix should be the matrix itself")
	}
}
