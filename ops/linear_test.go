package ops_test

import (
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/graph"
	"github.com/convgraph/convgraph/graph/gradcheck"
	"github.com/convgraph/convgraph/ops"
)

// x (N=3, in=5), w (out=4, in=5), b (4): every size differs.
func linearInputs(seed int64) []tensor.Tensor {
	return []tensor.Tensor{
		gradcheck.Random(tensor.Shape{3, 5}, seed),
		gradcheck.Random(tensor.Shape{4, 5}, seed+1),
		gradcheck.Random(tensor.Shape{4}, seed+2),
	}
}

func TestLinearGrad(t *testing.T) {
	withBias := func(in gorgonia.Nodes) (*gorgonia.Node, error) { return ops.Linear(in[0], in[1], in[2]) }
	noBias := func(in gorgonia.Nodes) (*gorgonia.Node, error) { return ops.Linear(in[0], in[1], nil) }
	in := linearInputs(1)
	t.Run("bias", func(t *testing.T) {
		gradcheck.Assert(t, withBias, in, gradcheck.Default)
		matmulAgree32(t, withBias, in...)
	})
	t.Run("no bias", func(t *testing.T) { gradcheck.Assert(t, noBias, in[:2], gradcheck.Default) })
}

// TestLinearReuse feeds x to two layers and adds them: x's gradient is the
// sum of both paths. With one weight the two Linear nodes are one node
// (same op, same inputs), used twice.
func TestLinearReuse(t *testing.T) {
	two := func(in gorgonia.Nodes) (*gorgonia.Node, error) {
		y1, err := ops.Linear(in[0], in[1], in[2])
		if err != nil {
			return nil, err
		}
		y2, err := ops.Linear(in[0], in[3], nil)
		if err != nil {
			return nil, err
		}
		return ops.Add(y1, y2)
	}
	in := append(linearInputs(2), gradcheck.Random(tensor.Shape{4, 5}, 9))
	gradcheck.Assert(t, two, in, gradcheck.Default)

	same := func(in gorgonia.Nodes) (*gorgonia.Node, error) {
		y1, err := ops.Linear(in[0], in[1], in[2])
		if err != nil {
			return nil, err
		}
		y2, err := ops.Linear(in[0], in[1], in[2])
		if err != nil {
			return nil, err
		}
		return ops.Add(y1, y2)
	}
	gradcheck.Assert(t, same, linearInputs(3), gradcheck.Default)

	square := func(in gorgonia.Nodes) (*gorgonia.Node, error) { // y = Linear(x) + x with a (5, 5) weight
		y, err := ops.Linear(in[0], in[1], in[2])
		if err != nil {
			return nil, err
		}
		return ops.Add(y, in[0])
	}
	gradcheck.Assert(t, square, []tensor.Tensor{
		gradcheck.Random(tensor.Shape{3, 5}, 4), gradcheck.Random(tensor.Shape{5, 5}, 5), gradcheck.Random(tensor.Shape{5}, 6),
	}, gradcheck.Default)
}

// TestLinearValues: one sample x = (1, 2) through W = [1 0; 0 1; 1 1], b = (0.5, −1, 2).
func TestLinearValues(t *testing.T) {
	x := tensorOf(tensor.Shape{1, 2}, 1, 2)
	w := tensorOf(tensor.Shape{3, 2}, 1, 0, 0, 1, 1, 1)
	b := tensorOf(tensor.Shape{3}, 0.5, -1, 2)
	f := func(in gorgonia.Nodes) (*gorgonia.Node, error) { return ops.Linear(in[0], in[1], in[2]) }
	assertClose(t, "linear", run(t, f, x, w, b), []float64{1.5, 1, 5}, 0)
}

func TestLinearShapeErrors(t *testing.T) {
	g, err := graph.New(tensor.Float64)
	must(t, err)
	x, _ := g.Input("x", 3, 5)
	w, _ := g.Input("w", 4, 6)
	w45, _ := g.Input("w45", 4, 5)
	b3, _ := g.Input("b3", 3)
	img, _ := g.Input("img", 3, 1, 5)
	_, err = ops.Linear(x, w, nil)
	opsWantError(t, "features", err, "(3, 5)", "(4, 6)", "5 features", "expects 6")
	_, err = ops.Linear(x, w45, b3)
	opsWantError(t, "bias", err, "(4, 5)", "(3)")
	_, err = ops.Linear(img, w45, nil)
	opsWantError(t, "rank", err, "(3, 1, 5)", "(4, 5)")
	_, err = ops.Linear(nil, w45, nil)
	opsWantError(t, "nil", err, "nil")
}
