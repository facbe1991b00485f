package zoo

import (
	"testing"

	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/graph/gradcheck"
	"github.com/convgraph/convgraph/nn"
)

// rowsByPath indexes a summary's rows by layer path (named layers only).
func rowsByPath(s *nn.Summary) map[string]nn.SummaryRow {
	rows := map[string]nn.SummaryRow{}
	for _, r := range s.Rows {
		if r.Path != "" {
			rows[r.Path] = r
		}
	}
	return rows
}

// TestLeNet5Stages checks each stage's output shape and parameter count
// against LeCun et al. (1998), §II.B.
func TestLeNet5Stages(t *testing.T) {
	s, err := nn.Summarize(NewLeNet5(nn.NewFactory(tensor.Float32, 1), 10), 3, 1, 32, 32)
	must(t, err)
	rows := rowsByPath(s)
	for _, want := range []struct {
		path   string
		out    tensor.Shape
		params int
	}{
		{"c1", tensor.Shape{3, 6, 28, 28}, 156},
		{"s2", tensor.Shape{3, 6, 14, 14}, 12},
		{"c3", tensor.Shape{3, 16, 10, 10}, 1516},
		{"s4", tensor.Shape{3, 16, 5, 5}, 32},
		{"c5", tensor.Shape{3, 120, 1, 1}, 48120},
		{"f6", tensor.Shape{3, 84}, 10164},
		{"output", tensor.Shape{3, 10}, 850},
	} {
		r, ok := rows[want.path]
		if !ok {
			t.Fatalf("no %s row in\n%s", want.path, s)
		}
		if !r.Out.Eq(want.out) || r.Params != want.params {
			t.Errorf("%s: output %v with %d parameters, want %v with %d", want.path, r.Out, r.Params, want.out, want.params)
		}
	}
	if rows["c3"].MACs != 10*10*1500 {
		t.Errorf("c3: %d MACs per image, want the connected 10·10·1500", rows["c3"].MACs)
	}
}

// TestLeNet5C3Table: Table I connects C3 maps 0-5 to 3 S2 maps, 6-14 to 4
// and 15 to all 6; unconnected weights are zero from the start.
func TestLeNet5C3Table(t *testing.T) {
	c3 := NewLeNetC3(nn.NewFactory(tensor.Float64, 1), "c3")
	mask, w := floats64(c3.Mask.Value), floats64(c3.Conv.Weight.Value)
	for j := 0; j < 16; j++ {
		maps := 0
		for i := 0; i < 6; i++ {
			k := (j*6 + i) * 25
			if mask[k] == 1 {
				maps++
			}
			for p := k; p < k+25; p++ {
				if mask[p] != mask[k] || (mask[p] == 0 && w[p] != 0) || (mask[p] == 1 && w[p] == 0) {
					t.Fatalf("c3 map %d, input %d, tap %d: mask %v, weight %v", j, i, p-k, mask[p], w[p])
				}
			}
		}
		want := map[bool]int{true: 3, false: 4}[j < 6]
		if j == 15 {
			want = 6
		}
		if maps != want {
			t.Errorf("c3 map %d sees %d S2 maps, want %d", j, maps, want)
		}
	}
	if c3.Mask.Trainable {
		t.Error("c3.mask is trainable: want a buffer")
	}
	if got := c3.EffectiveParams(); got != 1516 {
		t.Errorf("c3: %d effective parameters, want 1516", got)
	}
}

// TestLeNet5Gradient checks the whole LeNet-5's gradient (input and every
// parameter, C3's masked weight included) along random directions.
func TestLeNet5Gradient(t *testing.T) {
	model := NewLeNet5(nn.NewFactory(tensor.Float64, 1), 10)
	x := gradcheck.Random(tensor.Shape{2, 1, 32, 32}, 1)
	checkDirections(t, model, x, nn.Train, 3, gradcheck.Tol{Eps: 1e-6, Atol: 1e-10, Rtol: 1e-6})
}

func TestLeNet5ModernGradient(t *testing.T) {
	model := NewLeNet5Modern(nn.NewFactory(tensor.Float64, 1), 10)
	x := gradcheck.Random(tensor.Shape{2, 1, 28, 28}, 1)
	checkDirections(t, model, x, nn.Train, 2, gradcheck.Tol{Eps: 1e-6, Atol: 1e-10, Rtol: 1e-6})
}
