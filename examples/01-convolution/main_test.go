package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/convgraph/convgraph/examples/internal/notebook"
)

// TestNotebook runs the notebook and checks that it still reproduces the
// lecture. main itself stops on any mismatch (log.Fatal fails the test
// binary); these checks make sure the cells that print the lecture's numbers
// ran at all.
func TestNotebook(t *testing.T) {
	out := runMain(t)
	notebook.Prints(t, out,
		"── Cell 11:", // every cell ran
		"✓ correlation of the impulses = [0 3 2 1 0 6 4 2 0 0]",
		"✓ convolution of the impulses = [0 1 2 3 0 2 4 6 0 0]",
		"✓ W * X = [11 18; 6 22]",
		"✓ W * pad(X, 1) = [10 2 7 0; 13 11 18 1; 10 6 22 4; 11 7 12 3]",
		"✓ W * X7 (stride 2) = [11 4 11; 9 6 15; 8 10 13]",
		"✓ the sum of the three 2-D correlations",
		"→ (1, 10, 32, 32)",
		"(32 + 2·2 − 5)/1 + 1 = 32",
		"750 weights + 10 biases = 760",
		"five 5×5 filters, no padding → (1, 5, 28, 28)",
		"✓ channel 1, R − B = [-2 -3; 0 -2]",
		"✓ maxpool(x) = [6 8; 3 4]",
		"largest difference from the sum by hand: ",
		"x0: 0/72 bad",
		"x1: 0/54 bad",
		"✓ every gradient agrees",
	)
	// The smoothing must at least halve the error against the clean sine.
	var before, after float64
	found := false
	for _, line := range strings.Split(out, "\n") {
		if _, err := fmt.Sscanf(line, "rms error against the clean sine: %f → %f", &before, &after); err == nil {
			found = true
		}
	}
	if !found || !(after < before/2) {
		t.Errorf("rms error before and after smoothing: %v → %v (line found: %t), want at least halved", before, after, found)
	}
}

// runMain runs main with its standard output captured.
func runMain(t *testing.T) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = w
	defer func() { os.Stdout = stdout }()
	type result struct {
		out []byte
		err error
	}
	done := make(chan result)
	go func() {
		b, err := io.ReadAll(r)
		done <- result{b, err}
	}()
	main()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	res := <-done
	if res.err != nil {
		t.Fatal(res.err)
	}
	return string(res.out)
}

// TestDocsQuoteCode keeps the docs from drifting: a ```go block placed right
// under a line "<!-- copied from PATH -->" must be made of lines of PATH
// (relative to the repository root), in order, each line of the block
// appearing (indentation aside) within one line of the file.
func TestDocsQuoteCode(t *testing.T) {
	root := filepath.Join("..", "..")
	blocks := 0
	for _, doc := range []string{"README.md", "docs/ops.md", "docs/concepts.md", "docs/training.md", "docs/README.md", "docs/packages/graph.md", "docs/packages/gradcheck.md", "docs/packages/ops.md", "docs/packages/kernels.md", "docs/packages/nn.md", "docs/packages/safetensors.md", "docs/packages/zoo.md", "docs/packages/datasets.md", "docs/packages/solvers.md", "docs/packages/examples.md"} {
		quotes, err := quotedBlocks(filepath.Join(root, doc))
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range quotes {
			blocks++
			src, err := os.ReadFile(filepath.Join(root, q.path))
			if err != nil {
				t.Errorf("%s:%d: %v", doc, q.line, err)
				continue
			}
			if missing, ok := inOrder(q.lines, strings.Split(string(src), "\n")); !ok {
				t.Errorf("%s:%d: the block copied from %s has a line that is not there (or out of order):\n\t%s",
					doc, q.line, q.path, missing)
			}
		}
	}
	if blocks == 0 {
		t.Error("no copied code blocks found in the docs")
	}
}

type quote struct {
	path  string
	line  int
	lines []string
}

// quotedBlocks returns the code blocks of a markdown file that a
// "<!-- copied from PATH -->" line introduces.
func quotedBlocks(path string) ([]quote, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var quotes []quote
	var cur *quote
	pending, inBlock := "", false
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case inBlock && line == "```":
			inBlock = false
			if cur != nil {
				quotes = append(quotes, *cur)
				cur = nil
			}
		case inBlock:
			if cur != nil && line != "" {
				cur.lines = append(cur.lines, line)
			}
		case strings.HasPrefix(line, "```"):
			inBlock = true
			if pending != "" {
				cur = &quote{path: pending, line: n}
			}
			pending = ""
		case strings.HasPrefix(line, "<!-- copied from ") && strings.HasSuffix(line, "-->"):
			pending = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(line, "<!-- copied from "), "-->"))
		case line != "":
			pending = ""
		}
	}
	return quotes, sc.Err()
}

// inOrder reports whether each of want lies within a line of src, each
// after the previous one's, and if not, the first that does not.
func inOrder(want, src []string) (string, bool) {
	i := 0
	for _, w := range want {
		for i < len(src) && !strings.Contains(strings.TrimSpace(src[i]), w) {
			i++
		}
		if i == len(src) {
			return w, false
		}
		i++
	}
	return "", true
}
