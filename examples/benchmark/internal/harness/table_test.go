package harness

import (
	"strings"
	"testing"
)

func TestTable(t *testing.T) {
	r := &Result{Model: "lenet5-modern", Mode: "train", Threads: 1, Batch: 64, ImagesPerSec: 15068.14, StepMs: 4.247,
		AllocBytes: 12345, ActivationBytes: 5509120, MinorFaults: new(3.2)}
	var b strings.Builder
	Table{}.Header(&b)
	Table{}.Row(&b, r)
	Table{Detail: true}.Header(&b)
	Table{Detail: true}.Row(&b, r)
	want := `model          mode  threads batch   images/s   step ms MB alloc/step
lenet5-modern  train       1    64    15068.1       4.2           0.0
model          mode  threads batch   images/s   step ms MB alloc/step of activations faults/step
lenet5-modern  train       1    64    15068.1       4.2          0.01          0.22%           3
`
	if b.String() != want {
		t.Errorf("table\n%s\nwant\n%s", b.String(), want)
	}
}
