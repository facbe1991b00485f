package main

import (
	"os"
	"strings"
	"testing"
)

// TestSummaryCounts: the table ends with the published parameter counts.
func TestSummaryCounts(t *testing.T) {
	for name, want := range map[string]string{
		"alexnet":  "total parameters: 62378344",
		"resnet20": "total parameters: 269722",
	} {
		s, err := summarize(name, 0)
		if err != nil {
			t.Fatalf("%s: %+v", name, err)
		}
		if out := strings.TrimSpace(s.String()); !strings.HasSuffix(out, want) {
			t.Fatalf("%s: summary ends %q, want %q", name, out[max(0, len(out)-80):], want)
		}
	}
}

// TestZooPageMatches: every row of docs/zoo.md's table states the counts the
// summary prints.
func TestZooPageMatches(t *testing.T) {
	page, err := os.ReadFile("../../docs/zoo.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := 0
	for _, line := range strings.Split(string(page), "\n") {
		f := strings.Split(line, "|")
		if len(f) < 6 || !strings.Contains(f[3], ",") {
			continue
		}
		name, params, macs := strings.TrimSpace(f[1]), strings.ReplaceAll(strings.TrimSpace(f[3]), ",", ""), strings.ReplaceAll(strings.TrimSpace(f[4]), ",", "")
		s, err := summarize(name, 0)
		if err != nil {
			t.Fatalf("%s: %+v", name, err)
		}
		out := s.String()
		if !strings.Contains(out, "total parameters: "+params+"\n") || !strings.Contains(out, "total MACs per image: "+macs+"\n") {
			t.Errorf("docs/zoo.md says %s has %s parameters and %s MACs; the summary ends:\n%s", name, params, macs, out[max(0, len(out)-120):])
		}
		rows++
	}
	if rows < 19 {
		t.Fatalf("found %d model rows in docs/zoo.md, want 19", rows)
	}
}
