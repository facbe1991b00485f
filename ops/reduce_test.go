package ops_test

import (
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/graph/gradcheck"
	"github.com/convgraph/convgraph/ops"
)

func TestSumMeanValues(t *testing.T) {
	x := tensorOf(tensor.Shape{2, 3}, 1, 2, 3, 4, 5, 6)
	y, dx := forwardBackward(t, ops.Sum, x)
	assertClose(t, "sum", y, []float64{21}, 0)
	assertClose(t, "sum'", dx, []float64{1, 1, 1, 1, 1, 1}, 0)
	y, dx = forwardBackward(t, ops.Mean, x)
	assertClose(t, "mean", y, []float64{3.5}, 0)
	assertClose(t, "mean'", dx, []float64{1.0 / 6, 1.0 / 6, 1.0 / 6, 1.0 / 6, 1.0 / 6, 1.0 / 6}, 1e-15)
	if !y.Shape().IsScalar() {
		t.Fatalf("mean has shape %v, want a scalar", y.Shape())
	}
}

// TestSumMean4D reduces an NCHW tensor whole: gorgonia's Sum is wrong over
// its middle axes, ours must match a plain loop.
func TestSumMean4D(t *testing.T) {
	x := gradcheck.Random(tensor.Shape{2, 3, 4, 5}, 1)
	var want float64
	for _, v := range x.Data().([]float64) {
		want += v
	}
	y, _ := forwardBackward(t, ops.Sum, x)
	assertClose(t, "sum", y, []float64{want}, 1e-13)
	y, _ = forwardBackward(t, ops.Mean, x)
	assertClose(t, "mean", y, []float64{want / 120}, 1e-13)
}

func TestSumMeanGrad(t *testing.T) {
	for name, fn := range map[string]func(*gorgonia.Node) (*gorgonia.Node, error){"sum": ops.Sum, "mean": ops.Mean} {
		t.Run(name, func(t *testing.T) {
			f := func(in gorgonia.Nodes) (*gorgonia.Node, error) { return fn(in[0]) }
			x := []tensor.Tensor{gradcheck.Random(tensor.Shape{2, 3, 4, 5}, 2)}
			gradcheck.Assert(t, f, x, gradcheck.Default)
			matmulAgree32(t, f, x...)
			// reuse: x feeds both factors of x⊙x, and the scalar is reduced from it.
			sq := func(in gorgonia.Nodes) (*gorgonia.Node, error) {
				y, err := ops.Mul(in[0], in[0])
				if err != nil {
					return nil, err
				}
				return fn(y)
			}
			gradcheck.Assert(t, sq, []tensor.Tensor{gradcheck.Random(tensor.Shape{3, 7}, 3)}, gradcheck.Default)
		})
	}
}

func TestSumNil(t *testing.T) {
	_, err := ops.Sum(nil)
	opsWantError(t, "sum", err, "sum", "nil")
	_, err = ops.Mean(nil)
	opsWantError(t, "mean", err, "mean", "nil")
}

// TestScalarOutputsCompose: our own Add on two scalar outputs (Sum + Mean)
// writes into the scalar's memory, not into a copy of it.
func TestScalarOutputsCompose(t *testing.T) {
	x := tensorOf(tensor.Shape{2, 3}, 1, 2, 3, 4, 5, 6)
	y := run(t, func(in gorgonia.Nodes) (*gorgonia.Node, error) {
		s, err := ops.Sum(in[0])
		if err != nil {
			return nil, err
		}
		m, err := ops.Mean(in[0])
		if err != nil {
			return nil, err
		}
		return ops.Add(s, m)
	}, x)
	assertClose(t, "sum + mean", y, []float64{21 + 3.5}, 1e-15)
}
