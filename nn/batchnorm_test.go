package nn

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/graph"
	"github.com/convgraph/convgraph/ops"
)

func TestBatchNormParams(t *testing.T) {
	bn := NewFactory(tensor.Float32, 1).BatchNorm("layer1.0.bn1", 64)
	checkParams(t, bn,
		paramSpec{"layer1.0.bn1.weight", tensor.Shape{64}, true, false},
		paramSpec{"layer1.0.bn1.bias", tensor.Shape{64}, true, false},
		paramSpec{"layer1.0.bn1.running_mean", tensor.Shape{64}, false, true},
		paramSpec{"layer1.0.bn1.running_var", tensor.Shape{64}, false, true},
		paramSpec{"layer1.0.bn1.num_batches_tracked", tensor.ScalarShape(), false, true})
	if bn.NumBatchesTracked.Value.Dtype() != tensor.Int64 || bn.Eps != 1e-5 || bn.Momentum != 0.1 {
		t.Errorf("num_batches_tracked %v, eps %g, momentum %g: want int64, 1e-5, 0.1",
			bn.NumBatchesTracked.Value.Dtype(), bn.Eps, bn.Momentum)
	}
	for _, c := range []struct {
		p    *Param
		want float64
	}{{bn.Weight, 1}, {bn.Bias, 0}, {bn.RunningMean, 0}, {bn.RunningVar, 1}} {
		for _, v := range floatsOf(c.p.Value) {
			if v != c.want {
				t.Fatalf("%s holds %v, want %v", c.p.Name, v, c.want)
			}
		}
	}
}

// TestBatchNormTrainStats runs one training batch (N=2, C=2, H=1, W=2) and
// folds its statistics, by hand:
//
//	channel 0: x = 1, 2, 3, 6: mean 3, biased var 14/4, unbiased 14/3
//	channel 1: x = 0, 0, 2, 2: mean 1, biased var 1,    unbiased 4/3
//	running_mean = 0.9·0 + 0.1·mean      = 0.3, 0.1
//	running_var  = 0.9·1 + 0.1·unbiased = 0.9 + 1.4/3, 0.9 + 0.4/3
func TestBatchNormTrainStats(t *testing.T) {
	bn := NewFactory(tensor.Float64, 1).BatchNorm("bn", 2)
	x := f64(tensor.Shape{2, 2, 1, 2}, 1, 2, 0, 0, 3, 6, 2, 2)
	net, err := Build(bn, tensor.Float64, Train, 0, 2, 2, 1, 2)
	must(t, err)
	if len(net.Stats()) != 1 {
		t.Fatalf("%d stat updates, want 1", len(net.Stats()))
	}
	if ps, _ := net.Params(); len(ps) != 2 {
		t.Errorf("a train graph declares %d parameters, want weight and bias only", len(ps))
	}
	s := net.Stats()[0]
	prog, err := net.G.Compile(net.Output, s.Mean, s.Var)
	must(t, err)
	vals, err := prog.Run(graph.Feeds{InputName: x})
	must(t, err)
	near(t, "batch mean", floatsOf(vals[1]), []float64{3, 1}, 1e-12)
	near(t, "batch var", floatsOf(vals[2]), []float64{3.5, 1}, 1e-12)
	sd0, sd1 := math.Sqrt(3.5+1e-5), math.Sqrt(1+1e-5)
	near(t, "y", floatsOf(vals[0]), []float64{-2 / sd0, -1 / sd0, -1 / sd1, -1 / sd1, 0, 3 / sd0, 1 / sd1, 1 / sd1}, 1e-12)

	must(t, s.Apply(vals[1], vals[2]))
	near(t, "running_mean", floatsOf(bn.RunningMean.Value), []float64{0.3, 0.1}, 1e-12)
	near(t, "running_var", floatsOf(bn.RunningVar.Value), []float64{0.9 + 1.4/3, 0.9 + 0.4/3}, 1e-12)
	must(t, s.Apply(vals[1], vals[2]))
	near(t, "running_mean after 2", floatsOf(bn.RunningMean.Value), []float64{0.57, 0.19}, 1e-12)
	if n := bn.NumBatchesTracked.Value.Data().(int64); n != 2 {
		t.Errorf("num_batches_tracked %d, want 2", n)
	}
	wantErr(t, s.Apply(vals[1], f64(tensor.Shape{3}, 1, 2, 3)), "bn.running_var", "(3)", "(2)")
}

// TestBatchNormEval normalizes (N=1, C=2) with running mean (1, −1) and
// running variance 4 − eps, so the divisor is exactly 2:
// y = (x − mean)/2·γ + β with γ = (2, 1), β = (0.5, 0).
func TestBatchNormEval(t *testing.T) {
	bn := NewFactory(tensor.Float64, 1).BatchNorm("bn", 2)
	copy(bn.Weight.Value.Data().([]float64), []float64{2, 1})
	copy(bn.Bias.Value.Data().([]float64), []float64{0.5, 0})
	copy(bn.RunningMean.Value.Data().([]float64), []float64{1, -1})
	copy(bn.RunningVar.Value.Data().([]float64), []float64{4 - bn.Eps, 4 - bn.Eps})
	net, y := forward(t, bn, Eval, 0, f64(tensor.Shape{2, 2}, 5, 3, 1, -1))
	near(t, "y", floatsOf(y), []float64{4.5, 2, 0.5, 0}, 1e-9)
	if len(net.Stats()) != 0 {
		t.Error("an eval graph registered stat updates")
	}
	if ps, _ := net.TrainableParams(); len(ps) != 2 {
		t.Errorf("eval graph: %d trainable parameters, want weight and bias", len(ps))
	}
	if _, ok := net.G.Node("bn.running_var"); !ok {
		t.Error("eval graph does not read bn.running_var")
	}
}

func TestBatchNormErrors(t *testing.T) {
	bn := NewFactory(tensor.Float32, 1).BatchNorm("bn1", 4)
	_, err := Build(bn, tensor.Float32, Train, 0, 1, 4, 1, 1)
	wantErr(t, err, "bn1", "(1, 4, 1, 1)", "more than 1 value")
	_, err = Build(bn, tensor.Float32, Eval, 0, 2, 3, 5, 5)
	wantErr(t, err, "bn1", "(2, 3, 5, 5)")
	_, err = Build(bn, tensor.Float32, Eval, 0, 1, 4, 1, 1) // eval at batch 1 is fine
	must(t, err)
}

// TestBatchNormReLUFused: in a Chain, a BatchNorm followed by ReLU builds
// one fused op, in train and eval graphs, with the pair's values (here the
// eval example above, whose 0.5 − 1 and 0 − 0 clip), and the summary still
// lists both layers.
func TestBatchNormReLUFused(t *testing.T) {
	bn := NewFactory(tensor.Float64, 1).BatchNorm("bn", 2)
	copy(bn.Weight.Value.Data().([]float64), []float64{2, 1})
	copy(bn.Bias.Value.Data().([]float64), []float64{-1, 0})
	copy(bn.RunningMean.Value.Data().([]float64), []float64{1, -1})
	copy(bn.RunningVar.Value.Data().([]float64), []float64{4 - bn.Eps, 4 - bn.Eps})
	model := NewSequential("", bn, ReLU)
	net, y := forward(t, model, Eval, 0, f64(tensor.Shape{2, 2}, 5, 3, 1, -1))
	near(t, "y", floatsOf(y), []float64{3, 2, 0, 0}, 1e-9)
	for _, mode := range []Mode{Train, Eval} {
		net, err := Build(model, tensor.Float64, mode, 0, 2, 2, 3, 3)
		must(t, err)
		ops := map[string]int{}
		for _, n := range net.G.Expr().AllNodes() {
			name := n.Op()
			if name == nil {
				continue
			}
			ops[strings.SplitN(name.String(), "(", 2)[0]]++
		}
		fused := map[Mode]string{Train: "batchnorm_train_relu", Eval: "batchnorm_eval_relu"}[mode]
		if ops[fused] != 1 || ops["relu"] != 0 {
			t.Errorf("%v graph: ops %v, want one %s and no relu", mode, ops, fused)
		}
	}
	var kinds []string
	for _, r := range net.Trace() {
		kinds = append(kinds, describe(r.Layer))
	}
	if strings.Join(kinds, " ") != "bn ReLU" {
		t.Errorf("summary trace %v, want [bn ReLU]", kinds)
	}
}

// TestBatchNormAddReLUFused: BatchNorm, Shortcut (with a downsample) and
// ReLU in one Chain build one fused op in train and eval graphs, with the
// unfused layers' values, and the trace keeps the unfused order (the
// downsample after the batch norm).
func TestBatchNormAddReLUFused(t *testing.T) {
	f := NewFactory(tensor.Float64, 1)
	bn, down := f.BatchNorm("bn", 2), f.BatchNorm("down", 2)
	for i, v := range []float64{2, -1} {
		bn.Weight.Value.Data().([]float64)[i] = v
		down.Bias.Value.Data().([]float64)[i] = 0.5 * v
	}
	block := func(fuse bool) Layer {
		return LayerFunc("block", func(b *Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
			if fuse {
				return Chain(b, x, bn, Shortcut(x, down), ReLU)
			}
			y, err := Chain(b, x, bn)
			if err != nil {
				return nil, err
			}
			id, err := Chain(b, x, down)
			if err != nil {
				return nil, err
			}
			return Chain(b, y, AddTo(id), ReLU)
		})
	}
	x := ramp(tensor.Float64, 2, 2, 3, 3)
	for _, mode := range []Mode{Train, Eval} {
		netF, yF := forward(t, block(true), mode, 0, x)
		netU, yU := forward(t, block(false), mode, 0, x)
		near(t, fmt.Sprint(mode, " y"), floatsOf(yF), floatsOf(yU), 1e-12)
		ops := map[string]int{}
		for _, n := range netF.G.Expr().AllNodes() {
			if n.Op() != nil {
				ops[strings.SplitN(n.Op().String(), "(", 2)[0]]++
			}
		}
		fused := map[Mode]string{Train: "batchnorm_train_add_relu", Eval: "batchnorm_eval_add_relu"}[mode]
		if ops[fused] != 1 || ops["relu"] != 0 || ops["add"] != 0 {
			t.Errorf("%v graph: ops %v, want one %s and no add or relu", mode, ops, fused)
		}
		var got, want []string
		for _, r := range netF.Trace() {
			got = append(got, describe(r.Layer))
		}
		for _, r := range netU.Trace() {
			want = append(want, describe(r.Layer))
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%v trace %v, unfused %v", mode, got, want)
		}
	}
}

// A fused residual end fails as the unfused layers do: a nil identity, a
// downsample that fails, an identity of another shape; and a failed
// fusion leaves nothing in the trace.
func TestBatchNormAddReLUFusedErrors(t *testing.T) {
	f := NewFactory(tensor.Float64, 1)
	bn, wrong := f.BatchNorm("bn", 2), f.BatchNorm("down", 3)
	cases := []struct {
		name  string
		block func(b *Builder, x *gorgonia.Node) (*gorgonia.Node, error)
		want  []string
	}{
		{"nil identity", func(b *Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
			return Chain(b, x, bn, AddTo(nil), ReLU)
		}, []string{"layer 0 (bn)", "AddTo: nil identity"}},
		{"failing downsample", func(b *Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
			return Chain(b, x, bn, Shortcut(x, wrong), ReLU)
		}, []string{"the shortcut after it", "down", "(2, 2, 3, 3)"}},
		{"identity shape", func(b *Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
			y, err := ops.Flatten(x)
			if err != nil {
				return nil, err
			}
			return Chain(b, x, bn, AddTo(y), ReLU)
		}, []string{"batchnorm_train_add_relu", "residual (2, 18)"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var trace int
			_, err := Build(LayerFunc("block", func(b *Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
				y, err := c.block(b, x)
				trace = len(b.Trace())
				return y, err
			}), tensor.Float64, Train, 0, 2, 2, 3, 3)
			wantErr(t, err, c.want...)
			if trace != 0 {
				t.Errorf("a failed fusion left %d trace records", trace)
			}
		})
	}
}
