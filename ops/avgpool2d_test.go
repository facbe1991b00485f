package ops_test

import (
	"fmt"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/graph/gradcheck"
	"github.com/convgraph/convgraph/ops"
)

func TestAvgPool2DGrad(t *testing.T) {
	for _, countPad := range []bool{true, false} {
		for _, c := range poolCases {
			t.Run(fmt.Sprintf("%s/countPad=%t", c.name, countPad), func(t *testing.T) {
				f := func(in gorgonia.Nodes) (*gorgonia.Node, error) { return ops.AvgPool2D(in[0], c.p, countPad) }
				gradcheck.Assert(t, f, []tensor.Tensor{gradcheck.Distinct(c.x, 42)}, gradcheck.Default)
				gradcheck.Assert(t, f, []tensor.Tensor{gradcheck.Negative(c.x, 43)}, gradcheck.Default)
			})
		}
	}
}

func TestAvgPool2DReuse(t *testing.T) {
	p := ops.Pool2D{KH: 3, KW: 2, SH: 2, SW: 1, PadTop: 1, PadRight: 1}
	same := ops.Pool2D{KH: 3, KW: 3, SH: 1, SW: 1}.WithPad(1, 1)
	for name, f := range map[string]gradcheck.Func{
		"pool(x)+pool(x)": func(in gorgonia.Nodes) (*gorgonia.Node, error) {
			a, err := ops.AvgPool2D(in[0], p, false)
			if err != nil {
				return nil, err
			}
			b, err := ops.AvgPool2D(in[0], p, false)
			if err != nil {
				return nil, err
			}
			return ops.Add(a, b)
		},
		// Both divisors of one geometry in one graph: the two ops must not
		// merge into one node (their String differs in count pad).
		"pool(x,countPad)+pool(x,valid)": func(in gorgonia.Nodes) (*gorgonia.Node, error) {
			a, err := ops.AvgPool2D(in[0], p, true)
			if err != nil {
				return nil, err
			}
			b, err := ops.AvgPool2D(in[0], p, false)
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
			return ops.AvgPool2D(xx, p, true)
		},
		"pool(x)+x": func(in gorgonia.Nodes) (*gorgonia.Node, error) {
			y, err := ops.AvgPool2D(in[0], same, false)
			if err != nil {
				return nil, err
			}
			return ops.Add(y, in[0])
		},
	} {
		t.Run(name, func(t *testing.T) {
			gradcheck.Assert(t, f, []tensor.Tensor{gradcheck.Distinct(tensor.Shape{2, 3, 5, 4}, 5)}, gradcheck.Default)
		})
	}
}

// TestAvgPool2DPadding is a hand example: x = [1 2; 3 4], 2×2 windows at
// stride 1 with a ring of padding, so 8 of the 9 windows overlap the padding.
// With countPad every window divides by 4 and each x sits in 4 windows, so
// d sum(y)/dx = 4·(1/4) = 1. Without, a window divides by what it covers:
// each x is alone in a corner (1), shares two edge windows (1/2 each) and the
// centre (1/4), so d sum(y)/dx = 1 + 1/2 + 1/2 + 1/4 = 2.25.
func TestAvgPool2DPadding(t *testing.T) {
	x := tensorOf(tensor.Shape{1, 1, 2, 2}, 1, 2, 3, 4)
	p := ops.Pool2D{KH: 2, KW: 2, SH: 1, SW: 1}.WithPad(1, 1)
	for _, c := range []struct {
		countPad      bool
		wantY, wantDx []float64
	}{
		{true, []float64{
			0.25, 0.75, 0.5,
			1, 2.5, 1.5,
			0.75, 1.75, 1,
		}, []float64{1, 1, 1, 1}},
		{false, []float64{
			1, 1.5, 2,
			2, 2.5, 3,
			3, 3.5, 4,
		}, []float64{2.25, 2.25, 2.25, 2.25}},
	} {
		pool := func(x *gorgonia.Node) (*gorgonia.Node, error) { return ops.AvgPool2D(x, p, c.countPad) }
		for _, in := range []tensor.Tensor{x, toFloat32(x)} {
			what := fmt.Sprintf("countPad=%t %v", c.countPad, in.Dtype())
			y, dx := forwardBackward(t, pool, in)
			assertClose(t, what+" y", y, c.wantY, 1e-7)
			assertClose(t, what+" dx", dx, c.wantDx, 1e-7)
		}
	}
}
