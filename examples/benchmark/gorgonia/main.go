// Command gorgonia is the baseline peer of examples/benchmark: the same two
// models, batches, modes and JSON lines, built from gorgonia v0.9.18's own ops
// only (Conv2d, MaxPool2D, Rectify, BatchNorm, Mul, broadcasting Add,
// LogSoftMax, Grad, the TapeMachine and its Momentum solver) on gorgonia's
// default BLAS (gonum's pure-Go Sgemm), none of convgraph's ops.
//
//	go run ./examples/benchmark/gorgonia -model resnet20 -mode train -threads 1
//	go run ./examples/benchmark/gorgonia -json -steps 2 -repeats 1
//
// Models (float32, random N(0,1) inputs and uniform labels from a fixed seed,
// He-normal weights):
//
//	lenet5-modern  batch 64, 1×28×28: conv 5×5 6 (pad 2), ReLU, max-pool 2,
//	               conv 5×5 16, ReLU, max-pool 2, FC 400→120, 120→84, 84→10
//	resnet20       batch 128, 3×32×32: He et al.'s CIFAR ResNet-20, option-A
//	               shortcuts (subsample by a strided Slice, zero channels by
//	               Concat), global average pool, FC 64→10
//
// Train is one step: forward, softmax cross-entropy (LogSoftMax, a product
// with the one-hot labels, Sum), backward (Grad) and gorgonia's Momentum
// solver (rate 1e-3, momentum 0.9). Batch norm in training is gorgonia's
// BatchNorm op with (1,C,1,1) γ and β. Infer runs the forward pass only,
// batch norm as the per-channel affine map of running statistics built from
// broadcast ops, because gorgonia's BatchNorm in eval mode is wrong (see the
// project's guide to gorgonia). Global average pooling is Reshape and Mean
// over the last axis: GlobalAveragePool2D has no gradient, and Mean over axes
// (2,3) of a 4-D tensor computes wrong values.
//
// Each configuration runs in a child process with GOMAXPROCS set to its
// thread count (gonum's Sgemm splits over GOMAXPROCS goroutines; the
// TapeMachine runs one op at a time).
package main

import (
	"flag"
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/examples/benchmark/internal/harness"
)

// impl names gorgonia in the results.
const impl = "gorgonia"

// specs are examples/benchmark's models except AlexNet, with fewer default
// steps, because a ResNet-20 training step takes seconds here.
var specs = []harness.Spec{harness.LeNet5.WithSteps(10, 3), harness.ResNet20.WithSteps(2, 1)}

// inputs are the models' input shapes, C, H, W.
var inputs = map[string][]int{"lenet5-modern": {1, 28, 28}, "resnet20": {3, 32, 32}}

const classes = 10

func main() {
	log.SetFlags(0)
	log.SetPrefix("gorgonia: ")
	fl := harness.Register(flag.CommandLine, specs, "GOMAXPROCS")
	flag.Parse()

	cfgs, err := fl.Configs()
	if err != nil {
		log.Fatal(err)
	}
	measure := func(c harness.Config) (*harness.Result, error) {
		return harness.Measure(c, impl, newModel, harness.Hooks{})
	}
	if err := harness.Run(fl, cfgs, measure, harness.Table{}); err != nil {
		log.Fatal(err)
	}
}

// net builds one model into a gorgonia graph.
type net struct {
	g         *G.ExprGraph
	rng       *rand.Rand
	train     bool
	learnable G.Nodes
	n         int // parameter counter, for unique names
}

// param is a learnable float32 tensor of the given shape, He-normal
// (std √(2/fanIn)) if fanIn > 0, else filled with fill.
func (b *net) param(fanIn int, fill float32, shape ...int) *G.Node {
	v := make([]float32, tensor.Shape(shape).TotalSize())
	for i := range v {
		v[i] = fill
		if fanIn > 0 {
			v[i] = float32(b.rng.NormFloat64() * math.Sqrt(2/float64(fanIn)))
		}
	}
	b.n++
	b.learnable = append(b.learnable, b.constant("p"+strconv.Itoa(b.n), v, shape...))
	return b.learnable[len(b.learnable)-1]
}

// constant is a float32 tensor node holding v (input, labels, zero channels).
func (b *net) constant(name string, v []float32, shape ...int) *G.Node {
	return G.NewTensor(b.g, tensor.Float32, len(shape), G.WithShape(shape...), G.WithName(name),
		G.WithValue(tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))))
}

func (b *net) conv(x *G.Node, cout, k, stride, pad int, bias bool) *G.Node {
	cin := x.Shape()[1]
	w := b.param(cin*k*k, 0, cout, cin, k, k)
	y := G.Must(G.Conv2d(x, w, tensor.Shape{k, k}, []int{pad, pad}, []int{stride, stride}, nil))
	if bias {
		y = G.Must(G.Auto(G.BroadcastAdd, y, b.param(0, 0, 1, cout, 1, 1)))
	}
	return y
}

func (b *net) linear(x *G.Node, out int) *G.Node {
	w := b.param(x.Shape()[1], 0, x.Shape()[1], out)
	return G.Must(G.Auto(G.BroadcastAdd, G.Must(G.Mul(x, w)), b.param(0, 0, 1, out)))
}

// bn is batch norm with learnable (1,C,1,1) γ and β: gorgonia's BatchNorm op
// when training; when inferring, x·a + c per channel with a = γ/√(var+ε),
// c = β − mean·a of the running statistics (mean 0, var 1 here), from
// broadcast ops, because the op's eval mode is broken.
func (b *net) bn(x *G.Node) *G.Node {
	c := x.Shape()[1]
	gamma, beta := b.param(0, 1, 1, c, 1, 1), b.param(0, 0, 1, c, 1, 1)
	if b.train {
		y, _, _, _, err := G.BatchNorm(x, gamma, beta, 0.9, 1e-5)
		return G.Must(y, err)
	}
	scale := G.Must(G.HadamardProd(gamma, b.constant(fmt.Sprintf("invstd%d", b.n), slices.Repeat([]float32{float32(1 / math.Sqrt(1+1e-5))}, c), 1, c, 1, 1)))
	return G.Must(G.Auto(G.BroadcastAdd, G.Must(G.Auto(G.BroadcastHadamardProd, x, scale)), beta))
}

func relu(x *G.Node) *G.Node { return G.Must(G.Rectify(x)) }

func maxpool(x *G.Node) *G.Node {
	return G.Must(G.MaxPool2D(x, tensor.Shape{2, 2}, []int{0, 0}, []int{2, 2}))
}

func (b *net) lenet(x *G.Node) *G.Node {
	x = maxpool(relu(b.conv(x, 6, 5, 1, 2, true)))
	x = maxpool(relu(b.conv(x, 16, 5, 1, 0, true)))
	x = G.Must(G.Reshape(x, tensor.Shape{x.Shape()[0], 400}))
	x = relu(b.linear(x, 120))
	x = relu(b.linear(x, 84))
	return b.linear(x, classes)
}

func (b *net) resnet20(x *G.Node) *G.Node {
	x = relu(b.bn(b.conv(x, 16, 3, 1, 1, false)))
	for i, width := range []int{16, 32, 64} {
		for j := range 3 {
			stride := 1
			if i > 0 && j == 0 {
				stride = 2
			}
			x = b.block(x, width, stride)
		}
	}
	// Global average pool: Mean over the last axis of (B·C, H·W).
	s := x.Shape()
	x = G.Must(G.Mean(G.Must(G.Reshape(x, tensor.Shape{s[0] * s[1], s[2] * s[3]})), 1))
	return b.linear(G.Must(G.Reshape(x, tensor.Shape{s[0], s[1]})), classes)
}

// block is a BasicBlock; where the shape changes the shortcut is option A:
// every stride-th pixel (a strided Slice) and zero channels appended (Concat).
func (b *net) block(x *G.Node, cout, stride int) *G.Node {
	y := relu(b.bn(b.conv(x, cout, 3, stride, 1, false)))
	y = b.bn(b.conv(y, cout, 3, 1, 1, false))
	s := x
	if stride != 1 || cout != x.Shape()[1] {
		s = b.shortcutA(x, cout, stride)
	}
	return relu(G.Must(G.Add(y, s)))
}

// shortcutA is x[:, :, ::stride, ::stride] with zero channels appended up to cout.
func (b *net) shortcutA(x *G.Node, cout, stride int) *G.Node {
	in := x.Shape()
	s := G.Must(G.Slice(x, nil, nil, G.S(0, in[2], stride), G.S(0, in[3], stride)))
	sh := s.Shape()
	b.n++
	zeros := b.constant("zeros"+strconv.Itoa(b.n), make([]float32, sh[0]*(cout-in[1])*sh[2]*sh[3]), sh[0], cout-in[1], sh[2], sh[3])
	return G.Must(G.Concat(1, s, zeros))
}

// newModel builds c's model into a gorgonia graph, and the step
// harness.Measure times: the TapeMachine's run and, when training, the
// Momentum solver's update.
func newModel(c harness.Config) (*harness.Model, error) {
	input := inputs[c.Model]
	rng := rand.New(rand.NewPCG(c.Seed, 0x5eed))
	b := &net{g: G.NewGraph(), rng: rng, train: c.Mode == "train"}
	shape := append([]int{c.Batch}, input...)
	xs := make([]float32, tensor.Shape(shape).TotalSize())
	for i := range xs {
		xs[i] = float32(rng.NormFloat64())
	}
	x := b.constant("x", xs, shape...)
	var logits *G.Node
	if c.Model == "lenet5-modern" {
		logits = b.lenet(x)
	} else {
		logits = b.resnet20(x)
	}
	var loss *G.Node
	var opts []G.VMOpt
	if b.train {
		// Softmax cross-entropy, the batch mean: −Σ log softmax · onehot/B.
		onehot := make([]float32, c.Batch*classes)
		for i := range c.Batch {
			onehot[i*classes+rng.IntN(classes)] = 1 / float32(c.Batch)
		}
		loss = G.Must(G.Neg(G.Must(G.Sum(G.Must(G.HadamardProd(G.Must(G.LogSoftMax(logits)),
			b.constant("onehot", onehot, c.Batch, classes)))))))
		if _, err := G.Grad(loss, b.learnable...); err != nil {
			return nil, errors.Wrap(err, "grad")
		}
		opts = append(opts, G.BindDualValues(b.learnable...))
	}
	var lossV G.Value
	if loss != nil {
		G.Read(loss, &lossV) // before compiling: Read adds a node
	}
	m := G.NewTapeMachine(b.g, opts...)
	solver := G.NewMomentum(G.WithLearnRate(1e-3), G.WithMomentum(0.9))
	step := func() (float64, error) {
		defer m.Reset()
		if err := m.RunAll(); err != nil {
			return 0, err
		}
		if !b.train {
			return 0, nil
		}
		// The scalar itself: lossV.Data() would box it, an allocation a step.
		return float64(*lossV.(*G.F32)), solver.Step(G.NodesToValueGrads(b.learnable))
	}
	return &harness.Model{Step: step, Input: input, Close: m.Close}, nil
}
