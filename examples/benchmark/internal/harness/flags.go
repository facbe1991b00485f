package harness

import (
	"flag"
	"fmt"
	"strconv"
	"strings"

	"github.com/pkg/errors"
)

// Flags are the flags both benchmarks take.
type Flags struct {
	Model   string // model names, comma-separated, or "all"
	Mode    string // "train", "infer", both comma-separated, or "all"
	Threads string // thread counts, comma-separated
	Steps   int    // 0: the model's default
	Warmup  int    // -1: the model's default
	Repeats int
	Batch   int // 0: the model's default
	Seed    uint64
	JSON    bool // JSON lines instead of a table
	Child   bool // run one configuration in this process

	specs []Spec
}

// Register defines the common flags on fs for a benchmark of specs; threads
// says, for -threads' help, what a thread count sets.
func Register(fs *flag.FlagSet, specs []Spec, threads string) *Flags {
	f := &Flags{specs: specs}
	var batches []string
	for _, s := range specs {
		batches = append(batches, fmt.Sprintf("%d %s", s.Batch, s.Title))
	}
	fs.StringVar(&f.Model, "model", "all", f.names()+", or all; a comma-separated list works too")
	fs.StringVar(&f.Mode, "mode", "all", "train, infer or all")
	fs.StringVar(&f.Threads, "threads", "1,2", "thread counts ("+threads+"), comma-separated")
	fs.IntVar(&f.Steps, "steps", 0, "timed steps per repeat (0: the model's default)")
	fs.IntVar(&f.Warmup, "warmup", -1, "untimed warm-up steps (-1: the model's default)")
	fs.IntVar(&f.Repeats, "repeats", 3, "timed repeats; the median rate is reported")
	fs.IntVar(&f.Batch, "batch", 0, "batch size (0: "+strings.Join(batches, ", ")+")")
	fs.Uint64Var(&f.Seed, "seed", 1, "seed of the weights, the inputs and the labels")
	fs.BoolVar(&f.JSON, "json", false, "print one JSON object per line instead of a table")
	fs.BoolVar(&f.Child, "child", false, "run one configuration in this process (used by the parent)")
	return f
}

// Configs expands the flags into the measurements to make, model by model,
// mode by mode, thread count by thread count.
func (f *Flags) Configs() ([]Config, error) {
	var ms []Spec
	if f.Model == "all" {
		ms = f.specs
	} else {
		for _, name := range strings.Split(f.Model, ",") {
			s, ok := f.spec(strings.TrimSpace(name))
			if !ok {
				return nil, errors.Errorf("-model %q: want %s or all", name, f.names())
			}
			ms = append(ms, s)
		}
	}
	modes := []string{"train", "infer"}
	if f.Mode != "all" {
		modes = strings.Split(f.Mode, ",")
		for i, m := range modes {
			if modes[i] = strings.TrimSpace(m); modes[i] != "train" && modes[i] != "infer" {
				return nil, errors.Errorf("-mode %q: want train, infer or all", m)
			}
		}
	}
	var threads []int
	for _, s := range strings.Split(f.Threads, ",") {
		t, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || t < 1 {
			return nil, errors.Errorf("-threads %q: want positive integers, comma-separated", f.Threads)
		}
		threads = append(threads, t)
	}
	if f.Repeats < 1 {
		return nil, errors.Errorf("-repeats %d: want at least 1", f.Repeats)
	}
	var out []Config
	for _, s := range ms {
		c := Config{Model: s.Name, Batch: s.Batch, Steps: s.Steps, Warmup: s.Warmup, Repeats: f.Repeats, Seed: f.Seed}
		if f.Steps > 0 {
			c.Steps = f.Steps
		}
		if f.Warmup >= 0 {
			c.Warmup = f.Warmup
		}
		if f.Batch > 0 {
			c.Batch = f.Batch
		}
		for _, m := range modes {
			for _, t := range threads {
				c.Mode, c.Threads = m, t
				out = append(out, c)
			}
		}
	}
	return out, nil
}

func (f *Flags) spec(name string) (Spec, bool) {
	for _, s := range f.specs {
		if s.Name == name {
			return s, true
		}
	}
	return Spec{}, false
}

// names lists the models for an error: "lenet5-modern, resnet20, alexnet".
func (f *Flags) names() string {
	var ns []string
	for _, s := range f.specs {
		ns = append(ns, s.Name)
	}
	return strings.Join(ns, ", ")
}
