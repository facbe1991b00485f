package main

import (
	"fmt"
	"os"
	"runtime/pprof"

	"github.com/convgraph/convgraph/examples/benchmark/internal/harness"
	"github.com/convgraph/convgraph/ops"
)

// hooks bracket the timed steps: they count the minor page faults the steps
// cost (getrusage) and, as the flags ask, write a CPU profile of the steps
// to cpuprofile and print each kind of op's wall time (optime).
func hooks(cpuprofile string, optime bool) harness.Hooks {
	var profile *os.File
	var faults int64
	return harness.Hooks{
		Start: func() error {
			if cpuprofile != "" {
				f, err := os.Create(cpuprofile)
				if err != nil {
					return err
				}
				if err := pprof.StartCPUProfile(f); err != nil {
					f.Close()
					return err
				}
				profile = f
			}
			if optime {
				ops.StartTiming()
			}
			faults = minorFaults()
			return nil
		},
		Stop: func(r *harness.Result) error {
			n := float64(r.TimedSteps())
			r.MinorFaults = new(float64(minorFaults()-faults) / n)
			if optime {
				printOpTimes(r, ops.StopTiming(), n)
			}
			if profile == nil {
				return nil
			}
			pprof.StopCPUProfile()
			return profile.Close()
		},
	}
}

// printOpTimes writes the ops' wall time per step to stderr, longest first,
// with each kind's share of the median step; what the ops leave of the step
// is gorgonia's own ops and the tape.
func printOpTimes(r *harness.Result, times []ops.OpTime, steps float64) {
	step := r.StepMs
	fmt.Fprintf(os.Stderr, "%s %s, %d threads: wall ms per step of each op kind (step %.1f ms)\n", r.Model, r.Mode, r.Threads, step)
	var total float64
	for _, t := range times {
		ms := t.Wall.Seconds() * 1e3 / steps
		total += ms
		fmt.Fprintf(os.Stderr, "  %-44s %6.1f calls %8.2f ms %5.1f%%\n", t.Op, float64(t.Calls)/steps, ms, 100*ms/step)
	}
	fmt.Fprintf(os.Stderr, "  %-44s %6s       %8.2f ms %5.1f%%\n", "(outside convgraph's ops)", "", step-total, 100*(step-total)/step)
}
