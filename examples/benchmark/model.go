package main

import (
	"math/rand/v2"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/examples/benchmark/internal/harness"
	"github.com/convgraph/convgraph/graph"
	"github.com/convgraph/convgraph/nn"
	"github.com/convgraph/convgraph/solvers"
	"github.com/convgraph/convgraph/zoo"
)

// newModel builds c's model from the zoo, and the step harness.Measure times.
func newModel(c harness.Config) (*harness.Model, error) {
	k, ok := classes[c.Model]
	if !ok {
		return nil, errors.Errorf("unknown model %q", c.Model)
	}
	f := nn.NewFactory(tensor.Float32, int64(c.Seed))
	model, in, err := zoo.New(c.Model, f, k)
	if err != nil {
		return nil, err
	}
	shape := append([]int{c.Batch}, in...)
	rng := rand.New(rand.NewPCG(c.Seed, 0x5eed))
	xs := make([]float32, c.Batch*in[0]*in[1]*in[2])
	for i := range xs {
		xs[i] = float32(rng.NormFloat64())
	}
	labels := make([]int, c.Batch)
	for i := range labels {
		labels[i] = rng.IntN(k)
	}
	x := tensor.New(tensor.WithShape(shape...), tensor.WithBacking(xs))
	y := tensor.New(tensor.WithShape(c.Batch), tensor.WithBacking(labels))

	switch c.Mode {
	case "train":
		clf, err := nn.NewClassifier(model, tensor.Float32, nn.Train, int64(c.Seed), shape...)
		if err != nil {
			return nil, err
		}
		opt := solvers.NewSGD(0.9, false, solvers.Decay{})
		return &harness.Model{Step: func() (float64, error) {
			res, err := clf.Run(x, y)
			if err != nil {
				return 0, err
			}
			// A small rate keeps random-label training finite over many steps.
			return res.Loss, opt.Step(clf.Trainable, res.Grads, 1e-3)
		}, Input: in, ActivationBytes: activationBytes(clf.G)}, nil
	case "infer":
		net, err := nn.Build(model, tensor.Float32, nn.Eval, int64(c.Seed), shape...)
		if err != nil {
			return nil, err
		}
		prog, err := net.G.Compile(net.Output)
		if err != nil {
			return nil, err
		}
		feeds := graph.Feeds{nn.InputName: x}
		return &harness.Model{Step: func() (float64, error) {
			_, err := prog.Run(feeds)
			return 0, err
		}, Input: in, ActivationBytes: activationBytes(net.G)}, nil
	}
	return nil, errors.Errorf("unknown mode %q", c.Mode)
}

// activationBytes sums the outputs of every op node of g (leaves and the
// tape's read statements, which have no type, excluded).
func activationBytes(g *graph.Graph) int {
	total := 0
	for _, n := range g.Expr().AllNodes() {
		if n.Op() != nil && n.Type() != nil && n.Shape() != nil {
			total += n.Shape().TotalSize() * int(n.Dtype().Size())
		}
	}
	return total
}
