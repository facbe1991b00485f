package zoo

import (
	"math"
	"math/rand"
	"slices"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/graph"
	"github.com/convgraph/convgraph/graph/gradcheck"
	"github.com/convgraph/convgraph/nn"
	"github.com/convgraph/convgraph/ops"
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

// checkDirections is gradcheck.CheckDirection for a model: it builds model in
// float64 for the input x in mode, reduces the output to L = Σ y ⊙ r with
// fixed random r, and compares the symbolic directional derivative of L along
// dirs random unit directions over x and every trainable parameter at once
// with central differences. (gradcheck's own Func receives input nodes on a
// graph it creates, on which an nn.Builder cannot be made; the parameters
// here are bound by reference, so perturbing them in place perturbs L.)
func checkDirections(t *testing.T, model nn.Layer, x tensor.Tensor, mode nn.Mode, dirs int, tol gradcheck.Tol) {
	t.Helper()
	net, err := nn.Build(model, tensor.Float64, mode, 1, x.Shape()...)
	must(t, err)
	r := gradcheck.Random(net.Output.Shape(), 2)
	rn, err := net.G.Input("r", r.Shape()...)
	must(t, err)
	y, err := ops.Mul(net.Output, rn)
	must(t, err)
	loss, err := ops.Sum(y)
	must(t, err)
	ps, pnodes := net.TrainableParams()
	grads, err := net.G.Grad(loss, append(gorgonia.Nodes{net.Input}, pnodes...)...)
	must(t, err)
	full, err := net.G.Compile(append(gorgonia.Nodes{loss}, grads...)...)
	must(t, err)
	forward, err := net.G.Compile(loss)
	must(t, err)
	feeds := graph.Feeds{nn.InputName: x, "r": r}
	vals, err := full.Run(feeds)
	must(t, err)

	points := [][]float64{x.Data().([]float64)} // perturbed in place: x, then each parameter
	for _, p := range ps {
		points = append(points, p.Value.Data().([]float64))
	}
	at := func(d [][]float64, h float64) float64 { // L at the start + h·d
		saved := make([][]float64, len(points))
		for k, v := range points {
			saved[k] = slices.Clone(v)
			for i := range v {
				v[i] += h * d[k][i]
			}
		}
		vals, err := forward.Run(feeds)
		for k, v := range points {
			copy(v, saved[k])
		}
		must(t, err)
		l, err := nn.Scalar(vals[0])
		must(t, err)
		return l
	}
	rng := rand.New(rand.NewSource(5))
	for dir := 0; dir < dirs; dir++ {
		d := make([][]float64, len(points))
		norm := 0.0
		for k, v := range points {
			d[k] = make([]float64, len(v))
			for i := range d[k] {
				d[k][i] = rng.NormFloat64()
				norm += d[k][i] * d[k][i]
			}
		}
		analytic := 0.0
		for k := range d {
			g := vals[1+k].Data().([]float64)
			for i := range d[k] {
				d[k][i] /= math.Sqrt(norm)
				analytic += g[i] * d[k][i]
			}
		}
		numeric := (at(d, tol.Eps) - at(d, -tol.Eps)) / (2 * tol.Eps)
		t.Logf("direction %d: analytic %.12g, numeric %.12g", dir, analytic, numeric)
		if diff := math.Abs(analytic - numeric); diff > tol.Atol+tol.Rtol*math.Max(math.Abs(analytic), math.Abs(numeric)) {
			t.Errorf("direction %d over the input and %d parameters: analytic %.10g, numeric %.10g (diff %.3g)", dir, len(ps), analytic, numeric, diff)
		}
	}
}
