package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestMain lets the tests run this example's main with flags, in a child
// process of the test binary (as the go command's own tests do): check ends
// the process, which only a child can afford.
func TestMain(m *testing.M) {
	if os.Getenv("CONVGRAPH_EXAMPLE_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func runMain(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "CONVGRAPH_EXAMPLE_MAIN=1")
	out, err := cmd.CombinedOutput()
	t.Log("\n" + string(out))
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// TestTiny trains 30 steps, draws the grids, then loads the weights it saved
// and draws them again: the same filters both times.
func TestTiny(t *testing.T) {
	dir := t.TempDir()
	out := runMain(t, "-checkpoint", "", "-steps", "30", "-digit", "1", "-out", dir)
	for _, want := range []string{"weight (6, 1, 5, 5)", "trained 30 steps", "test digit 1: label 2, input [1 1 28 28]",
		"conv1, ReLU → (1, 6, 28, 28)", "→ (1, 16, 10, 10)"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	for _, png := range []string{"conv1-filters.png", "digit.png", "conv1-maps.png", "conv2-maps.png"} {
		if _, err := os.Stat(filepath.Join(dir, png)); err != nil {
			t.Error(err)
		}
	}
	again := runMain(t, "-checkpoint", filepath.Join(dir, "lenet5-modern.safetensors"), "-digit", "1", "-out", dir)
	if !strings.Contains(again, "(trained 30 steps)") || filter0(again) != filter0(out) || filter0(out) == "" {
		t.Errorf("loading the saved weights: want the same filter 0")
	}
}

// filter0 returns the printed values of conv1's filter 0.
func filter0(out string) string {
	_, after, _ := strings.Cut(out, "conv1 filter 0 (5×5):\n")
	lines := strings.SplitN(after, "\n", 6)
	return strings.Join(lines[:min(5, len(lines))], "\n")
}
