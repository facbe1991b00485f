package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/convgraph/convgraph/examples/internal/notebook"
)

func TestMain(m *testing.M) { notebook.Main(m, main) }

// TestTiny trains 30 steps, draws the grids, then loads the weights it saved
// and draws them again: the same filters both times.
func TestTiny(t *testing.T) {
	dir := t.TempDir()
	out := notebook.Run(t, "-checkpoint", "", "-steps", "30", "-digit", "1", "-out", dir)
	notebook.Prints(t, out, "weight (6, 1, 5, 5)", "trained 30 steps", "test digit 1: label 2, input [1 1 28 28]",
		"conv1, ReLU → (1, 6, 28, 28)", "→ (1, 16, 10, 10)")
	for _, png := range []string{"conv1-filters.png", "digit.png", "conv1-maps.png", "conv2-maps.png"} {
		if _, err := os.Stat(filepath.Join(dir, png)); err != nil {
			t.Error(err)
		}
	}
	again := notebook.Run(t, "-checkpoint", filepath.Join(dir, "lenet5-modern.safetensors"), "-digit", "1", "-out", dir)
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
