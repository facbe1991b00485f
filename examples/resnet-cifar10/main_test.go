package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/convgraph/convgraph/examples/internal/notebook"
	"github.com/convgraph/convgraph/zoo/datasets"
)

func TestMain(m *testing.M) { notebook.Main(m, main) }

// runMain runs main with args and returns its combined output and error.
func runMain(t *testing.T, args ...string) (string, error) {
	t.Helper()
	out, err := notebook.Command(args...).CombinedOutput()
	return string(out), err
}

// TestTiny trains plain-8 and ResNet-8 for 2 epochs on 128 images, draws the
// figure, then resumes both finished nets from their checkpoints and gets
// the same table back from the metrics logs.
func TestTiny(t *testing.T) {
	if _, err := datasets.CIFAR10Dir(); err != nil {
		t.Skip(err)
	}
	dir := t.TempDir()
	args := []string{"-depths", "8", "-epochs", "2", "-train", "128", "-test", "100", "-batch", "64", "-quiet", "-out", dir}
	out, err := runMain(t, args...)
	t.Log("\n" + out)
	if err != nil {
		t.Fatal(err)
	}
	notebook.Prints(t, out, "using train 128, test 100", "2 steps per epoch, 2 epochs, 4 steps", "plain8", "resnet8", "wall time")
	if _, err := os.Stat(filepath.Join(dir, "figure6.png")); err != nil {
		t.Error(err)
	}
	again, err := runMain(t, append(args, "-resume")...)
	if err != nil {
		t.Fatalf("%v\n%s", err, again)
	}
	if !strings.Contains(again, "resnet8: finished in its checkpoint (step 4)") || table(again) != table(out) {
		t.Errorf("resumed run: want the finished nets' table back\n%s", again)
	}
}

// table returns the rows of the final table, without the time column.
func table(out string) string {
	var rows []string
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) == 6 && (strings.HasPrefix(f[0], "plain") || strings.HasPrefix(f[0], "resnet")) {
			rows = append(rows, strings.Join(f[:5], " "))
		}
	}
	return strings.Join(rows, "\n")
}

// TestMissingData: no CIFAR-10 folder gives a message that says how to get
// one, and exit status 2.
func TestMissingData(t *testing.T) {
	out, err := runMain(t, "-data", filepath.Join(t.TempDir(), "nowhere"))
	if e, ok := err.(*exec.ExitError); !ok || e.ExitCode() != 2 {
		t.Fatalf("exit: %v, want status 2\n%s", err, out)
	}
	notebook.Prints(t, out, "nowhere", "cifar-10-binary.tar.gz", "-data", datasets.CIFAR10DirEnv)
}

func TestParseDepths(t *testing.T) {
	if d, err := parseDepths("56, 20,110,20"); err != nil || !slices.Equal(d, []int{20, 56, 110}) {
		t.Errorf("parseDepths: %v, %v", d, err)
	}
	for _, bad := range []string{"21", "2", "20,x", ""} {
		if _, err := parseDepths(bad); err == nil {
			t.Errorf("parseDepths(%q): want an error", bad)
		}
	}
}
