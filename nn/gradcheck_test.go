package nn

import (
	"math"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/graph"
	"github.com/convgraph/convgraph/graph/gradcheck"
	"github.com/convgraph/convgraph/ops"
)

// tinyNet is conv → bn → relu → maxpool → flatten → linear on (2, 2, 5, 5):
// conv (2, 3, 5, 5), pool (2, 3, 2, 2) (floor mode drops the last row and
// column), flatten (2, 12), logits (2, 4).
func tinyNet(dt tensor.Dtype) (*Sequential, *BatchNorm) {
	f := NewFactory(dt, 3)
	bn := f.BatchNorm("bn", 3)
	// A scale and shift away from 1 and 0, so their gradients matter.
	if dt == tensor.Float64 {
		copy(bn.Weight.Value.Data().([]float64), []float64{1.5, 0.7, -1.2})
		copy(bn.Bias.Value.Data().([]float64), []float64{0.1, -0.2, 0.3})
		copy(bn.RunningMean.Value.Data().([]float64), []float64{0.2, -0.1, 0})
		copy(bn.RunningVar.Value.Data().([]float64), []float64{0.5, 1.5, 2})
	}
	return NewSequential("", f.Conv2D("conv", 2, 3, 3, 3, convGeom(1, 1), true), bn, ReLU,
		MaxPool2D(ops.Pool2D{KH: 2, KW: 2}), Flatten(), f.Linear("fc", 12, 4, true)), bn
}

// TestSequentialGrad checks d(logits)/d(input and every float parameter)
// along random directions, in both modes (in Eval the running statistics
// are inputs too), through the project's checker.
func TestSequentialGrad(t *testing.T) {
	for _, mode := range []Mode{Train, Eval} {
		t.Run(mode.String(), func(t *testing.T) {
			model, _ := tinyNet(tensor.Float64)
			x := gradcheck.Distinct(tensor.Shape{2, 2, 5, 5}, 1)
			net, err := Build(model, tensor.Float64, mode, 0, x.Shape()...)
			must(t, err)
			p := gradcheck.Problem{Graph: net.G, Output: net.Output, Wrt: gorgonia.Nodes{net.Input},
				Values: []tensor.Tensor{x}, Feeds: graph.Feeds{InputName: x}}
			ps, nodes := net.Params()
			for i, param := range ps {
				if param.Value.Dtype() == tensor.Float64 {
					p.Wrt, p.Values = append(p.Wrt, nodes[i]), append(p.Values, param.Value)
				}
			}
			gradcheck.AssertProblemDirection(t, p, gradcheck.Tol{Eps: 1e-6, Atol: 1e-7, Rtol: 1e-5}, 12, 2)
		})
	}
}

// TestClassifierStep runs one training step through NewClassifier: it
// returns a gradient per trainable parameter and folds the batch norm's
// statistics.
func TestClassifierStep(t *testing.T) {
	model, bn := tinyNet(tensor.Float32)
	c, err := NewClassifier(model, tensor.Float32, Train, 0, 2, 2, 5, 5)
	must(t, err)
	labels := tensor.New(tensor.WithShape(2), tensor.WithBacking([]int{3, 0}))
	r, err := c.Run(ramp(tensor.Float32, 2, 2, 5, 5), labels)
	must(t, err)
	if math.IsNaN(r.Loss) || r.Loss <= 0 || len(r.Grads) != 6 || len(c.Trainable) != 6 {
		t.Fatalf("loss %v, %d grads for %d trainable parameters: want a positive loss and 6 of each", r.Loss, len(r.Grads), len(c.Trainable))
	}
	if n := bn.NumBatchesTracked.Value.Data().(int64); n != 1 {
		t.Errorf("num_batches_tracked %d after one step, want 1", n)
	}
	if floatsOf(bn.RunningMean.Value)[0] == 0 {
		t.Error("running mean unchanged after a step")
	}
}
