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
	"flag"
	"log"

	"github.com/convgraph/convgraph/examples/benchmark/internal/harness"
)

// impl names convgraph in the results.
const impl = "convgraph"

// specs are the models as benchmarked, with the steps that keep one timed
// repeat around a second or more.
var specs = []harness.Spec{
	harness.LeNet5.WithSteps(40, 10),
	harness.ResNet20.WithSteps(3, 2),
	harness.AlexNet.WithSteps(2, 1),
}

// classes is each model's number of classes.
var classes = map[string]int{"lenet5-modern": 10, "resnet20": 10, "alexnet": 1000}

func main() {
	log.SetFlags(0)
	log.SetPrefix("benchmark: ")
	fl := harness.Register(flag.CommandLine, specs, "GOMAXPROCS and GEMM goroutines")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the timed steps (one configuration only)")
	optime := flag.Bool("optime", false, "print the wall time per step of each kind of op (on stderr)")
	flag.Parse()

	cfgs, err := fl.Configs()
	if err != nil {
		log.Fatal(err)
	}
	if *cpuprofile != "" && len(cfgs) != 1 {
		log.Fatalf("-cpuprofile needs one configuration (-model, -mode and -threads), got %d", len(cfgs))
	}
	var args []string // what the child needs besides its configuration
	if *cpuprofile != "" {
		args = append(args, "-cpuprofile", *cpuprofile)
	}
	if *optime {
		args = append(args, "-optime")
	}
	measure := func(c harness.Config) (*harness.Result, error) {
		return harness.Measure(c, impl, newModel, hooks(*cpuprofile, *optime))
	}
	if err := harness.Run(fl, cfgs, measure, harness.Table{Detail: true}, args...); err != nil {
		log.Fatal(err)
	}
}
