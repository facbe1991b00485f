package ops_test

import (
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/ops"
)

// StartTiming/StopTiming count every run of each op kind, by name without
// parameters, and record nothing once stopped.
func TestOpTiming(t *testing.T) {
	x := tensorOf(tensor.Shape{1, 1, 2, 2}, -1, 2, -3, 4)
	relu := func(in gorgonia.Nodes) (*gorgonia.Node, error) { return ops.ReLU(in[0]) }
	ops.StartTiming()
	for range 3 {
		run(t, relu, x)
	}
	times := ops.StopTiming()
	if len(times) != 1 || times[0].Op != "relu" || times[0].Calls != 3 || times[0].Wall <= 0 {
		t.Fatalf("timings %+v, want relu run 3 times", times)
	}
	run(t, relu, x)
	if got := ops.StopTiming(); got != nil {
		t.Fatalf("stopped timing still recorded %+v", got)
	}
}
