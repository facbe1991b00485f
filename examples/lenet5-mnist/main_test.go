package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/convgraph/convgraph/examples/internal/notebook"
)

func TestMain(m *testing.M) { notebook.Main(m, main) }

// TestStopAndResume runs the main job for 30 steps, as if killed, then
// resumes it from the checkpoint it left for 30 more: the README's command
// works end to end on real MNIST without training a whole epoch.
func TestStopAndResume(t *testing.T) {
	dir := t.TempDir()
	out := notebook.Run(t, "-quiet", "-stop-after", "30", "-out", dir)
	notebook.Prints(t, out, "train 60000 images, test 10000 images, 1×28×28", "total parameters: 61706", "stopped after step 30")
	if _, err := os.Stat(filepath.Join(dir, "checkpoint.safetensors")); err != nil {
		t.Fatal(err)
	}
	out = notebook.Run(t, "-quiet", "-resume", "-stop-after", "60", "-out", dir)
	notebook.Prints(t, out, "resumed at epoch 1, batch 30 (step 30)", "stopped after step 60")
}
