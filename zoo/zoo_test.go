package zoo

import (
	"fmt"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/nn"
)

// publishedParams are the trainable parameter counts of each registry model
// at its default class count: LeCun et al. (1998) stage by stage plus a
// linear output; AlexNet from the lecture's table (one tower) and with the
// two-GPU grouping; torchvision's ResNets; and the CIFAR nets of He et al.
// (2015) with option A shortcuts, whose plain twins have the same count.
var publishedParams = map[string]int{
	"lenet5":         156 + 12 + 1516 + 32 + 48120 + 10164 + 850,
	"lenet5-modern":  156 + 2416 + 48120 + 10164 + 850,
	"alexnet":        62_378_344,
	"alexnet-2tower": 60_965_224,
	"resnet18":       11_689_512,
	"resnet34":       21_797_672,
	"resnet50":       25_557_032,
	"resnet101":      44_549_160,
	"resnet152":      60_192_808,
	"resnet20":       269_722,
	"resnet32":       464_154,
	"resnet44":       658_586,
	"resnet56":       853_018,
	"resnet110":      1_727_962,
	"plain20":        269_722,
	"plain32":        464_154,
	"plain44":        658_586,
	"plain56":        853_018,
	"plain110":       1_727_962,
}

// TestRegistryParams summarizes every model (the graph is built, not run)
// and checks its parameter count and the shape of its logits.
func TestRegistryParams(t *testing.T) {
	if got, want := len(Names()), len(publishedParams); got != want {
		t.Fatalf("%d registered models %v, %d published counts", got, Names(), want)
	}
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			want, ok := publishedParams[name]
			if !ok {
				t.Fatalf("no published count for %s", name)
			}
			model, input, err := New(name, nn.NewFactory(tensor.Float32, 1), 0)
			must(t, err)
			s, err := nn.Summarize(model, append([]int{1}, input...)...)
			must(t, err)
			if s.Params != want {
				t.Errorf("%s: %d parameters, want %d", name, s.Params, want)
			}
			if !strings.HasSuffix(s.String(), fmt.Sprintf("total parameters: %d\n", want)) {
				t.Errorf("%s: summary does not end with the total %d:\n%s", name, want, s)
			}
			out := s.Rows[len(s.Rows)-1].Out
			if classes := registry[name].classes; !out.Eq(tensor.Shape{1, classes}) {
				t.Errorf("%s: output %v, want (1, %d)", name, out, classes)
			}
		})
	}
}

func TestNewClasses(t *testing.T) {
	f := nn.NewFactory(tensor.Float32, 1)
	model, input, err := New("resnet20", f, 7)
	must(t, err)
	s, err := nn.Summarize(model, append([]int{2}, input...)...)
	must(t, err)
	if out := s.Rows[len(s.Rows)-1].Out; !out.Eq(tensor.Shape{2, 7}) {
		t.Errorf("resnet20 with 7 classes: output %v, want (2, 7)", out)
	}
	if want := 269_722 - 650 + 64*7 + 7; s.Params != want {
		t.Errorf("resnet20 with 7 classes: %d parameters, want %d", s.Params, want)
	}
	for _, c := range []struct {
		name    string
		classes int
		want    string
	}{
		{"resnet19", 10, `unknown model "resnet19"`},
		{"lenet5", -1, "-1 classes"},
	} {
		if _, _, err := New(c.name, f, c.classes); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("New(%q, %d): error %v, want one containing %q", c.name, c.classes, err, c.want)
		}
	}
	if _, _, err := New("lenet5", nn.NewFactory(tensor.Int, 1), 10); err == nil || !strings.Contains(err.Error(), "int") {
		t.Errorf("an int factory: error %v, want one naming the dtype", err)
	}
	// Constructors without an error return record a bad request in the factory.
	if _, _, err := New("lenet5", nn.NewFactory(tensor.Float32, 1), 0); err != nil {
		t.Errorf("lenet5 with its own class count: %v", err)
	}
	bad := nn.NewFactory(tensor.Float32, 1)
	NewLeNet5(bad, 0)
	if bad.Err() == nil || !strings.Contains(bad.Err().Error(), "below 1") {
		t.Errorf("NewLeNet5 with 0 classes: factory error %v", bad.Err())
	}
	for name, build := range map[string]func() error{
		"resnet18": func() error { _, err := NewResNet(nil, 18, 10); return err },
		"resnet20": func() error { _, err := NewCIFARResNet(nil, 20, ShortcutA, 10); return err },
		"alexnet":  func() error { _, err := NewAlexNet(nil, AlexNetConfig{Classes: 10, Input: 227}); return err },
		"int alexnet": func() error {
			_, err := NewAlexNet(nn.NewFactory(tensor.Int, 1), AlexNetConfig{Classes: 10, Input: 227})
			return err
		},
	} {
		if err := build(); err == nil {
			t.Errorf("%s: a nil or int factory gave no error", name)
		}
	}
}

// TestTrainAndEval runs one batch of 2 through each small model, in Train
// mode (with the backward pass) and in Eval mode, in float32.
func TestTrainAndEval(t *testing.T) {
	models := []struct {
		name    string
		classes int
		build   func(f *nn.Factory) (nn.Layer, []int, error)
	}{
		{"lenet5", 10, func(f *nn.Factory) (nn.Layer, []int, error) { return New("lenet5", f, 0) }},
		{"lenet5-modern", 10, func(f *nn.Factory) (nn.Layer, []int, error) { return New("lenet5-modern", f, 0) }},
		{"resnet20", 10, func(f *nn.Factory) (nn.Layer, []int, error) { return New("resnet20", f, 0) }},
		{"plain20", 10, func(f *nn.Factory) (nn.Layer, []int, error) { return New("plain20", f, 0) }},
		{"resnet8-b", 3, func(f *nn.Factory) (nn.Layer, []int, error) {
			m, err := NewCIFARResNet(f, 8, ShortcutB, 3)
			return m, []int{3, 32, 32}, err
		}},
		// AlexNet at its smallest input: every stage runs, on 1×1 after POOL3.
		{"alexnet-67", 5, func(f *nn.Factory) (nn.Layer, []int, error) {
			m, err := NewAlexNet(f, AlexNetConfig{Classes: 5, Input: 67})
			return m, []int{3, 67, 67}, err
		}},
		{"alexnet-2tower-67", 5, func(f *nn.Factory) (nn.Layer, []int, error) {
			m, err := NewAlexNet(f, AlexNetConfig{Classes: 5, Input: 67, TwoTower: true})
			return m, []int{3, 67, 67}, err
		}},
	}
	for _, m := range models {
		t.Run(m.name, func(t *testing.T) {
			model, input, err := m.build(nn.NewFactory(tensor.Float32, 1))
			must(t, err)
			step(t, model, input, m.classes, nn.Train)
			step(t, model, input, m.classes, nn.Eval)
		})
	}
}
