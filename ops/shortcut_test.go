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

// TestShortcutAValues: a 1×2×3×3 input at stride 2 keeps the corners and the
// centre-free pixels (0,0) (0,2) (2,0) (2,2) of each channel, then one zero channel.
func TestShortcutAValues(t *testing.T) {
	x := tensorOf(tensor.Shape{1, 2, 3, 3},
		1, 2, 3, 4, 5, 6, 7, 8, 9,
		-1, -2, -3, -4, -5, -6, -7, -8, -9)
	short := func(x *gorgonia.Node) (*gorgonia.Node, error) { return ops.ShortcutA(x, 2, 3) }
	y, dx := forwardBackward(t, short, x)
	if !y.Shape().Eq(tensor.Shape{1, 3, 2, 2}) {
		t.Fatalf("shortcut_a of (1, 2, 3, 3) at stride 2 to 3 channels: shape %v, want (1, 3, 2, 2)", y.Shape())
	}
	assertClose(t, "shortcut_a", y, []float64{1, 3, 7, 9, -1, -3, -7, -9, 0, 0, 0, 0}, 0)
	assertClose(t, "shortcut_a'", dx, []float64{1, 0, 1, 0, 0, 0, 1, 0, 1, 1, 0, 1, 0, 0, 0, 1, 0, 1}, 0)
}

func TestShortcutAGrad(t *testing.T) {
	cases := []struct {
		name             string
		x                tensor.Shape
		stride, channels int
	}{
		{"cifar stage", tensor.Shape{2, 3, 6, 4}, 2, 6},
		{"odd sizes", tensor.Shape{3, 2, 5, 7}, 2, 5},
		{"stride 3", tensor.Shape{1, 2, 7, 4}, 3, 2},
		{"identity", tensor.Shape{2, 3, 2, 3}, 1, 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := func(in gorgonia.Nodes) (*gorgonia.Node, error) { return ops.ShortcutA(in[0], c.stride, c.channels) }
			gradcheck.Assert(t, f, []tensor.Tensor{gradcheck.Random(c.x, 1)}, gradcheck.Default)
		})
	}
	t.Run("reuse", func(t *testing.T) { // a residual sum: y = relu(x) + shortcut(x)
		f := func(in gorgonia.Nodes) (*gorgonia.Node, error) {
			s, err := ops.ShortcutA(in[0], 1, 2)
			if err != nil {
				return nil, err
			}
			r, err := ops.ReLU(in[0])
			if err != nil {
				return nil, err
			}
			return ops.Add(r, s)
		}
		gradcheck.Assert(t, f, []tensor.Tensor{gradcheck.Distinct(tensor.Shape{2, 2, 3, 4}, 2)}, gradcheck.Default)
	})
}

// TestShortcutASecondDerivative differentiates the gradient op: for
// L(x) = Σ w ⊙ ShortcutA(x), dL/dx = ShortcutAᵀ(w) is a linear function of w,
// whose own gradient is the forward op again.
func TestShortcutASecondDerivative(t *testing.T) {
	f := func(in gorgonia.Nodes) (*gorgonia.Node, error) {
		y, err := ops.ShortcutA(in[0], 2, 4)
		if err != nil {
			return nil, err
		}
		yw, err := ops.Mul(y, in[1])
		if err != nil {
			return nil, err
		}
		l, err := ops.Sum(yw)
		if err != nil {
			return nil, err
		}
		dx, err := gorgonia.Grad(l, in[0])
		if err != nil {
			return nil, err
		}
		return ops.Add(dx[0], in[0]) // + x: the checker differentiates every input
	}
	in := []tensor.Tensor{gradcheck.Random(tensor.Shape{1, 2, 4, 3}, 3), gradcheck.Random(tensor.Shape{1, 4, 2, 2}, 4)}
	gradcheck.Assert(t, f, in, gradcheck.Default)
}

func TestShortcutAShapes(t *testing.T) {
	g, err := graph.New(tensor.Float64)
	must(t, err)
	x, err := g.Input("x", 2, 8, 5, 5)
	must(t, err)
	for _, c := range []struct {
		stride, channels int
		want             string
	}{
		{2, 4, "(2, 8, 5, 5)"},
		{0, 16, "stride 0"},
	} {
		if _, err := ops.ShortcutA(x, c.stride, c.channels); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("shortcut_a(stride %d, channels %d) on (2, 8, 5, 5): error %v, want one naming %q", c.stride, c.channels, err, c.want)
		}
	}
	flat, err := g.Input("flat", 2, 8)
	must(t, err)
	if _, err := ops.ShortcutA(flat, 2, 16); err == nil || !strings.Contains(err.Error(), "(2, 8)") {
		t.Errorf("shortcut_a on (2, 8): error %v, want one naming the shape", err)
	}
}
