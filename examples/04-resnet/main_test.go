package main

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/convgraph/convgraph/examples/internal/notebook"
)

func TestMain(m *testing.M) { notebook.Main(m, main) }

// TestNotebook runs the notebook in a child process and checks the counts
// and shapes it prints, and what the shortcut experiment shows.
func TestNotebook(t *testing.T) {
	out := notebook.Run(t)
	notebook.Prints(t, out,
		"── Cell 7:", // every cell ran
		"✓ basic block parameters, 2·(3·3·64·64) + 2·(64 + 64) = 73984",
		"✓ output shape = (1, 128, 28, 28)",
		"layer2.0.downsample.0  Conv2D(64, 128, 1x1, stride=2, bias=false)",
		"✓ projection parameters, 64·128 + 2·128 = 8448",
		"resnet20 layer2.0: (1, 16, 32, 32) → (1, 32, 16, 16); shortcut ShortcutA(stride=2, channels=32), 0 parameters",
		"✓ ShortcutA(x) = [1 3 9 11 17 19 25 27 0 0 0 0 0 0 0 0]",
		"✓ output shape = (1, 256, 56, 56)",
		"= 70400",
		"conv1                  Conv2D(3, 64, 7x7, stride=2, pad=3, bias=false)     (1, 64, 112, 112)",
		"total parameters: 11689512",
		"✓ resnet18 parameters (torchvision) = 11,689,512",
		"total parameters: 269722",
		"✓ resnet20 parameters (He et al. Table 6: 0.27M) = 269,722",
		"✓ plain20 parameters (shortcut A adds none) = 269,722",
		"✓ both gradients agree with finite differences at ε = 1e-08 within 5%",
	)

	// As trained (batch statistics), the plain-56's first layer gets a
	// gradient far larger than the residual net's, and depth multiplies it
	// far more in the plain net.
	train := norms(t, out, "train mode")
	if !(train["plain56"] > 10*train["resnet56"]) {
		t.Errorf("train mode: plain56 first-layer gradient norm %g, resnet56 %g: want the plain net's 10× larger", train["plain56"], train["resnet56"])
	}
	if !(train["plain56"]/train["plain20"] > 10*train["resnet56"]/train["resnet20"]) {
		t.Errorf("train mode: from 20 to 56 layers the plain net's first-layer gradient grows %g×, the residual net's %g×: want the plain one's 10× more",
			train["plain56"]/train["plain20"], train["resnet56"]/train["resnet20"])
	}
	// Without normalization (eval mode at initialization), the plain net's
	// signal vanishes: the plain-56's first-layer gradient is below the
	// plain-20's and far below the residual-56's.
	eval := norms(t, out, "eval mode")
	if !(eval["plain56"] < eval["plain20"]/2 && eval["plain56"] < eval["resnet56"]/100) {
		t.Errorf("eval mode: plain56 first-layer gradient norm %g, plain20 %g, resnet56 %g: want plain56 below half of plain20's and 1%% of resnet56's",
			eval["plain56"], eval["plain20"], eval["resnet56"])
	}

	// The plain-56's gradient holds only very close to w: at ε = 1e-2 the
	// finite difference along it is under a tenth of ‖g‖; the residual net's
	// is above half.
	pct := func(name string) float64 {
		for _, line := range strings.Split(out, "\n") {
			f := strings.Fields(line)
			if len(f) == 9 && f[0] == name && strings.HasPrefix(f[4], "(") {
				v, err := strconv.ParseFloat(strings.Trim(f[4], "(%)"), 64)
				if err != nil {
					t.Fatalf("%s: %v in %q", name, err, line)
				}
				return v
			}
		}
		t.Fatalf("no finite-difference row for %s", name)
		return 0
	}
	if p, r := pct("plain56"), pct("resnet56"); !(p < 10 && r > 50) {
		t.Errorf("finite differences at ε = 1e-2 reach %g%% of ‖g‖ for plain56, %g%% for resnet56: want under 10 and over 50", p, r)
	}
}

// norms reads a "first-layer gradient norm, MODE: plain20 … resnet56 …" line.
func norms(t *testing.T, out, mode string) map[string]float64 {
	t.Helper()
	prefix := "first-layer gradient norm, " + mode + ":"
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, prefix) {
			continue
		}
		var p20, r20, p56, r56 float64
		if _, err := fmt.Sscanf(strings.TrimPrefix(line, prefix), " plain20 %g resnet20 %g plain56 %g resnet56 %g", &p20, &r20, &p56, &r56); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		return map[string]float64{"plain20": p20, "resnet20": r20, "plain56": p56, "resnet56": r56}
	}
	t.Fatalf("output lacks a line starting %q", prefix)
	return nil
}
