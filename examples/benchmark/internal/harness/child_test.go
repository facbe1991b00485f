package harness

import (
	"strings"
	"testing"
)

func TestLastResult(t *testing.T) {
	out := "noise\n{\"model\":\"a\",\"images_per_sec\":1}\n{\"model\":\"b\",\"images_per_sec\":2.5}\n"
	r, err := lastResult(strings.NewReader(out))
	if err != nil || r.Model != "b" || r.ImagesPerSec != 2.5 {
		t.Errorf("lastResult = %+v, %v", r, err)
	}
	if _, err := lastResult(strings.NewReader("nothing\n")); err == nil {
		t.Error("no result: no error")
	}
}
