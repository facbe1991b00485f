package zoo

import (
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/graph/gradcheck"
	"github.com/convgraph/convgraph/nn"
)

// TestResNet18StateDict checks resnet18's parameters against torchvision's
// state_dict: 122 entries (62 parameters, 60 batch-norm buffers), in
// torchvision's order, with its names and shapes.
func TestResNet18StateDict(t *testing.T) {
	r, err := NewResNet(nn.NewFactory(tensor.Float32, 1), 18, 1000)
	must(t, err)
	ps := r.Params()
	if len(ps) != 122 || len(nn.Trainable(ps)) != 62 {
		t.Fatalf("resnet18: %d entries, %d trainable: want torchvision's 122 and 62", len(ps), len(nn.Trainable(ps)))
	}
	at := map[string]int{}
	for i, p := range ps {
		at[p.Name] = i
	}
	for _, want := range []struct {
		index int
		name  string
		shape tensor.Shape
	}{
		{0, "conv1.weight", tensor.Shape{64, 3, 7, 7}},
		{1, "bn1.weight", tensor.Shape{64}},
		{3, "bn1.running_mean", tensor.Shape{64}},
		{4, "bn1.running_var", tensor.Shape{64}},
		{5, "bn1.num_batches_tracked", tensor.Shape{}},
		{6, "layer1.0.conv1.weight", tensor.Shape{64, 64, 3, 3}},
		{-1, "layer1.1.bn2.bias", tensor.Shape{64}},
		{-1, "layer2.0.conv1.weight", tensor.Shape{128, 64, 3, 3}},
		{-1, "layer2.0.downsample.0.weight", tensor.Shape{128, 64, 1, 1}},
		{-1, "layer2.0.downsample.1.weight", tensor.Shape{128}},
		{-1, "layer2.0.downsample.1.running_var", tensor.Shape{128}},
		{-1, "layer4.1.conv2.weight", tensor.Shape{512, 512, 3, 3}},
		{120, "fc.weight", tensor.Shape{1000, 512}},
		{121, "fc.bias", tensor.Shape{1000}},
	} {
		i, ok := at[want.name]
		switch {
		case !ok:
			t.Errorf("resnet18 has no %s", want.name)
		case want.index >= 0 && i != want.index:
			t.Errorf("%s is entry %d, want %d", want.name, i, want.index)
		case !ps[i].Value.Shape().Eq(want.shape):
			t.Errorf("%s: shape %v, want %v", want.name, ps[i].Value.Shape(), want.shape)
		}
	}
	if _, ok := at["layer1.0.downsample.0.weight"]; ok {
		t.Error("layer1.0 has a downsample: its stride and channels do not change")
	}
	if i := at["layer2.0.downsample.1.num_batches_tracked"]; ps[i-1].Name != "layer2.0.downsample.1.running_var" || ps[i+1].Name != "layer2.1.conv1.weight" {
		t.Errorf("downsample out of torchvision's order: %s, ..., %s", ps[i-1].Name, ps[i+1].Name)
	}
}

// TestResNet50Bottleneck: v1.5 strides on the 3×3 conv, and layer1.0 gets a
// projection for 64 → 256 channels at stride 1.
func TestResNet50Bottleneck(t *testing.T) {
	r, err := NewResNet(nn.NewFactory(tensor.Float32, 1), 50, 1000)
	must(t, err)
	blk := r.Layers[1].Layers[0].(*Bottleneck)
	if blk.Conv1.Geom.StrideH > 1 || blk.Conv2.Geom.StrideH != 2 {
		t.Errorf("layer2.0: conv1 stride %d, conv2 stride %d: want 1 and 2 (v1.5)", blk.Conv1.Geom.StrideH, blk.Conv2.Geom.StrideH)
	}
	first := r.Layers[0].Layers[0].(*Bottleneck)
	if ds, ok := first.Downsample.(*nn.Sequential); !ok || ds.Path != "layer1.0.downsample" {
		t.Errorf("layer1.0: downsample %v, want a projection 64 → 256", first.Downsample)
	}
	s, err := nn.Summarize(r, 1, 3, 224, 224)
	must(t, err)
	rows := rowsByPath(s)
	for path, want := range map[string]tensor.Shape{
		"conv1": {1, 64, 112, 112}, "layer1": {1, 256, 56, 56}, "layer2": {1, 512, 28, 28},
		"layer3": {1, 1024, 14, 14}, "layer4": {1, 2048, 7, 7}, "fc": {1, 1000},
	} {
		if got := rows[path].Out; !got.Eq(want) {
			t.Errorf("resnet50 %s: output %v, want %v", path, got, want)
		}
	}
}

// TestResNetInit: convolutions are He-normal with fan_out (std √(2/fan_out)),
// batch norms start at weight 1 and bias 0.
func TestResNetInit(t *testing.T) {
	r, err := NewResNet(nn.NewFactory(tensor.Float64, 1), 18, 10)
	must(t, err)
	w := floats64(r.Layers[3].Layers[1].(*BasicBlock).Conv2.Weight.Value) // 512·3·3 fan_out
	var sq float64
	for _, v := range w {
		sq += v * v
	}
	if got, want := sq/float64(len(w)), 2.0/(512*9); got < 0.98*want || got > 1.02*want {
		t.Errorf("layer4.1.conv2.weight: variance %.3g, want 2/fan_out = %.3g", got, want)
	}
	for _, v := range floats64(r.BN1.Weight.Value) {
		if v != 1 {
			t.Fatalf("bn1.weight starts at %v, want 1", v)
		}
	}
}

// TestCIFARShortcuts: option B adds two projections (16→32 and 32→64, conv
// and BN: 2,752 parameters), option A and the plain net add none. The
// option-B counts, 272,474 (20) ... 1,730,714 (110), are the ones often
// quoted for these nets.
func TestCIFARShortcuts(t *testing.T) {
	f := nn.NewFactory(tensor.Float32, 1)
	for depth, optionA := range map[int]int{20: 269_722, 32: 464_154, 44: 658_586, 56: 853_018, 110: 1_727_962} {
		for s, want := range map[Shortcut]int{ShortcutA: optionA, ShortcutB: optionA + 2752, NoShortcut: optionA} {
			r, err := NewCIFARResNet(f, depth, s, 10)
			must(t, err)
			if got := nn.Count(r.Params()); got != want {
				t.Errorf("%s: %d parameters, want %d", r.Path, got, want)
			}
		}
	}
	if _, err := NewCIFARResNet(f, 21, ShortcutA, 10); err == nil || !strings.Contains(err.Error(), "6n+2") {
		t.Errorf("depth 21: error %v, want one asking for 6n+2", err)
	}
}

func TestCIFARShapes(t *testing.T) {
	r, err := NewCIFARResNet(nn.NewFactory(tensor.Float32, 1), 20, ShortcutA, 10)
	must(t, err)
	s, err := nn.Summarize(r, 2, 3, 32, 32)
	must(t, err)
	rows := rowsByPath(s)
	for path, want := range map[string]tensor.Shape{
		"conv1": {2, 16, 32, 32}, "layer1": {2, 16, 32, 32}, "layer2": {2, 32, 16, 16},
		"layer2.0.downsample": {2, 32, 16, 16}, "layer3": {2, 64, 8, 8}, "fc": {2, 10},
	} {
		if got := rows[path].Out; !got.Eq(want) {
			t.Errorf("resnet20 %s: output %v, want %v", path, got, want)
		}
	}
}

// TestBasicBlockGradient checks a CIFAR stage-2 BasicBlock, 16 → 32 channels
// at stride 2, with each shortcut kind, in Train mode (batch statistics) and
// Eval mode, along random directions over its input and every parameter.
func TestBasicBlockGradient(t *testing.T) {
	for _, s := range []Shortcut{ShortcutA, ShortcutB, NoShortcut} {
		for _, mode := range []nn.Mode{nn.Train, nn.Eval} {
			t.Run(s.String()+"/"+mode.String(), func(t *testing.T) {
				r, err := NewCIFARResNet(nn.NewFactory(tensor.Float64, 1), 8, s, 10)
				must(t, err)
				blk := r.Layers[1].Layers[0].(*BasicBlock) // layer2.0
				if (blk.Downsample == nil) != (s == NoShortcut) {
					t.Fatalf("%v: downsample %v", s, blk.Downsample)
				}
				x := gradcheck.Random(tensor.Shape{2, 16, 6, 5}, 1)
				checkDirections(t, blk, x, mode, 3, gradcheck.Tol{Eps: 1e-6, Atol: 1e-9, Rtol: 1e-6})
			})
		}
	}
}

// TestBottleneckGradient checks a small stage of two Bottlenecks (4 → 8
// channels at stride 2 through a projection, then 8 → 8 through the
// identity) along random directions.
func TestBottleneckGradient(t *testing.T) {
	m := &layerMaker{f: nn.NewFactory(tensor.Float64, 1), inplanes: 4, shortcut: ShortcutB}
	layer := m.makeLayer("layer2", bottleneck, 2, 2, 2) // 4 → 8 channels, then 8 → 8
	x := gradcheck.Random(tensor.Shape{2, 4, 5, 6}, 1)
	checkDirections(t, layer, x, nn.Train, 3, gradcheck.Tol{Eps: 1e-6, Atol: 1e-9, Rtol: 1e-6})
}
