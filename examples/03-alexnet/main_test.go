package main

import (
	"strings"
	"testing"

	"github.com/convgraph/convgraph/examples/internal/notebook"
)

func TestMain(m *testing.M) { notebook.Main(m, main) }

// TestNotebook runs the notebook in a child process and checks the lines
// that reproduce the lecture. main itself stops on any mismatch; these checks
// make sure every cell ran and printed them.
func TestNotebook(t *testing.T) {
	out := notebook.Run(t)
	notebook.Prints(t, out,
		"── Cell 5:", // every cell ran
		"✓ input = [227x227x3]",
		"[55x55x96]   CONV1: 96 11x11 filters at stride 4, pad 0   [55x55x96]    Conv2D(3, 96, 11x11, stride=4)",
		"34,944 = (11·11·3 + 1)·96",
		"[27x27x96]   MAX POOL1: 3x3 filters at stride 2           [27x27x96]",
		"[27x27x256]  CONV2: 256 5x5 filters at stride 1, pad 2    [27x27x256]",
		"614,656 = (5·5·96 + 1)·256",
		"885,120 = (3·3·256 + 1)·384",
		"1,327,488 = (3·3·384 + 1)·384",
		"884,992 = (3·3·384 + 1)·256",
		"[6x6x256]    MAX POOL3: 3x3 filters at stride 2           [6x6x256]",
		"37,752,832 = (9216 + 1)·4096",
		"16,781,312 = (4096 + 1)·4096",
		"[1000]       FC8: 1000 neurons (class scores)             [1000]",
		"4,097,000 = (4096 + 1)·1000",
		"✓ every shape is the lecture's, every count the one worked out by hand",
		"✓ total parameters, one tower = 62,378,344",
		"✓ parameters saved by two towers = 1,413,120",
		"✓ total parameters, two towers = 60,965,224",
		"solvers.NewSGD(0.9, false, solvers.Decay{Rate: 0.0005})",
		"solvers.NewPlateau(0.01, 2)",
		"✓ dropout layers = dropout6 Dropout(p=0.5), dropout7 Dropout(p=0.5)",
		"✓ solvers.SGD is the paper's update",
		"✓ rate after two plateaus = 0.0001",
		"→pool→ [1x1x256] →fc6→ [4096] →fc7→ [4096] →fc8→ [10]",
		"✓ logits shape = (2, 10)",
		"✓ every logit is finite",
	)
	// Pooling and normalization: "parameters: 0", as the lecture prints.
	zero := 0
	for _, line := range strings.Split(out, "\n") {
		if (strings.Contains(line, "MAX POOL") || strings.Contains(line, "NORM")) && strings.HasSuffix(line, "parameters: 0") {
			zero++
		}
	}
	if zero != 5 {
		t.Errorf("%d pooling and normalization lines end in \"parameters: 0\", want 5", zero)
	}
}
