package main

import (
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
