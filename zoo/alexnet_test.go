package zoo

import (
	"fmt"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/nn"
)

// TestAlexNetShapes walks the summary of the full net (built, not run) and
// checks the shape after each stage against the lecture's table. ReLU,
// dropout and flatten rows are skipped: the table does not list them.
func TestAlexNetShapes(t *testing.T) {
	for _, towers := range []bool{false, true} {
		net, err := NewAlexNet(nn.NewFactory(tensor.Float32, 1), AlexNetConfig{Classes: 1000, Input: 227, TwoTower: towers})
		must(t, err)
		s, err := nn.Summarize(net, 1, 3, 227, 227)
		must(t, err)
		var got []string
		for _, r := range s.Rows {
			if r.Kind == "ReLU" || r.Kind == "Flatten" || strings.HasPrefix(r.Kind, "Dropout") || r.Path == net.Path {
				continue
			}
			got = append(got, stage(r))
		}
		want := []string{
			"conv1 [55 55 96]",
			"MaxPool2D [27 27 96]",
			"LRN [27 27 96]",
			"conv2 [27 27 256]",
			"MaxPool2D [13 13 256]",
			"LRN [13 13 256]",
			"conv3 [13 13 384]",
			"conv4 [13 13 384]",
			"conv5 [13 13 256]",
			"MaxPool2D [6 6 256]",
			"fc6 [4096]",
			"fc7 [4096]",
			"fc8 [1000]",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("two towers %t: stages\n%s\nwant\n%s\nsummary:\n%s", towers, strings.Join(got, "\n"), strings.Join(want, "\n"), s)
		}
	}
}

// stage names a summary row as the lecture's table does: the layer (or its
// kind, for unnamed poolings and normalizations) and the output as H×W×C.
func stage(r nn.SummaryRow) string {
	name := r.Path
	if name == "" {
		name, _, _ = strings.Cut(r.Kind, "(")
	}
	out := []int(r.Out[1:])
	if len(out) == 3 {
		out = []int{out[1], out[2], out[0]}
	}
	return fmt.Sprint(name, " ", out)
}

// TestAlexNetInput: FC6 takes what POOL3 leaves of the input. The paper's
// 224 leaves 5×5, not its 6×6; 67 is the smallest side that runs.
func TestAlexNetInput(t *testing.T) {
	f := nn.NewFactory(tensor.Float32, 1)
	for _, c := range []struct {
		input, flat int
	}{
		{227, 256 * 6 * 6},
		{224, 256 * 5 * 5},
		{99, 256 * 2 * 2},
		{67, 256},
	} {
		net, err := NewAlexNet(f, AlexNetConfig{Classes: 3, Input: c.input})
		must(t, err)
		in := 0
		for _, l := range net.Layers {
			if fc, ok := l.(*nn.Linear); ok && fc.Path == "fc6" {
				in = fc.In
			}
		}
		if in != c.flat {
			t.Errorf("input %d: fc6 takes %d features, want %d", c.input, in, c.flat)
		}
	}
	for _, c := range []AlexNetConfig{{Classes: 3, Input: 66}, {Classes: 0, Input: 227}} {
		if _, err := NewAlexNet(f, c); err == nil {
			t.Errorf("%+v: no error", c)
		} else if !strings.Contains(err.Error(), "alexnet") {
			t.Errorf("%+v: error %q does not name the model", c, err)
		}
	}
}
