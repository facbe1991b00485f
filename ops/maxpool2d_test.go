package ops_test

import (
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/graph/gradcheck"
	"github.com/convgraph/convgraph/ops"
)

func TestMaxPool2DGrad(t *testing.T) {
	for _, c := range poolCases {
		t.Run(c.name, func(t *testing.T) {
			f := func(in gorgonia.Nodes) (*gorgonia.Node, error) { return ops.MaxPool2D(in[0], c.p) }
			// Distinct: no ties, since finite differences lie at a tie (a kink).
			gradcheck.Assert(t, f, []tensor.Tensor{gradcheck.Distinct(c.x, 42)}, gradcheck.Default)
			// All-negative windows, padded ones included: catches a running max
			// started at 0 or at the smallest positive float, and padding read as 0.
			gradcheck.Assert(t, f, []tensor.Tensor{gradcheck.Negative(c.x, 43)}, gradcheck.Default)
		})
	}
}

func TestMaxPool2DReuse(t *testing.T) {
	p := ops.Pool2D{KH: 3, KW: 2, SH: 2, SW: 1, PadTop: 1, PadRight: 1}
	same := ops.Pool2D{KH: 3, KW: 3, SH: 1, SW: 1}.WithPad(1, 1) // output shape = input shape
	for name, f := range map[string]gradcheck.Func{
		"pool(x)+pool(x)": func(in gorgonia.Nodes) (*gorgonia.Node, error) {
			a, err := ops.MaxPool2D(in[0], p)
			if err != nil {
				return nil, err
			}
			b, err := ops.MaxPool2D(in[0], p)
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
			return ops.MaxPool2D(xx, p)
		},
		"pool(x)+x": func(in gorgonia.Nodes) (*gorgonia.Node, error) {
			y, err := ops.MaxPool2D(in[0], same)
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

// TestMaxPool2DLecture is the lecture's worked example (§5): 2×2 windows,
// stride 2; d sum(y)/dx is 1 at each window's maximum, 0 elsewhere.
func TestMaxPool2DLecture(t *testing.T) {
	x := tensorOf(tensor.Shape{1, 1, 4, 4},
		1, 1, 2, 4,
		5, 6, 7, 8,
		3, 2, 1, 0,
		1, 2, 3, 4)
	pool := func(x *gorgonia.Node) (*gorgonia.Node, error) {
		return ops.MaxPool2D(x, ops.Pool2D{KH: 2, KW: 2, SH: 2, SW: 2})
	}
	wantDx := []float64{
		0, 0, 0, 0,
		0, 1, 0, 1,
		1, 0, 0, 0,
		0, 0, 0, 1,
	}
	for _, in := range []tensor.Tensor{x, toFloat32(x)} {
		y, dx := forwardBackward(t, pool, in)
		assertClose(t, "y "+in.Dtype().String(), y, []float64{6, 8, 3, 4}, 0)
		assertClose(t, "dx "+in.Dtype().String(), dx, wantDx, 0)
	}
}

// TestMaxPool2DExact pins the rules the gradient check cannot see.
func TestMaxPool2DExact(t *testing.T) {
	for _, c := range []struct {
		name          string
		x             *tensor.Dense
		p             ops.Pool2D
		wantY, wantDx []float64
	}{
		{ // a tie: the whole gradient goes to the first maximum in row-major order
			"tie", tensorOf(tensor.Shape{1, 1, 2, 2}, 5, 5, 5, 5), ops.Pool2D{KH: 2, KW: 2},
			[]float64{5}, []float64{1, 0, 0, 0},
		},
		{ // the centre is the maximum of all four overlapping 3×3 windows: grads add up
			"overlap", tensorOf(tensor.Shape{1, 1, 5, 5},
				0, 1, 0, 1, 0,
				1, 0, 1, 0, 1,
				0, 1, 9, 1, 0,
				1, 0, 1, 0, 1,
				0, 1, 0, 1, 0),
			ops.Pool2D{KH: 3, KW: 3, SH: 2, SW: 2},
			[]float64{9, 9, 9, 9},
			[]float64{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
		},
		{ // all negative, padded by 1: padding is −∞, never 0
			"negative padded", tensorOf(tensor.Shape{1, 1, 2, 2}, -3, -1, -2, -4),
			ops.Pool2D{KH: 2, KW: 2, SH: 1, SW: 1}.WithPad(1, 1),
			[]float64{-3, -1, -1, -2, -1, -1, -2, -2, -4},
			[]float64{1, 4, 3, 1},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			pool := func(x *gorgonia.Node) (*gorgonia.Node, error) { return ops.MaxPool2D(x, c.p) }
			y, dx := forwardBackward(t, pool, c.x)
			assertClose(t, "y", y, c.wantY, 0)
			assertClose(t, "dx", dx, c.wantDx, 0)
		})
	}
}
