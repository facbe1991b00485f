package ops_test

import (
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/graph"
	"github.com/convgraph/convgraph/graph/gradcheck"
	"github.com/convgraph/convgraph/ops"
)

func TestGlobalAvgPool2DGrad(t *testing.T) {
	f := func(in gorgonia.Nodes) (*gorgonia.Node, error) { return ops.GlobalAvgPool2D(in[0]) }
	for _, x := range []*tensor.Dense{
		gradcheck.Distinct(tensor.Shape{2, 3, 5, 4}, 1),
		gradcheck.Negative(tensor.Shape{2, 3, 1, 7}, 2),
		gradcheck.Distinct(tensor.Shape{3, 2, 1, 1}, 3), // a 1×1 plane: the identity
	} {
		gradcheck.Assert(t, f, []tensor.Tensor{x}, gradcheck.Default)
	}
}

// TestGlobalAvgPool2DReuse: pool(x) + pool(x), and a global pool of x + x.
func TestGlobalAvgPool2DReuse(t *testing.T) {
	for name, f := range map[string]gradcheck.Func{
		"pool(x)+pool(x)": func(in gorgonia.Nodes) (*gorgonia.Node, error) {
			a, err := ops.GlobalAvgPool2D(in[0])
			if err != nil {
				return nil, err
			}
			b, err := ops.GlobalAvgPool2D(in[0])
			if err != nil {
				return nil, err
			}
			return ops.Add(a, b)
		},
		"pool(x+x)": func(in gorgonia.Nodes) (*gorgonia.Node, error) {
			xx, err := ops.Add(in[0], in[0])
			if err != nil {
				return nil, err
			}
			return ops.GlobalAvgPool2D(xx)
		},
	} {
		t.Run(name, func(t *testing.T) {
			gradcheck.Assert(t, f, []tensor.Tensor{gradcheck.Distinct(tensor.Shape{2, 3, 3, 4}, 4)}, gradcheck.Default)
		})
	}
}

// TestGlobalAvgPool2DValues: two 2×3 channels with means 3.5 and −1; each
// input element receives 1/6 of its channel's gradient.
func TestGlobalAvgPool2DValues(t *testing.T) {
	x := tensorOf(tensor.Shape{1, 2, 2, 3},
		1, 2, 3,
		4, 5, 6,

		-6, 0, 0,
		0, 0, 0)
	for _, in := range []tensor.Tensor{x, toFloat32(x)} {
		y, dx := forwardBackward(t, ops.GlobalAvgPool2D, in)
		if !y.Shape().Eq(tensor.Shape{1, 2}) {
			t.Fatalf("%v: y has shape %v, want (1, 2)", in.Dtype(), y.Shape())
		}
		assertClose(t, "y "+in.Dtype().String(), y, []float64{3.5, -1}, 1e-7)
		want := make([]float64, 12)
		for i := range want {
			want[i] = 1.0 / 6
		}
		assertClose(t, "dx "+in.Dtype().String(), dx, want, 1e-7)
	}
}

func TestGlobalAvgPool2DErrors(t *testing.T) {
	g, err := graph.New(tensor.Float64)
	must(t, err)
	x, err := g.Input("x", 2, 3, 4)
	must(t, err)
	if _, err := ops.GlobalAvgPool2D(x); err == nil || !strings.Contains(err.Error(), "global_avgpool2d") || !strings.Contains(err.Error(), "(2, 3, 4)") {
		t.Errorf("rank 3: error %v, want one naming global_avgpool2d and (2, 3, 4)", err)
	}
	if _, err := ops.GlobalAvgPool2D(nil); err == nil || !strings.Contains(err.Error(), "global_avgpool2d") {
		t.Errorf("nil: error %v, want one naming global_avgpool2d", err)
	}
}
