package zoo_test

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/graph"
	"github.com/convgraph/convgraph/nn"
	"github.com/convgraph/convgraph/nn/safetensors"
	"github.com/convgraph/convgraph/zoo"
)

// The interop fixture, written by zoo/testdata/interop/torchvision_fixture.py: the
// state_dict of torchvision.models.resnet18(num_classes=10) with random
// weights and non-trivial batch-norm statistics (float tensors stored as
// F16, which the reader widens exactly), and an input with the logits torch
// computes from it in eval mode (in float64, from those same F16 values).
var (
	interopWeights = filepath.Join("testdata", "interop", "resnet18_torchvision.safetensors")
	interopIO      = filepath.Join("testdata", "interop", "resnet18_io.safetensors")
)

// interopTol bounds max |ours − torch| / max |torch| over the logits. What
// is left is float32 rounding alone (torch's own float32 forward is about
// 1e-6 from the float64 reference).
const interopTol = 1e-4

// TestTorchvisionResNet18 proves that zoo's resnet18 is torchvision's: a
// torchvision state_dict loads into it name for name and shape for shape,
// every parameter and buffer, in torch's order, and the loaded model
// computes torch's logits.
func TestTorchvisionResNet18(t *testing.T) {
	for _, p := range []string{interopWeights, interopIO} {
		if _, err := os.Stat(p); os.IsNotExist(err) {
			t.Skipf("interop fixture %s absent: run /usr/bin/python3 zoo/testdata/interop/torchvision_fixture.py", p)
		}
	}
	weights, err := safetensors.Read(interopWeights)
	if err != nil {
		t.Fatalf("%+v", err)
	}
	io, err := safetensors.Read(interopIO)
	if err != nil {
		t.Fatalf("%+v", err)
	}
	x, want := io.Tensors["input"], io.Tensors["logits"]
	if x == nil || want == nil || x.Dtype() != tensor.Float32 || x.Dims() != 4 || want.Dims() != 2 {
		t.Fatalf("fixture %s: want tensors input (F32, N×C×H×W) and logits (N×classes), got %v", interopIO, io.Names)
	}
	classes := want.Shape()[1]

	model, _, err := zoo.New("resnet18", nn.NewFactory(tensor.Float32, 1), classes)
	if err != nil {
		t.Fatalf("%+v", err)
	}
	params := model.Params()
	// Every parameter and buffer must match a tensor by name, shape and
	// dtype, and every tensor a parameter: this is the naming proof.
	if err := nn.LoadStateDict(params, weights.Tensors); err != nil {
		t.Fatalf("torchvision state_dict does not load: %+v", err)
	}
	// Params lists them in state_dict order; compare with torch's own.
	var order []string
	if err := json.Unmarshal([]byte(weights.Metadata["state_dict_order"]), &order); err != nil {
		t.Fatalf("fixture %s: metadata state_dict_order: %v", interopWeights, err)
	}
	names := make([]string, len(params))
	for i, p := range params {
		names[i] = p.Name
	}
	if !slices.Equal(names, order) {
		t.Errorf("parameter order differs from torch's state_dict order:\n ours  %v\n torch %v", names, order)
	}

	net, err := nn.Build(model, tensor.Float32, nn.Eval, 1, x.Shape()...)
	if err != nil {
		t.Fatalf("%+v", err)
	}
	prog, err := net.G.Compile(net.Output)
	if err != nil {
		t.Fatalf("%+v", err)
	}
	out, err := prog.Run(graph.Feeds{nn.InputName: x})
	if err != nil {
		t.Fatalf("%+v", err)
	}
	got := out[0]
	if !got.Shape().Eq(want.Shape()) {
		t.Fatalf("logits shape %v, torch %v", got.Shape(), want.Shape())
	}
	g, w := floats(t, got), floats(t, want)
	var diff, scale float64
	for i := range w {
		diff = math.Max(diff, math.Abs(g[i]-w[i]))
		scale = math.Max(scale, math.Abs(w[i]))
	}
	rel := diff / scale
	if !(rel <= interopTol) { // also catches NaN
		t.Errorf("logits differ from torch's: max |diff| %.3g, max |logit| %.3g, relative %.3g > %g\n ours  %v\n torch %v",
			diff, scale, rel, interopTol, g, w)
	}
	t.Logf("%d tensors loaded (torch %s, torchvision %s); logits relative error %.3g (max |diff| %.3g)",
		len(params), weights.Metadata["torch"], weights.Metadata["torchvision"], rel, diff)
}

// floats returns a float32 or float64 tensor's elements as float64.
func floats(t *testing.T, x tensor.Tensor) []float64 {
	t.Helper()
	switch d := x.Data().(type) {
	case []float64:
		return d
	case []float32:
		v := make([]float64, len(d))
		for i, f := range d {
			v[i] = float64(f)
		}
		return v
	}
	t.Fatalf("want a float tensor, got %v", x.Dtype())
	return nil
}
