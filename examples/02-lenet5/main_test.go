package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/convgraph/convgraph/examples/internal/notebook"
)

func TestMain(m *testing.M) { notebook.Main(m, main) }

// TestNotebook runs the notebook in a child process and checks the numbers
// it prints. main itself stops on any mismatch with the paper; these checks
// make sure every cell ran and printed them.
func TestNotebook(t *testing.T) {
	out := notebook.Run(t)
	notebook.Prints(t, out,
		"── Cell 5:", // every cell ran
		"✓ lenet5 parameters = 60850",
		"✓ lenet5-modern parameters = 61706",
		"  c3      MaskedConv2D(6, 16, 5x5, 1500 of 2400 weights) 16×10×10  16×10×10     1516",
		"✓ every stage has the paper's shape and parameter count",
		"lenet5: 1×32×32 →c1→ 6×28×28 →s2→ 6×14×14 →c3→ 16×10×10 →s4→ 16×5×5 →c5→ 120×1×1 →Flatten→ 120 →f6→ 84 →output→ 10",
		"lenet5-modern: 1×28×28 →conv1→ 6×28×28 →MaxPool2D→ 6×14×14 →conv2→ 16×10×10 →MaxPool2D→ 16×5×5 →Flatten→ 400 →fc1→ 120 →fc2→ 84 →fc3→ 10",
		"lenet5 batch [8 1 32 32], labels [7 2 1 0 4 1 4 9]",
		"lenet5-modern batch [8 1 28 28], labels [7 2 1 0 4 1 4 9]",
		"c3.weight: 1500 nonzero gradients among its 1500 connected weights, 0 among the 900 unconnected",
		"✓ row 0 against Table I = X   XXX  XXXX XX",
		"✓ row 5 against Table I =    XXX  XXXX XXX",
		"60 of the 96 map pairs connected, 60·25 weights + 16 biases = 1516 parameters",
	)
	// Both nets: an untrained loss near ln 10, and one SGD step lowers it by
	// about what the first-order term predicts.
	steps := 0
	for _, line := range strings.Split(out, "\n") {
		var lr, before, after, fell, predicted float64
		if _, err := fmt.Sscanf(strings.TrimSpace(line), "SGD step at lr %g: loss %g → %g (fell by %g; first order predicts lr·Σ‖∇w‖² = %g)",
			&lr, &before, &after, &fell, &predicted); err != nil {
			continue
		}
		steps++
		if !(after < before) || before < 2.1 || before > 2.5 {
			t.Errorf("step %d: loss %v → %v, want a start near ln 10 = 2.303 and a fall", steps, before, after)
		}
		if fell < predicted/2 || fell > predicted*2 {
			t.Errorf("step %d: the loss fell by %v, first order predicts %v", steps, fell, predicted)
		}
	}
	if steps != 2 {
		t.Errorf("found %d gradient-step lines, want 2 (one per variant)", steps)
	}
}
