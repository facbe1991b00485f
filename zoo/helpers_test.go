package zoo

import (
	"math"
	"math/rand"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/graph"
	"github.com/convgraph/convgraph/graph/gradcheck"
	"github.com/convgraph/convgraph/nn"
)

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%+v", err)
	}
}

// randomImages returns float32 N(0, 1) values of the given shape.
func randomImages(seed int64, shape ...int) tensor.Tensor {
	rng := rand.New(rand.NewSource(seed))
	v := make([]float32, tensor.Shape(shape).TotalSize())
	for i := range v {
		v[i] = float32(rng.NormFloat64())
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
}

func allFinite(t tensor.Tensor) bool {
	for _, v := range floats64(t) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

// step builds model as a float32 classifier for a batch of 2 in mode, runs
// one batch and checks that the loss, the logits and (in Train mode) every
// gradient are finite.
func step(t *testing.T, model nn.Layer, input []int, classes int, mode nn.Mode) *nn.StepResult {
	t.Helper()
	c, err := nn.NewClassifier(model, tensor.Float32, mode, 1, append([]int{2}, input...)...)
	must(t, err)
	labels := tensor.New(tensor.WithShape(2), tensor.WithBacking([]int{0, classes - 1}))
	r, err := c.Run(randomImages(3, append([]int{2}, input...)...), labels)
	must(t, err)
	if math.IsNaN(r.Loss) || math.IsInf(r.Loss, 0) {
		t.Fatalf("%v loss %v", mode, r.Loss)
	}
	if s := r.Logits.Shape(); !s.Eq(tensor.Shape{2, classes}) || !allFinite(r.Logits) {
		t.Fatalf("%v logits %v: want (2, %d), finite", mode, s, classes)
	}
	if mode == nn.Train {
		if len(r.Grads) != len(c.Trainable) || len(r.Grads) == 0 {
			t.Fatalf("%d gradients for %d trainable parameters", len(r.Grads), len(c.Trainable))
		}
		for i, g := range r.Grads {
			if !g.Shape().Eq(c.Trainable[i].Value.Shape()) || !allFinite(g) {
				t.Fatalf("gradient of %s: shape %v (want %v) or not finite", c.Trainable[i].Name, g.Shape(), c.Trainable[i].Value.Shape())
			}
		}
	}
	return r
}

// checkDirections checks d(logits)/d(input and every trainable parameter)
// of model in float64 along dirs random directions, through the project's
// checker.
func checkDirections(t *testing.T, model nn.Layer, x tensor.Tensor, mode nn.Mode, dirs int, tol gradcheck.Tol) {
	t.Helper()
	net, err := nn.Build(model, tensor.Float64, mode, 1, x.Shape()...)
	must(t, err)
	ps, nodes := net.TrainableParams()
	p := gradcheck.Problem{Graph: net.G, Output: net.Output, Wrt: append(gorgonia.Nodes{net.Input}, nodes...),
		Values: []tensor.Tensor{x}, Feeds: graph.Feeds{nn.InputName: x}}
	for _, param := range ps {
		p.Values = append(p.Values, param.Value)
	}
	rep := gradcheck.AssertProblemDirection(t, p, tol, dirs, 5)
	t.Logf("%d directions over the input and %d parameters: %v", dirs, len(ps), rep)
}
