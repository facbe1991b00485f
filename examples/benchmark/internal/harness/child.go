package harness

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"

	"github.com/pkg/errors"
)

// Run is a benchmark's work once its flags are parsed. A child (-child)
// measures its one configuration in this process and prints the result as a
// JSON line for its parent. The parent runs each configuration in a child
// process of its own, passing args (the flags a child needs besides its
// configuration's), and prints the results on stdout: JSON lines with -json,
// else t's rows.
func Run(f *Flags, cfgs []Config, measure func(Config) (*Result, error), t Table, args ...string) error {
	if f.Child {
		if len(cfgs) != 1 {
			return errors.Errorf("-child runs one configuration, got %d", len(cfgs))
		}
		r, err := measure(cfgs[0])
		if err != nil {
			return err
		}
		return json.NewEncoder(os.Stdout).Encode(r)
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	if !f.JSON {
		t.Header(os.Stdout)
	}
	for _, c := range cfgs {
		r, err := RunChild(self, c, args...)
		if err != nil {
			return errors.Wrapf(err, "%s %s %d threads", c.Model, c.Mode, c.Threads)
		}
		if !f.JSON {
			t.Row(os.Stdout, r)
		} else if err := json.NewEncoder(os.Stdout).Encode(r); err != nil {
			return err
		}
	}
	return nil
}

// RunChild measures c by running self, the benchmark's executable, as a
// child with c's flags and args, and reads back the result it prints. The
// child is a fresh process with GOMAXPROCS set in its environment to
// c.Threads, because code may read GOMAXPROCS once, when the process starts
// (convgraph's GEMM takes its goroutine count from it), and a fresh process
// also gives every configuration a fresh heap.
func RunChild(self string, c Config, args ...string) (*Result, error) {
	cmd := exec.Command(self, append(c.Args(), args...)...)
	cmd.Env = append(slices.DeleteFunc(os.Environ(), func(e string) bool {
		return strings.HasPrefix(e, "GOMAXPROCS=")
	}), "GOMAXPROCS="+strconv.Itoa(c.Threads))
	cmd.Stderr = os.Stderr
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil {
		return nil, err
	}
	return lastResult(&out)
}

// lastResult decodes the last JSON line of a child's output.
func lastResult(r io.Reader) (*Result, error) {
	var last []byte
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if line := bytes.TrimSpace(sc.Bytes()); len(line) > 0 && line[0] == '{' {
			last = append(last[:0], line...)
		}
	}
	if last == nil {
		return nil, errors.New("child printed no result")
	}
	var res Result
	if err := json.Unmarshal(last, &res); err != nil {
		return nil, errors.Wrap(err, "child result")
	}
	return &res, nil
}
