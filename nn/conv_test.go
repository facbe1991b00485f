package nn

import (
	"testing"

	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/ops"
)

func convGeom(stride, pad int) ops.Conv { return ops.Conv{}.WithStride(stride).WithPad(pad) }

// paramSpec is a parameter's name, shape and flags as torch's state_dict has them.
type paramSpec struct {
	name             string
	shape            tensor.Shape
	trainable, decay bool
}

func checkParams(t *testing.T, l Layer, want ...paramSpec) {
	t.Helper()
	ps := l.Params()
	if len(ps) != len(want) {
		t.Fatalf("%s: %d parameters, want %d", l.Name(), len(ps), len(want))
	}
	for i, w := range want {
		p := ps[i]
		if p.Name != w.name || !p.Value.Shape().Eq(w.shape) || p.Trainable != w.trainable || p.NoDecay == w.decay {
			t.Errorf("param %d: %s %v trainable %t no-decay %t, want %s %v trainable %t no-decay %t",
				i, p.Name, p.Value.Shape(), p.Trainable, p.NoDecay, w.name, w.shape, w.trainable, !w.decay)
		}
	}
}

func TestConv2DParams(t *testing.T) {
	f := NewFactory(tensor.Float32, 1)
	stem := f.Conv2D("conv1", 3, 64, 7, 7, convGeom(2, 3), false)
	checkParams(t, stem, paramSpec{"conv1.weight", tensor.Shape{64, 3, 7, 7}, true, true})
	if stem.Bias != nil {
		t.Error("bias=false made a bias")
	}
	grouped := f.Conv2D("layer1.0.conv2", 8, 4, 3, 1, ops.Conv{Groups: 2}, true)
	checkParams(t, grouped,
		paramSpec{"layer1.0.conv2.weight", tensor.Shape{4, 4, 3, 1}, true, true},
		paramSpec{"layer1.0.conv2.bias", tensor.Shape{4}, true, false})
	if got, want := stem.String(), "Conv2D(3, 64, 7x7, stride=2, pad=3, bias=false)"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestConv2DForward(t *testing.T) {
	cases := []struct {
		name string
		conv *Conv2D
		in   []int
		out  tensor.Shape
		macs int
	}{
		{"stem", NewFactory(tensor.Float32, 1).Conv2D("conv1", 3, 4, 7, 7, convGeom(2, 3), false),
			[]int{2, 3, 16, 12}, tensor.Shape{2, 4, 8, 6}, 4 * 8 * 6 * 3 * 49},
		{"grouped, bias", NewFactory(tensor.Float64, 1).Conv2D("c", 4, 6, 3, 1, ops.Conv{Groups: 2, PadTop: 1, PadBottom: 1}, true),
			[]int{1, 4, 5, 3}, tensor.Shape{1, 6, 5, 3}, 6 * 5 * 3 * 2 * 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, mode := range []Mode{Train, Eval} {
				net, y := forward(t, c.conv, mode, 0, ramp(c.conv.Weight.Value.Dtype(), c.in...))
				if !y.Shape().Eq(c.out) {
					t.Errorf("%v: output %v, want %v", mode, y.Shape(), c.out)
				}
				if got := c.conv.MACs(net.Input.Shape(), net.Output.Shape()); got != c.macs {
					t.Errorf("MACs %d, want %d", got, c.macs)
				}
			}
		})
	}
}

func TestConv2DErrors(t *testing.T) {
	c := NewFactory(tensor.Float32, 1).Conv2D("layer2.conv", 3, 8, 3, 3, ops.Conv{}, true)
	_, err := Build(c, tensor.Float32, Train, 0, 1, 4, 8, 8)
	wantErr(t, err, "layer2.conv", "(1, 4, 8, 8)", "(8, 3, 3, 3)")
	_, err = Build(c, tensor.Float64, Train, 0, 1, 3, 8, 8)
	wantErr(t, err, "layer2.conv.weight", "float32")
	odd := NewFactory(tensor.Float32, 1).Conv2D("odd", 3, 8, 3, 3, ops.Conv{Groups: 2}, true)
	_, err = Build(odd, tensor.Float32, Train, 0, 1, 3, 8, 8)
	wantErr(t, err, "odd", "groups 2")
}

func TestLinear(t *testing.T) {
	l := NewFactory(tensor.Float64, 3).Linear("fc", 5, 3, true)
	checkParams(t, l,
		paramSpec{"fc.weight", tensor.Shape{3, 5}, true, true},
		paramSpec{"fc.bias", tensor.Shape{3}, true, false})
	// y = x·Wᵀ + b, checked by hand on one row.
	copy(l.Weight.Value.Data().([]float64), []float64{1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, -2})
	copy(l.Bias.Value.Data().([]float64), []float64{0.5, 0, 1})
	for _, mode := range []Mode{Train, Eval} {
		_, y := forward(t, l, mode, 0, f64(tensor.Shape{1, 5}, 1, 2, 3, 4, 5))
		near(t, "linear "+mode.String(), floatsOf(y), []float64{1.5, 5, -9}, 1e-12)
	}
	if l.MACs(nil, nil) != 15 {
		t.Errorf("MACs %d, want 15", l.MACs(nil, nil))
	}
	nobias := NewFactory(tensor.Float64, 3).Linear("fc", 5, 3, false)
	checkParams(t, nobias, paramSpec{"fc.weight", tensor.Shape{3, 5}, true, true})
	_, err := Build(l, tensor.Float64, Eval, 0, 2, 4)
	wantErr(t, err, "fc", "(2, 4)", "(3, 5)")
}
