// Command benchmark measures training and inference throughput (images/s)
// of the zoo's LeNet-5 (lenet5-modern, batch 64), ResNet-20 (batch 128) and
// AlexNet (the zoo's one-tower layout on 3×227×227 inputs, 1000 classes,
// batch 16), at 1 and 2 threads, on random inputs drawn from a fixed seed.
//
//	go run ./examples/benchmark                     # every model, mode and thread count
//	go run ./examples/benchmark -model resnet20 -mode train -threads 2
//	go run ./examples/benchmark -json               # one JSON object per line
//	go run ./examples/benchmark -model resnet20 -mode train -threads 1 -cpuprofile cpu.out
//
// Train is one step: forward, softmax cross-entropy, backward and an
// SGD-momentum (0.9) update of every parameter. Infer is a forward pass of
// the model built in Eval mode (running-statistics batch norm, no dropout)
// that computes the logits only.
//
// Each configuration runs in a child process of its own with GOMAXPROCS set
// to its thread count, because the GEMM (ops/internal/gemm) reads its
// goroutine count from GOMAXPROCS when the process starts and exposes no
// setter outside ops; a fresh process also gives every configuration a fresh
// heap. A child builds the model, runs -warmup untimed steps, then -repeats
// timed runs of -steps steps each, and reports the median rate, the memory
// the Go heap allocated per step (runtime.MemStats) and the minor page
// faults per step (getrusage).
//
// The GEMM itself has its own benchmark (GFLOP/s at 256³ and 1024³, 1 and 2
// threads, each kernel):
//
//	go test -run XXX -bench 'Sgemm/^(256|1024)$/' ./ops/internal/gemm/
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/graph"
	"github.com/convgraph/convgraph/nn"
	"github.com/convgraph/convgraph/ops"
	"github.com/convgraph/convgraph/solvers"
	"github.com/convgraph/convgraph/zoo"
)

// spec is one model as benchmarked: its zoo name, batch and classes, and the
// steps that keep one timed repeat around a second or more.
type spec struct {
	name    string
	batch   int
	classes int
	steps   int // timed steps per repeat (default)
	warmup  int // untimed steps (default)
}

var specs = []spec{
	{name: "lenet5-modern", batch: 64, classes: 10, steps: 40, warmup: 10},
	{name: "resnet20", batch: 128, classes: 10, steps: 3, warmup: 2},
	{name: "alexnet", batch: 16, classes: 1000, steps: 2, warmup: 1},
}

func specOf(name string) (spec, bool) {
	for _, s := range specs {
		if s.name == name {
			return s, true
		}
	}
	return spec{}, false
}

// config is one measurement.
type config struct {
	Model   string
	Mode    string // "train" or "infer"
	Threads int
	Batch   int
	Steps   int
	Warmup  int
	Repeats int
	Seed    uint64
	OpTime  bool // print each op kind's wall time per step (stderr)
}

// Result is what one measurement prints as JSON; examples/benchmark/peers/pytorch_bench.py
// prints the same fields.
type Result struct {
	Impl         string    `json:"impl"`
	Model        string    `json:"model"`
	Mode         string    `json:"mode"`
	Threads      int       `json:"threads"`
	Batch        int       `json:"batch"`
	Input        []int     `json:"input"` // C, H, W
	ImagesPerSec float64   `json:"images_per_sec"`
	StepMs       float64   `json:"step_ms"`     // median step time
	RepeatsIPS   []float64 `json:"repeats_ips"` // every repeat's rate
	Steps        int       `json:"steps"`       // timed steps per repeat
	Warmup       int       `json:"warmup"`      // untimed steps
	AllocBytes   float64   `json:"alloc_bytes_per_step"`
	// ActivationBytes is the size of every op output a step computes
	// (forward and backward): what a framework that allocates afresh would
	// allocate per step, and the yardstick for AllocBytes.
	ActivationBytes float64 `json:"activation_bytes_per_step"`
	Mallocs         float64 `json:"mallocs_per_step"`
	GCs             float64 `json:"gc_per_step"`
	MinorFaults     float64 `json:"minor_faults_per_step"`
	BuildSec        float64 `json:"build_s"` // model construction and compile
	Loss            float64 `json:"loss"`    // the last step's loss (train) or 0
	GoVersion       string  `json:"go"`
	GOMAXPROCS      int     `json:"gomaxprocs"`
	Date            string  `json:"date"`
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("benchmark: ")
	model := flag.String("model", "all", "lenet5-modern, resnet20, alexnet, or all; a comma-separated list works too")
	mode := flag.String("mode", "all", "train, infer or all")
	threads := flag.String("threads", "1,2", "thread counts (GOMAXPROCS and GEMM goroutines), comma-separated")
	steps := flag.Int("steps", 0, "timed steps per repeat (0: the model's default)")
	warmup := flag.Int("warmup", -1, "untimed warm-up steps (-1: the model's default)")
	repeats := flag.Int("repeats", 3, "timed repeats; the median rate is reported")
	batch := flag.Int("batch", 0, "batch size (0: 64 LeNet-5, 128 ResNet-20, 16 AlexNet)")
	seed := flag.Uint64("seed", 1, "seed of the weights, the inputs and the labels")
	jsonOut := flag.Bool("json", false, "print one JSON object per line instead of a table")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the timed steps (one configuration only)")
	optime := flag.Bool("optime", false, "print the wall time per step of each kind of op (on stderr)")
	child := flag.Bool("child", false, "run one configuration in this process (used by the parent)")
	flag.Parse()

	cfgs, err := configs(*model, *mode, *threads, *steps, *warmup, *repeats, *batch, *seed)
	if err != nil {
		log.Fatal(err)
	}
	for i := range cfgs {
		cfgs[i].OpTime = *optime
	}
	if *cpuprofile != "" && len(cfgs) != 1 {
		log.Fatalf("-cpuprofile needs one configuration (-model, -mode and -threads), got %d", len(cfgs))
	}
	if *child {
		if len(cfgs) != 1 {
			log.Fatalf("-child runs one configuration, got %d", len(cfgs))
		}
		r, err := measure(cfgs[0], *cpuprofile)
		if err != nil {
			log.Fatal(err)
		}
		check(json.NewEncoder(os.Stdout).Encode(r))
		return
	}
	self, err := os.Executable()
	if err != nil {
		log.Fatal(err)
	}
	const row = "%-14s %-5s %7v %5v %10v %9v %13v %14v %11v\n"
	if !*jsonOut {
		fmt.Printf(row, "model", "mode", "threads", "batch", "images/s", "step ms", "MB alloc/step", "of activations", "faults/step")
	}
	for _, c := range cfgs {
		r, err := runChild(self, c, *cpuprofile)
		if err != nil {
			log.Fatalf("%s %s %d threads: %v", c.Model, c.Mode, c.Threads, err)
		}
		if *jsonOut {
			check(json.NewEncoder(os.Stdout).Encode(r))
			continue
		}
		fmt.Printf(row, r.Model, r.Mode, r.Threads, r.Batch, fmt.Sprintf("%.1f", r.ImagesPerSec),
			fmt.Sprintf("%.1f", r.StepMs), fmt.Sprintf("%.2f", r.AllocBytes/1e6),
			fmt.Sprintf("%.2f%%", 100*r.AllocBytes/r.ActivationBytes), fmt.Sprintf("%.0f", r.MinorFaults))
	}
}

// configs expands the flags into the measurements to make, model by model,
// mode by mode, thread count by thread count.
func configs(models, modes, threads string, steps, warmup, repeats, batch int, seed uint64) ([]config, error) {
	var ms []spec
	if models == "all" {
		ms = specs
	} else {
		for _, name := range strings.Split(models, ",") {
			s, ok := specOf(strings.TrimSpace(name))
			if !ok {
				return nil, errors.Errorf("-model %q: want lenet5-modern, resnet20, alexnet or all", name)
			}
			ms = append(ms, s)
		}
	}
	var modeList []string
	switch modes {
	case "all":
		modeList = []string{"train", "infer"}
	case "train", "infer":
		modeList = []string{modes}
	default:
		return nil, errors.Errorf("-mode %q: want train, infer or all", modes)
	}
	var ths []int
	for _, f := range strings.Split(threads, ",") {
		t, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || t < 1 {
			return nil, errors.Errorf("-threads %q: want positive integers, comma-separated", threads)
		}
		ths = append(ths, t)
	}
	if repeats < 1 {
		return nil, errors.Errorf("-repeats %d: want at least 1", repeats)
	}
	var out []config
	for _, s := range ms {
		c := config{Model: s.name, Batch: s.batch, Steps: s.steps, Warmup: s.warmup, Repeats: repeats, Seed: seed}
		if steps > 0 {
			c.Steps = steps
		}
		if warmup >= 0 {
			c.Warmup = warmup
		}
		if batch > 0 {
			c.Batch = batch
		}
		for _, m := range modeList {
			for _, t := range ths {
				c.Mode, c.Threads = m, t
				out = append(out, c)
			}
		}
	}
	return out, nil
}

// args are the flags that make a child run exactly c.
func (c config) args(cpuprofile string) []string {
	a := []string{"-child",
		"-model", c.Model, "-mode", c.Mode, "-threads", strconv.Itoa(c.Threads),
		"-batch", strconv.Itoa(c.Batch), "-steps", strconv.Itoa(c.Steps), "-warmup", strconv.Itoa(c.Warmup),
		"-repeats", strconv.Itoa(c.Repeats), "-seed", strconv.FormatUint(c.Seed, 10)}
	if cpuprofile != "" {
		a = append(a, "-cpuprofile", cpuprofile)
	}
	if c.OpTime {
		a = append(a, "-optime")
	}
	return a
}

// runChild measures c in a fresh process whose GOMAXPROCS is c.Threads.
func runChild(self string, c config, cpuprofile string) (*Result, error) {
	cmd := exec.Command(self, c.args(cpuprofile)...)
	cmd.Env = append(slices.DeleteFunc(os.Environ(), func(e string) bool {
		return strings.HasPrefix(e, "GOMAXPROCS=")
	}), "GOMAXPROCS="+strconv.Itoa(c.Threads))
	cmd.Stderr = os.Stderr
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil {
		return nil, err
	}
	return lastResult(&out)
}

// lastResult decodes the last JSON line of a child's output.
func lastResult(r io.Reader) (*Result, error) {
	var last []byte
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if line := bytes.TrimSpace(sc.Bytes()); len(line) > 0 && line[0] == '{' {
			last = append(last[:0], line...)
		}
	}
	if last == nil {
		return nil, errors.New("child printed no result")
	}
	var res Result
	if err := json.Unmarshal(last, &res); err != nil {
		return nil, errors.Wrap(err, "child result")
	}
	return &res, nil
}

// stepper is one training or inference step on a fixed batch.
type stepper func() (loss float64, err error)

// newStepper builds c's model and the step that measure times.
func newStepper(c config) (step stepper, input []int, activations int, err error) {
	s, ok := specOf(c.Model)
	if !ok {
		return nil, nil, 0, errors.Errorf("unknown model %q", c.Model)
	}
	f := nn.NewFactory(tensor.Float32, int64(c.Seed))
	model, in, err := zoo.New(c.Model, f, s.classes)
	if err != nil {
		return nil, nil, 0, err
	}
	shape := append([]int{c.Batch}, in...)
	rng := rand.New(rand.NewPCG(c.Seed, 0x5eed))
	xs := make([]float32, c.Batch*in[0]*in[1]*in[2])
	for i := range xs {
		xs[i] = float32(rng.NormFloat64())
	}
	labels := make([]int, c.Batch)
	for i := range labels {
		labels[i] = rng.IntN(s.classes)
	}
	x := tensor.New(tensor.WithShape(shape...), tensor.WithBacking(xs))
	y := tensor.New(tensor.WithShape(c.Batch), tensor.WithBacking(labels))

	switch c.Mode {
	case "train":
		clf, err := nn.NewClassifier(model, tensor.Float32, nn.Train, int64(c.Seed), shape...)
		if err != nil {
			return nil, nil, 0, err
		}
		opt := solvers.NewSGD(0.9, false, solvers.Decay{})
		return func() (float64, error) {
			res, err := clf.Run(x, y)
			if err != nil {
				return 0, err
			}
			// A small rate keeps random-label training finite over many steps.
			return res.Loss, opt.Step(clf.Trainable, res.Grads, 1e-3)
		}, in, activationBytes(clf.G), nil
	case "infer":
		net, err := nn.Build(model, tensor.Float32, nn.Eval, int64(c.Seed), shape...)
		if err != nil {
			return nil, nil, 0, err
		}
		prog, err := net.G.Compile(net.Output)
		if err != nil {
			return nil, nil, 0, err
		}
		feeds := graph.Feeds{nn.InputName: x}
		return func() (float64, error) {
			_, err := prog.Run(feeds)
			return 0, err
		}, in, activationBytes(net.G), nil
	}
	return nil, nil, 0, errors.Errorf("unknown mode %q", c.Mode)
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

// measure runs c in this process: build, warm up, then c.Repeats timed runs
// of c.Steps steps. A CPU profile, if asked for, covers the timed steps only.
func measure(c config, cpuprofile string) (*Result, error) {
	runtime.GOMAXPROCS(c.Threads)
	start := time.Now()
	step, input, activations, err := newStepper(c)
	if err != nil {
		return nil, err
	}
	r := &Result{
		Impl: "convgraph", Model: c.Model, Mode: c.Mode, Threads: c.Threads, Batch: c.Batch, Input: input,
		Steps: c.Steps, Warmup: c.Warmup, BuildSec: time.Since(start).Seconds(), ActivationBytes: float64(activations),
		GoVersion: runtime.Version(), GOMAXPROCS: runtime.GOMAXPROCS(0), Date: time.Now().UTC().Format(time.RFC3339),
	}
	for range c.Warmup {
		if _, err := step(); err != nil {
			return nil, errors.WithMessage(err, "warm-up")
		}
	}
	if cpuprofile != "" {
		f, err := os.Create(cpuprofile)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return nil, err
		}
		defer pprof.StopCPUProfile()
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	faults := minorFaults()
	var times []float64 // seconds per step, one per repeat
	if c.OpTime {
		ops.StartTiming()
	}
	for range c.Repeats {
		t0 := time.Now()
		for range c.Steps {
			if r.Loss, err = step(); err != nil {
				return nil, err
			}
		}
		sec := time.Since(t0).Seconds() / float64(c.Steps)
		times = append(times, sec)
		r.RepeatsIPS = append(r.RepeatsIPS, float64(c.Batch)/sec)
	}
	faults = minorFaults() - faults
	runtime.ReadMemStats(&after)
	n := float64(c.Repeats * c.Steps)
	if c.OpTime {
		printOpTimes(c, ops.StopTiming(), n, times)
	}
	r.AllocBytes = float64(after.TotalAlloc-before.TotalAlloc) / n
	r.Mallocs = float64(after.Mallocs-before.Mallocs) / n
	r.GCs = float64(after.NumGC-before.NumGC) / n
	r.MinorFaults = float64(faults) / n
	med := median(times)
	r.StepMs = med * 1e3
	r.ImagesPerSec = float64(c.Batch) / med
	return r, nil
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

// printOpTimes writes the ops' wall time per step to stderr, longest first,
// with each kind's share of the median step; what the ops leave of the step
// is gorgonia's own ops and the tape.
func printOpTimes(c config, times []ops.OpTime, steps float64, stepSec []float64) {
	step := median(stepSec) * 1e3
	fmt.Fprintf(os.Stderr, "%s %s, %d threads: wall ms per step of each op kind (step %.1f ms)\n", c.Model, c.Mode, c.Threads, step)
	var total float64
	for _, t := range times {
		ms := t.Wall.Seconds() * 1e3 / steps
		total += ms
		fmt.Fprintf(os.Stderr, "  %-44s %6.1f calls %8.2f ms %5.1f%%\n", t.Op, float64(t.Calls)/steps, ms, 100*ms/step)
	}
	fmt.Fprintf(os.Stderr, "  %-44s %6s       %8.2f ms %5.1f%%\n", "(outside convgraph's ops)", "", step-total, 100*(step-total)/step)
}
