// Package harness is the scaffolding examples/benchmark and its gorgonia peer
// (examples/benchmark/gorgonia) share: the common flags and the
// configurations they expand into, running each configuration in a child
// process of its own, timing the steps a benchmark builds, and printing the
// results as JSON lines or a table. The benchmarks bring their models.
package harness

import "strconv"

// Spec is one model as a benchmark runs it by default.
type Spec struct {
	Name   string // -model's value: lenet5-modern, resnet20, ...
	Title  string // the model in -batch's help: LeNet-5, ResNet-20, ...
	Batch  int
	Steps  int // timed steps per repeat
	Warmup int // untimed steps
}

// The models, at the batches every benchmark of them runs, because
// peers/compare.sh pairs the benchmarks' results by model, mode, threads and
// batch.
var (
	LeNet5   = Spec{Name: "lenet5-modern", Title: "LeNet-5", Batch: 64}
	ResNet20 = Spec{Name: "resnet20", Title: "ResNet-20", Batch: 128}
	AlexNet  = Spec{Name: "alexnet", Title: "AlexNet", Batch: 16}
)

// WithSteps is s with its default timed steps per repeat and untimed steps.
func (s Spec) WithSteps(steps, warmup int) Spec {
	s.Steps, s.Warmup = steps, warmup
	return s
}

// Config is one measurement.
type Config struct {
	Model   string
	Mode    string // "train" or "infer"
	Threads int
	Batch   int
	Steps   int
	Warmup  int
	Repeats int
	Seed    uint64
}

// Args are the flags that make a child run exactly c.
func (c Config) Args() []string {
	return []string{"-child",
		"-model", c.Model, "-mode", c.Mode, "-threads", strconv.Itoa(c.Threads),
		"-batch", strconv.Itoa(c.Batch), "-steps", strconv.Itoa(c.Steps), "-warmup", strconv.Itoa(c.Warmup),
		"-repeats", strconv.Itoa(c.Repeats), "-seed", strconv.FormatUint(c.Seed, 10)}
}
