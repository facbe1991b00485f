package nn

import (
	"math"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/ops"
)

// TestStatelessLayers builds every layer without parameters in both modes
// and both dtypes on an input (2, 6, 7, 5) (unequal sizes everywhere).
func TestStatelessLayers(t *testing.T) {
	in := []int{2, 6, 7, 5}
	double := LayerFunc("double", func(_ *Builder, x *gorgonia.Node) (*gorgonia.Node, error) { return ops.Add(x, x) })
	cases := []struct {
		layer Layer
		out   tensor.Shape
	}{
		{ReLU, tensor.Shape{2, 6, 7, 5}},
		{Tanh, tensor.Shape{2, 6, 7, 5}},
		{Sigmoid, tensor.Shape{2, 6, 7, 5}},
		{LeCunTanh, tensor.Shape{2, 6, 7, 5}},
		{MaxPool2D(ops.Pool2D{KH: 2, KW: 2}), tensor.Shape{2, 6, 3, 2}},
		{MaxPool2D(ops.Pool2D{KH: 3, KW: 3, SH: 2, SW: 2}.WithPad(1, 1)), tensor.Shape{2, 6, 4, 3}},
		{AvgPool2D(ops.Pool2D{KH: 3, KW: 2, SH: 1, SW: 2}, false), tensor.Shape{2, 6, 5, 2}},
		{AvgPool2D(ops.Pool2D{KH: 2, KW: 2}.WithPad(1, 1), true), tensor.Shape{2, 6, 4, 3}},
		{GlobalAvgPool2D(), tensor.Shape{2, 6}},
		{LRN(ops.LRNParams{Size: 5, Alpha: 1e-4, Beta: 0.75, K: 2}), tensor.Shape{2, 6, 7, 5}},
		{Flatten(), tensor.Shape{2, 210}},
		{Dropout("drop", 0.5), tensor.Shape{2, 6, 7, 5}},
		{double, tensor.Shape{2, 6, 7, 5}},
	}
	for _, c := range cases {
		t.Run(kind(c.layer), func(t *testing.T) {
			if len(c.layer.Params()) != 0 {
				t.Errorf("stateless layer has parameters %v", c.layer.Params())
			}
			for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
				for _, mode := range []Mode{Train, Eval} {
					_, y := forward(t, c.layer, mode, 1, ramp(dt, in...))
					if !y.Shape().Eq(c.out) || y.Dtype() != dt {
						t.Errorf("%v %v: output %v %v, want %v", dt, mode, y.Dtype(), y.Shape(), c.out)
					}
				}
			}
		})
	}
}

func TestActivationValues(t *testing.T) {
	x := f64(tensor.Shape{1, 3}, -1, 0, 2)
	cases := []struct {
		layer Layer
		want  []float64
	}{
		{ReLU, []float64{0, 0, 2}},
		{Tanh, []float64{math.Tanh(-1), 0, math.Tanh(2)}},
		{Sigmoid, []float64{1 / (1 + math.E), 0.5, 1 / (1 + math.Exp(-2))}},
		{LeCunTanh, []float64{-1.7159 * math.Tanh(2.0/3), 0, 1.7159 * math.Tanh(4.0/3)}},
	}
	for _, c := range cases {
		_, y := forward(t, c.layer, Eval, 0, x)
		near(t, kind(c.layer), floatsOf(y), c.want, 1e-12)
	}
}

func TestPoolErrorsNameTheLayer(t *testing.T) {
	model := NewSequential("features", ReLU, MaxPool2D(ops.Pool2D{KH: 9, KW: 9}))
	_, err := Build(model, tensor.Float32, Eval, 0, 1, 2, 4, 4)
	wantErr(t, err, "features", "layer 1", "MaxPool2D", "(1, 2, 4, 4)")
}
