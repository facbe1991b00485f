package nn

import (
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestAddTo builds y = relu(x) + x inside a Chain, the residual pattern.
func TestAddTo(t *testing.T) {
	block := LayerFunc("block", func(b *Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
		return Chain(b, x, ReLU, AddTo(x))
	})
	_, y := forward(t, block, Train, 0, f64(tensor.Shape{1, 4}, -2, -0.5, 1, 3))
	near(t, "relu(x)+x", floatsOf(y), []float64{-2, -0.5, 2, 6}, 0)

	mismatched := LayerFunc("bad", func(b *Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
		return Chain(b, x, Flatten(), AddTo(x))
	})
	_, err := Build(mismatched, tensor.Float64, Train, 0, 2, 3, 2, 2)
	wantErr(t, err, "AddTo", "(2, 12)", "(2, 3, 2, 2)")
}
