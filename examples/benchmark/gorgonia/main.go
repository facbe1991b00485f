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
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// spec is one model: batch, input and the default steps, as examples/benchmark's.
type spec struct {
	batch, steps, warmup int
	input                []int // C, H, W
}

var specs = map[string]spec{
	"lenet5-modern": {batch: 64, steps: 10, warmup: 3, input: []int{1, 28, 28}},
	"resnet20":      {batch: 128, steps: 2, warmup: 1, input: []int{3, 32, 32}},
}

const classes = 10

// config is one measurement.
type config struct {
	Model, Mode                            string
	Threads, Batch, Steps, Warmup, Repeats int
	Seed                                   uint64
}

// Result is one measurement's JSON line: examples/benchmark's fields.
type Result struct {
	Impl         string    `json:"impl"`
	Model        string    `json:"model"`
	Mode         string    `json:"mode"`
	Threads      int       `json:"threads"`
	Batch        int       `json:"batch"`
	Input        []int     `json:"input"`
	ImagesPerSec float64   `json:"images_per_sec"`
	StepMs       float64   `json:"step_ms"`
	RepeatsIPS   []float64 `json:"repeats_ips"`
	Steps        int       `json:"steps"`
	Warmup       int       `json:"warmup"`
	AllocBytes   float64   `json:"alloc_bytes_per_step"`
	Mallocs      float64   `json:"mallocs_per_step"`
	GCs          float64   `json:"gc_per_step"`
	BuildSec     float64   `json:"build_s"`
	Loss         float64   `json:"loss"`
	GoVersion    string    `json:"go"`
	GOMAXPROCS   int       `json:"gomaxprocs"`
	Date         string    `json:"date"`
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("gorgonia: ")
	model := flag.String("model", "all", "lenet5-modern, resnet20, all, or a comma-separated list")
	mode := flag.String("mode", "all", "train, infer or all")
	threads := flag.String("threads", "1,2", "thread counts (GOMAXPROCS), comma-separated")
	steps := flag.Int("steps", 0, "timed steps per repeat (0: the model's default)")
	warmup := flag.Int("warmup", -1, "untimed warm-up steps (-1: the model's default)")
	repeats := flag.Int("repeats", 3, "timed repeats; the median rate is reported")
	batch := flag.Int("batch", 0, "batch size (0: 64 LeNet-5, 128 ResNet-20)")
	seed := flag.Uint64("seed", 1, "seed of the weights, the inputs and the labels")
	jsonOut := flag.Bool("json", false, "print one JSON object per line instead of a table")
	child := flag.Bool("child", false, "run one configuration in this process (used by the parent)")
	flag.Parse()

	var cfgs []config
	models, modes := strings.Split(*model, ","), strings.Split(*mode, ",")
	if *model == "all" {
		models = []string{"lenet5-modern", "resnet20"}
	}
	if *mode == "all" {
		modes = []string{"train", "infer"}
	}
	for _, m := range models {
		s, ok := specs[m]
		if !ok {
			log.Fatalf("-model %q: want lenet5-modern, resnet20 or all", m)
		}
		c := config{Model: m, Batch: s.batch, Steps: s.steps, Warmup: s.warmup, Repeats: max(*repeats, 1), Seed: *seed}
		if *batch > 0 {
			c.Batch = *batch
		}
		if *steps > 0 {
			c.Steps = *steps
		}
		if *warmup >= 0 {
			c.Warmup = *warmup
		}
		for _, md := range modes {
			if md != "train" && md != "infer" {
				log.Fatalf("-mode %q: want train, infer or all", md)
			}
			for _, f := range strings.Split(*threads, ",") {
				t, err := strconv.Atoi(f)
				if err != nil || t < 1 {
					log.Fatalf("-threads %q: want positive integers, comma-separated", *threads)
				}
				c.Mode, c.Threads = md, t
				cfgs = append(cfgs, c)
			}
		}
	}
	if *child && len(cfgs) == 1 {
		r, err := measure(cfgs[0])
		if err != nil {
			log.Fatal(err)
		}
		json.NewEncoder(os.Stdout).Encode(r)
		return
	}
	self, err := os.Executable()
	if err != nil {
		log.Fatal(err)
	}
	const row = "%-14s %-5s %7v %5v %10v %9v %13v\n"
	if !*jsonOut {
		fmt.Printf(row, "model", "mode", "threads", "batch", "images/s", "step ms", "MB alloc/step")
	}
	for _, c := range cfgs {
		r, err := runChild(self, c)
		if err != nil {
			log.Fatalf("%s %s %d threads: %v", c.Model, c.Mode, c.Threads, err)
		}
		if *jsonOut {
			json.NewEncoder(os.Stdout).Encode(r)
			continue
		}
		fmt.Printf(row, r.Model, r.Mode, r.Threads, r.Batch, fmt.Sprintf("%.1f", r.ImagesPerSec),
			fmt.Sprintf("%.1f", r.StepMs), fmt.Sprintf("%.1f", r.AllocBytes/1e6))
	}
}

// runChild measures c in a fresh process whose GOMAXPROCS is c.Threads.
func runChild(self string, c config) (*Result, error) {
	cmd := exec.Command(self, "-child", "-model", c.Model, "-mode", c.Mode, "-threads", strconv.Itoa(c.Threads),
		"-batch", strconv.Itoa(c.Batch), "-steps", strconv.Itoa(c.Steps), "-warmup", strconv.Itoa(c.Warmup),
		"-repeats", strconv.Itoa(c.Repeats), "-seed", strconv.FormatUint(c.Seed, 10))
	cmd.Env = append(slices.DeleteFunc(os.Environ(), func(e string) bool {
		return strings.HasPrefix(e, "GOMAXPROCS=")
	}), "GOMAXPROCS="+strconv.Itoa(c.Threads))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, err
	}
	lines := bytes.Split(bytes.TrimSpace(out), []byte("\n"))
	r := new(Result)
	return r, errors.Wrap(json.Unmarshal(lines[len(lines)-1], r), "child result")
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

// measure builds c's model and step in this process, warms up, and times
// c.Repeats runs of c.Steps steps.
func measure(c config) (*Result, error) {
	runtime.GOMAXPROCS(c.Threads)
	start := time.Now()
	s := specs[c.Model]
	rng := rand.New(rand.NewPCG(c.Seed, 0x5eed))
	b := &net{g: G.NewGraph(), rng: rng, train: c.Mode == "train"}
	shape := append([]int{c.Batch}, s.input...)
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
	defer m.Close()
	solver := G.NewMomentum(G.WithLearnRate(1e-3), G.WithMomentum(0.9))
	step := func() error {
		defer m.Reset()
		if err := m.RunAll(); err != nil {
			return err
		}
		if !b.train {
			return nil
		}
		return solver.Step(G.NodesToValueGrads(b.learnable))
	}
	r := &Result{
		Impl: "gorgonia", Model: c.Model, Mode: c.Mode, Threads: c.Threads, Batch: c.Batch, Input: s.input,
		Steps: c.Steps, Warmup: c.Warmup, BuildSec: time.Since(start).Seconds(),
		GoVersion: runtime.Version(), GOMAXPROCS: runtime.GOMAXPROCS(0), Date: time.Now().UTC().Format(time.RFC3339),
	}
	for range c.Warmup {
		if err := step(); err != nil {
			return nil, errors.WithMessage(err, "warm-up")
		}
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	var times []float64
	for range c.Repeats {
		t0 := time.Now()
		for range c.Steps {
			if err := step(); err != nil {
				return nil, err
			}
		}
		sec := time.Since(t0).Seconds() / float64(c.Steps)
		times = append(times, sec)
		r.RepeatsIPS = append(r.RepeatsIPS, float64(c.Batch)/sec)
	}
	runtime.ReadMemStats(&after)
	n := float64(c.Repeats * c.Steps)
	r.AllocBytes = float64(after.TotalAlloc-before.TotalAlloc) / n
	r.Mallocs = float64(after.Mallocs-before.Mallocs) / n
	r.GCs = float64(after.NumGC-before.NumGC) / n
	if lossV != nil {
		r.Loss = float64(lossV.Data().(float32))
	}
	slices.Sort(times)
	med := (times[(len(times)-1)/2] + times[len(times)/2]) / 2
	r.StepMs, r.ImagesPerSec = med*1e3, float64(c.Batch)/med
	return r, nil
}
