package nn

import (
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/ops"
)

// maskedConv stands for LeNet-5's C3: a full weight of which only some
// entries are connected.
type maskedConv struct{ *Conv2D }

func (m maskedConv) EffectiveParams() int { return 10 }

// TestSummarize counts by hand on input (4, 1, 5, 5):
//
//	features.0 Conv2D(1, 2, 3x3): 2·1·3·3 + 2 = 20 params; 2·3·3 outputs × 1·3·3 = 162 MACs
//	features.1 BatchNorm(2):      2 + 2 = 4 params (running stats are buffers)
//	fc Linear(18, 3):             18·3 + 3 = 57 params; 18·3 = 54 MACs
//
// in all 81 parameters and 216 MACs per image (the batch of 4 changes nothing).
func TestSummarize(t *testing.T) {
	f := NewFactory(tensor.Float32, 1)
	features := NewSequential("features", f.Conv2D("features.0", 1, 2, 3, 3, ops.Conv{}, true), f.BatchNorm("features.1", 2), ReLU)
	model := NewSequential("", features, Flatten(), f.Linear("fc", 18, 3, true))
	s, err := Summarize(model, 4, 1, 5, 5)
	must(t, err)
	want := []SummaryRow{
		{"features.0", "Conv2D(1, 2, 3x3)", tensor.Shape{4, 2, 3, 3}, 20, 162},
		{"features.1", "BatchNorm(2)", tensor.Shape{4, 2, 3, 3}, 4, 0},
		{"", "ReLU", tensor.Shape{4, 2, 3, 3}, 0, 0},
		{"features", "Sequential", tensor.Shape{4, 2, 3, 3}, 0, 0},
		{"", "Flatten", tensor.Shape{4, 18}, 0, 0},
		{"fc", "Linear(18, 3, bias=true)", tensor.Shape{4, 3}, 57, 54},
		{"", "Sequential", tensor.Shape{4, 3}, 0, 0},
	}
	if len(s.Rows) != len(want) {
		t.Fatalf("%d rows, want %d:\n%v", len(s.Rows), len(want), s)
	}
	for i, w := range want {
		r := s.Rows[i]
		if r.Path != w.Path || r.Kind != w.Kind || !r.Out.Eq(w.Out) || r.Params != w.Params || r.MACs != w.MACs {
			t.Errorf("row %d: %+v, want %+v", i, r, w)
		}
	}
	if s.Params != 81 || s.MACs != 216 || s.Params != Count(model.Params()) {
		t.Errorf("totals: %d params, %d MACs; want 81 and 216", s.Params, s.MACs)
	}
	text := s.String()
	if !strings.HasSuffix(text, "total parameters: 81\n") || !strings.Contains(text, "total MACs per image: 216") {
		t.Errorf("table does not end with the totals:\n%s", text)
	}
	if !strings.Contains(text, "features.0  Conv2D(1, 2, 3x3)") {
		t.Errorf("table:\n%s", text)
	}
}

// TestSummarizeSharedAndEffective: a layer applied twice counts its
// parameters once and its MACs twice; an effective count replaces the size.
func TestSummarizeSharedAndEffective(t *testing.T) {
	f := NewFactory(tensor.Float64, 1)
	shared := f.Linear("fc", 3, 3, true)
	s, err := Summarize(NewSequential("", shared, ReLU, shared), 1, 3)
	must(t, err)
	if s.Params != 12 || s.MACs != 18 {
		t.Errorf("shared layer: %d params, %d MACs; want 12 and 18", s.Params, s.MACs)
	}
	c3 := maskedConv{f.Conv2D("c3", 2, 2, 1, 1, ops.Conv{}, false)}
	s, err = Summarize(c3, 1, 2, 2, 2)
	must(t, err)
	if s.Params != 10 || s.MACs != 2*2*2*2 {
		t.Errorf("masked conv: %d params, %d MACs; want 10 and 16", s.Params, s.MACs)
	}
	_, err = Summarize(shared, 1, 4)
	wantErr(t, err, "summary", "(1, 4)")
}
