package ops

import (
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/graph/gradcheck"
)

// TestConvGradOpsGrad checks the gradients of the two companion ops (so a
// second derivative of Conv2D is right) against central differences.
func TestConvGradOpsGrad(t *testing.T) {
	cases := []struct {
		name string
		x, w tensor.Shape
		c    Conv
	}{
		{"unequal", tensor.Shape{2, 2, 6, 5}, tensor.Shape{3, 2, 3, 2}, Conv{StrideH: 2, PadTop: 1, PadRight: 2}},
		{"groups_dilation", tensor.Shape{1, 4, 7, 6}, tensor.Shape{2, 2, 2, 3}, Conv{Groups: 2, DilationH: 2, StrideW: 2}},
	}
	for i, c := range cases {
		c.c = c.c.normal()
		y, err := c.c.OutShape(c.x, c.w)
		if err != nil {
			t.Fatal(err)
		}
		x, w := gradcheck.Random(c.x, int64(i)), gradcheck.Random(c.w, int64(10+i))
		dy := gradcheck.Random(y, int64(20+i))
		t.Run(c.name+"/input_grad", func(t *testing.T) {
			f := func(in gorgonia.Nodes) (*gorgonia.Node, error) {
				return apply(conv2dInputGradOp{c: c.c, x: c.x}, in[0], in[1])
			}
			gradcheck.Assert(t, f, []tensor.Tensor{w, dy}, gradcheck.Default)
		})
		t.Run(c.name+"/filter_grad", func(t *testing.T) {
			f := func(in gorgonia.Nodes) (*gorgonia.Node, error) {
				return apply(conv2dFilterGradOp{c: c.c, w: c.w}, in[0], in[1])
			}
			gradcheck.Assert(t, f, []tensor.Tensor{x, dy}, gradcheck.Default)
		})
	}
}

// TestConvGradOpsShapes: the companion ops check their inputs too, naming
// every shape, since the VM never checks what Do returns.
func TestConvGradOpsShapes(t *testing.T) {
	c := Conv{}.normal()
	x, w := tensor.Shape{1, 2, 5, 5}, tensor.Shape{3, 2, 3, 3}
	for _, tc := range []struct {
		name string
		s    spec
		in   []tensor.Shape
		want []string
	}{
		{"input_grad_dy", conv2dInputGradOp{c: c, x: x}, []tensor.Shape{w, {1, 3, 4, 3}}, []string{"(1, 3, 4, 3)", "want (1, 3, 3, 3)"}},
		{"input_grad_w", conv2dInputGradOp{c: c, x: x}, []tensor.Shape{{3, 1, 3, 3}, {1, 3, 3, 3}}, []string{"(3, 1, 3, 3)", "weight expects 1"}},
		{"filter_grad_dy", conv2dFilterGradOp{c: c, w: w}, []tensor.Shape{x, {2, 3, 3, 3}}, []string{"(2, 3, 3, 3)", "want (1, 3, 3, 3)"}},
		{"filter_grad_x", conv2dFilterGradOp{c: c, w: w}, []tensor.Shape{{1, 2, 2, 2}, {1, 3, 3, 3}}, []string{"(1, 2, 2, 2)", "(3, 2, 3, 3)"}},
	} {
		_, err := tc.s.shape(tc.in)
		if err == nil {
			t.Fatalf("%s: want an error", tc.name)
		}
		op, _, _ := strings.Cut(tc.s.String(), "(")
		for _, s := range append(tc.want, op+": ") {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("%s: error %q does not contain %q", tc.name, err, s)
			}
		}
	}
}
