// Package notebook lets an example's tests run its real main with flags, in
// a child process of the test binary (as the go command's own tests do): the
// examples end on errors with log.Fatal, which only a child can afford.
package notebook

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

const childEnv = "CONVGRAPH_EXAMPLE_MAIN"

// Main is the body of an example's TestMain: in the child it runs main and
// exits; in the parent it runs the tests.
func Main(m *testing.M, main func()) {
	if os.Getenv(childEnv) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// Command is the example's main with args, as a child process to start.
func Command(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), childEnv+"=1")
	return cmd
}

// Run runs the example's main with args in a child process and returns what
// it printed (stdout and stderr); a failed run fails t.
func Run(t *testing.T, args ...string) string {
	t.Helper()
	b, err := Command(args...).CombinedOutput()
	out := string(b)
	t.Log("\n" + out)
	if err != nil {
		t.Fatalf("%v %v: %v", os.Args[0], args, err)
	}
	return out
}

// Prints fails t for each of wants that the output out lacks.
func Prints(t *testing.T, out string, wants ...string) {
	t.Helper()
	missing := false
	for _, w := range wants {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q", w)
			missing = true
		}
	}
	if missing {
		t.Logf("the output was:\n%s", out)
	}
}
