package ops_test

import (
	"fmt"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/graph"
	"github.com/convgraph/convgraph/graph/gradcheck"
	"github.com/convgraph/convgraph/ops"
)

// bnAffine returns γ and β for c channels, neither 1 nor 0 (a γ of ones and a
// β of zeros would hide a swapped or dropped parameter).
func bnAffine(c int, seed int64) (gamma, beta *tensor.Dense) {
	gamma = gradcheck.Distinct(tensor.Shape{c}, seed)
	for i, v := range gamma.Data().([]float64) {
		gamma.Data().([]float64)[i] = v + 1.5
	}
	return gamma, gradcheck.Distinct(tensor.Shape{c}, seed+100)
}

// bnRunning returns running statistics for c channels, the variance positive.
func bnRunning(c int, seed int64) (mean, variance *tensor.Dense) {
	mean, variance = gradcheck.Random(tensor.Shape{c}, seed), gradcheck.Random(tensor.Shape{c}, seed+1)
	for i, v := range variance.Data().([]float64) {
		variance.Data().([]float64)[i] = v*v + 0.5
	}
	return mean, variance
}

func TestBatchNormTrainGrad(t *testing.T) {
	cases := []struct {
		name string
		x    *tensor.Dense
	}{
		{"nchw", gradcheck.Distinct(tensor.Shape{2, 3, 4, 5}, 1)},
		{"nchw_c5", gradcheck.Distinct(tensor.Shape{2, 5, 3, 2}, 2)},
		{"ncl", gradcheck.Distinct(tensor.Shape{2, 3, 4}, 3)},
		{"nc", gradcheck.Distinct(tensor.Shape{2, 5}, 4)},
		{"nc_batch4", gradcheck.Distinct(tensor.Shape{4, 3}, 5)},
		{"negative", gradcheck.Negative(tensor.Shape{2, 3, 2, 3}, 6)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			gamma, beta := bnAffine(c.x.Shape()[1], 10)
			f := func(in gorgonia.Nodes) (*gorgonia.Node, error) { return ops.BatchNormTrain(in[0], in[1], in[2], 1e-5) }
			gradcheck.Assert(t, f, []tensor.Tensor{c.x, gamma, beta}, gradcheck.Default)
		})
	}
}

func TestBatchNormEvalGrad(t *testing.T) {
	for _, x := range []*tensor.Dense{
		gradcheck.Distinct(tensor.Shape{2, 3, 4, 5}, 1),
		gradcheck.Distinct(tensor.Shape{2, 5}, 2),
	} {
		t.Run(fmt.Sprint(x.Shape()), func(t *testing.T) {
			gamma, beta := bnAffine(x.Shape()[1], 20)
			mean, variance := bnRunning(x.Shape()[1], 30)
			f := func(in gorgonia.Nodes) (*gorgonia.Node, error) {
				return ops.BatchNormEval(in[0], in[1], in[2], in[3], in[4], 1e-3)
			}
			gradcheck.Assert(t, f, []tensor.Tensor{x, gamma, beta, mean, variance}, gradcheck.Default)
		})
	}
}

func TestBatchNormMomentsGrad(t *testing.T) {
	for name, fn := range map[string]func(*gorgonia.Node) (*gorgonia.Node, error){"mean": ops.BatchMean, "var": ops.BatchVar} {
		t.Run(name, func(t *testing.T) {
			f := func(in gorgonia.Nodes) (*gorgonia.Node, error) { return fn(in[0]) }
			gradcheck.Assert(t, f, []tensor.Tensor{gradcheck.Distinct(tensor.Shape{2, 3, 2, 3}, 7)}, gradcheck.Default)
		})
	}
}

// bnComposed is training batch norm built from its pieces: the eval form fed
// with BatchMean(x) and BatchVar(x). Its values and gradients must match the
// fused op, an oracle independent of BatchNormInputGrad's formula.
func bnComposed(x, gamma, beta *gorgonia.Node, eps float64) (*gorgonia.Node, error) {
	mean, err := ops.BatchMean(x)
	if err != nil {
		return nil, err
	}
	variance, err := ops.BatchVar(x)
	if err != nil {
		return nil, err
	}
	return ops.BatchNormEval(x, gamma, beta, mean, variance, eps)
}

func TestBatchNormComposedMatchesFused(t *testing.T) {
	x := gradcheck.Distinct(tensor.Shape{2, 3, 2, 3}, 8)
	gamma, beta := bnAffine(3, 40)
	fused := bnRunGrads(t, func(in gorgonia.Nodes) (*gorgonia.Node, error) {
		return ops.BatchNormTrain(in[0], in[1], in[2], 1e-5)
	}, x, gamma, beta)
	composed := bnRunGrads(t, func(in gorgonia.Nodes) (*gorgonia.Node, error) {
		return bnComposed(in[0], in[1], in[2], 1e-5)
	}, x, gamma, beta)
	for i, name := range []string{"y", "dx", "dgamma", "dbeta"} {
		assertClose(t, name, composed[i], toFloat64(fused[i]), 1e-12)
	}
	f := func(in gorgonia.Nodes) (*gorgonia.Node, error) { return bnComposed(in[0], in[1], in[2], 1e-5) }
	gradcheck.Assert(t, f, []tensor.Tensor{x, gamma, beta}, gradcheck.Default)
}

func TestBatchNormReuse(t *testing.T) {
	x := gradcheck.Distinct(tensor.Shape{2, 3, 2, 3}, 9)
	gamma, beta := bnAffine(3, 50)
	t.Run("residual", func(t *testing.T) { // y = bn(x) + x
		f := func(in gorgonia.Nodes) (*gorgonia.Node, error) {
			y, err := ops.BatchNormTrain(in[0], in[1], in[2], 1e-5)
			if err != nil {
				return nil, err
			}
			return ops.Add(y, in[0])
		}
		gradcheck.Assert(t, f, []tensor.Tensor{x, gamma, beta}, gradcheck.Default)
	})
	t.Run("two_batchnorms", func(t *testing.T) { // x, γ and β each feed two batch norms
		f := func(in gorgonia.Nodes) (*gorgonia.Node, error) {
			a, err := ops.BatchNormTrain(in[0], in[1], in[2], 1e-5)
			if err != nil {
				return nil, err
			}
			b, err := ops.BatchNormTrain(in[0], in[2], in[1], 1e-3)
			if err != nil {
				return nil, err
			}
			return ops.Add(a, b)
		}
		gradcheck.Assert(t, f, []tensor.Tensor{x, gamma, beta}, gradcheck.Default)
	})
}

// TestBatchNormTrainValues: one channel holding 1, 2, 3, 4 (two per sample):
// μ = 2.5, σ² = (2.25 + 0.25 + 0.25 + 2.25)/4 = 1.25. eps = 2.75 makes
// √(σ² + eps) = 2, so x̂ = (−0.75, −0.25, 0.25, 0.75) and, with γ = 2 and
// β = 1, y = 2·x̂ + 1 = (−0.5, 0.5, 1.5, 2.5).
func TestBatchNormTrainValues(t *testing.T) {
	x := tensorOf(tensor.Shape{2, 1, 1, 2}, 1, 2, 3, 4)
	y := run(t, func(in gorgonia.Nodes) (*gorgonia.Node, error) {
		return ops.BatchNormTrain(in[0], in[1], in[2], 2.75)
	}, x, tensorOf(tensor.Shape{1}, 2), tensorOf(tensor.Shape{1}, 1))
	assertClose(t, "batchnorm_train", y, []float64{-0.5, 0.5, 1.5, 2.5}, 1e-15)
}

// TestBatchNormMomentsValues: x (2, 2, 2) holds channel 0 = {1, 2 | 3, 4} and
// channel 1 = {10, 30 | 20, 40}: means 2.5 and 25; biased variances
// (2.25 + 0.25 + 0.25 + 2.25)/4 = 1.25 and (225 + 25 + 25 + 225)/4 = 125.
func TestBatchNormMomentsValues(t *testing.T) {
	x := tensorOf(tensor.Shape{2, 2, 2}, 1, 2, 10, 30, 3, 4, 20, 40)
	mean := run(t, func(in gorgonia.Nodes) (*gorgonia.Node, error) { return ops.BatchMean(in[0]) }, x)
	assertClose(t, "batch_mean", mean, []float64{2.5, 25}, 1e-15)
	variance := run(t, func(in gorgonia.Nodes) (*gorgonia.Node, error) { return ops.BatchVar(in[0]) }, x)
	assertClose(t, "batch_var", variance, []float64{1.25, 125}, 1e-15)
}

// TestBatchNormEvalValues: x (2, 2) = [[1, 10], [5, 30]], mean (1, 10),
// variance (3.25, 15.25), eps 0.75, so σ = (2, 4); with γ = (2, 4) and
// β = (0, 1): channel 0 is 2·(x − 1)/2 + 0 = x − 1 → 0, 4; channel 1 is
// 4·(x − 10)/4 + 1 = x − 9 → 1, 21. The batch's own statistics play no part.
func TestBatchNormEvalValues(t *testing.T) {
	y := run(t, func(in gorgonia.Nodes) (*gorgonia.Node, error) {
		return ops.BatchNormEval(in[0], in[1], in[2], in[3], in[4], 0.75)
	},
		tensorOf(tensor.Shape{2, 2}, 1, 10, 5, 30),
		tensorOf(tensor.Shape{2}, 2, 4), tensorOf(tensor.Shape{2}, 0, 1),
		tensorOf(tensor.Shape{2}, 1, 10), tensorOf(tensor.Shape{2}, 3.25, 15.25))
	assertClose(t, "batchnorm_eval", y, []float64{0, 1, 4, 21}, 1e-15)
}

func TestBatchNormFloat32(t *testing.T) {
	x := gradcheck.Distinct(tensor.Shape{2, 3, 4, 5}, 11)
	gamma, beta := bnAffine(3, 60)
	mean, variance := bnRunning(3, 70)
	cases := map[string]struct {
		f  gradcheck.Func
		in []tensor.Tensor
	}{
		"train": {func(in gorgonia.Nodes) (*gorgonia.Node, error) {
			return ops.BatchNormTrain(in[0], in[1], in[2], 1e-5)
		}, []tensor.Tensor{x, gamma, beta}},
		"eval": {func(in gorgonia.Nodes) (*gorgonia.Node, error) {
			return ops.BatchNormEval(in[0], in[1], in[2], in[3], in[4], 1e-5)
		}, []tensor.Tensor{x, gamma, beta, mean, variance}},
		"var": {func(in gorgonia.Nodes) (*gorgonia.Node, error) { return ops.BatchVar(in[0]) }, []tensor.Tensor{x}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) { bnAssertFloat32(t, c.f, c.in...) })
	}
}

func TestBatchNormErrors(t *testing.T) {
	g, err := graph.New(tensor.Float64)
	must(t, err)
	node := func(name string, shape ...int) *gorgonia.Node {
		n, err := g.Input(name, shape...)
		must(t, err)
		return n
	}
	x, x1 := node("x", 2, 3, 4, 5), node("x1", 3)
	c3, c4, c31 := node("c3", 3), node("c4", 4), node("c31", 3, 1)
	cases := []struct {
		name string
		try  func() (*gorgonia.Node, error)
		want []string
	}{
		{"gamma", func() (*gorgonia.Node, error) { return ops.BatchNormTrain(x, c4, c3, 1e-5) },
			[]string{"batchnorm_train", "gamma", "(2, 3, 4, 5)", "(4)"}},
		{"beta_rank", func() (*gorgonia.Node, error) { return ops.BatchNormTrain(x, c3, c31, 1e-5) },
			[]string{"beta", "(2, 3, 4, 5)", "(3, 1)"}},
		{"variance", func() (*gorgonia.Node, error) { return ops.BatchNormEval(x, c3, c3, c3, c4, 1e-5) },
			[]string{"batchnorm_eval", "variance", "(2, 3, 4, 5)", "(4)"}},
		{"rank1", func() (*gorgonia.Node, error) { return ops.BatchNormTrain(x1, c3, c3, 1e-5) },
			[]string{"batchnorm_train", "(3)", "rank"}},
		{"eps0", func() (*gorgonia.Node, error) { return ops.BatchNormTrain(x, c3, c3, 0) }, []string{"eps = 0"}},
		{"eps_negative", func() (*gorgonia.Node, error) { return ops.BatchNormEval(x, c3, c3, c3, c3, -1) }, []string{"eps = -1"}},
		{"nil", func() (*gorgonia.Node, error) { return ops.BatchNormEval(x, c3, c3, nil, c3, 1e-5) }, []string{"nil mean"}},
		{"relu_gamma", func() (*gorgonia.Node, error) { return ops.BatchNormReLUTrain(x, c4, c3, 1e-5) },
			[]string{"batchnorm_train_relu", "gamma", "(2, 3, 4, 5)", "(4)"}},
		{"relu_variance", func() (*gorgonia.Node, error) { return ops.BatchNormReLUEval(x, c3, c3, c3, c4, 1e-5) },
			[]string{"batchnorm_eval_relu", "variance", "(2, 3, 4, 5)", "(4)"}},
		{"relu_eps0", func() (*gorgonia.Node, error) { return ops.BatchNormReLUTrain(x, c3, c3, 0) }, []string{"eps = 0"}},
		{"residual_shape", func() (*gorgonia.Node, error) { return ops.BatchNormAddReLUTrain(x, c3, c3, c3, 1e-5) },
			[]string{"batchnorm_train_add_relu", "(2, 3, 4, 5)", "residual (3)"}},
		{"residual_nil", func() (*gorgonia.Node, error) { return ops.BatchNormAddReLUEval(x, c3, c3, c3, c3, nil, 1e-5) },
			[]string{"batchnorm_eval_add_relu", "nil residual"}},
		{"residual_gamma", func() (*gorgonia.Node, error) { return ops.BatchNormAddReLUTrain(x, c4, c3, x, 1e-5) },
			[]string{"batchnorm_train_add_relu", "gamma", "(4)"}},
		{"mean_rank1", func() (*gorgonia.Node, error) { return ops.BatchMean(x1) }, []string{"batch_mean", "(3)"}},
		{"var_nil", func() (*gorgonia.Node, error) { return ops.BatchVar(nil) }, []string{"batch_var", "nil"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.try()
			opsWantError(t, c.name, err, c.want...)
		})
	}
}

// TestBatchNormDistinctEps: gorgonia merges nodes whose ops print alike, so
// eps must be in the op's name or two batch norms of x would become one.
func TestBatchNormDistinctEps(t *testing.T) {
	g, err := graph.New(tensor.Float64)
	must(t, err)
	x, err := g.Input("x", 2, 3)
	must(t, err)
	c, err := g.Input("c", 3)
	must(t, err)
	a, err := ops.BatchNormTrain(x, c, c, 1e-5)
	must(t, err)
	b, err := ops.BatchNormTrain(x, c, c, 1e-3)
	must(t, err)
	if a == b || !strings.Contains(a.Name(), "eps=1e-05") || !strings.Contains(b.Name(), "eps=0.001") {
		t.Fatalf("nodes %q and %q: want distinct nodes naming their eps", a.Name(), b.Name())
	}
}

// bnRunGrads returns f's output y and the gradients of L = Σ y ⊙ w (w fixed
// random weights, so no gradient vanishes by symmetry) with respect to every
// input, computed in the inputs' dtype.
func bnRunGrads(t *testing.T, f gradcheck.Func, inputs ...tensor.Tensor) []tensor.Tensor {
	t.Helper()
	dt := inputs[0].Dtype()
	g, err := graph.New(dt)
	must(t, err)
	feeds := graph.Feeds{}
	nodes := make(gorgonia.Nodes, len(inputs))
	for i, x := range inputs {
		name := string(rune('a' + i))
		nodes[i], err = g.Input(name, x.Shape()...)
		must(t, err)
		feeds[name] = x
	}
	y, err := f(nodes)
	must(t, err)
	size := y.Shape().TotalSize()
	flat, err := gorgonia.Reshape(y, tensor.Shape{size})
	must(t, err)
	w, err := g.Input("w", size)
	must(t, err)
	feeds["w"] = gradcheck.Random(tensor.Shape{size}, 99)
	if dt == tensor.Float32 {
		feeds["w"] = toFloat32(feeds["w"])
	}
	loss, err := gorgonia.Mul(flat, w) // a vector times a vector is their dot product
	must(t, err)
	grads, err := g.Grad(loss, nodes...)
	must(t, err)
	prog, err := g.Compile(append(gorgonia.Nodes{y}, grads...)...)
	must(t, err)
	vals, err := prog.Run(feeds)
	must(t, err)
	return vals
}

// bnAssertFloat32 checks that f's value and gradients in float32 agree with
// float64 within 1e-5 relative (absolute below 1).
func bnAssertFloat32(t *testing.T, f gradcheck.Func, inputs ...tensor.Tensor) {
	t.Helper()
	in32 := make([]tensor.Tensor, len(inputs))
	for i, x := range inputs {
		in32[i] = toFloat32(x)
	}
	want, got := bnRunGrads(t, f, inputs...), bnRunGrads(t, f, in32...)
	for i := range want {
		if got[i].Dtype() != tensor.Float32 {
			t.Fatalf("output %d is %v, want float32", i, got[i].Dtype())
		}
		assertClose(t, []string{"y", "d0", "d1", "d2", "d3", "d4"}[i], got[i], toFloat64(want[i]), 1e-5)
	}
}

// TestBatchNormSharesMoments: a training batch norm of x and the BatchMean
// and BatchVar the nn layer folds into its running statistics read one
// batch-moments node, so a step computes the statistics of x once.
func TestBatchNormSharesMoments(t *testing.T) {
	g, err := graph.New(tensor.Float32)
	must(t, err)
	x, err := g.Input("x", 2, 3, 4, 4)
	must(t, err)
	c, err := g.Input("c", 3)
	must(t, err)
	_, err = ops.BatchNormTrain(x, c, c, 1e-5)
	must(t, err)
	_, err = ops.BatchMean(x)
	must(t, err)
	_, err = ops.BatchVar(x)
	must(t, err)
	moments := 0
	for _, n := range g.Expr().AllNodes() {
		if strings.HasPrefix(n.Name(), "batch_moments") {
			moments++
		}
	}
	if moments != 1 {
		t.Fatalf("%d batch_moments nodes, want 1", moments)
	}
}

// bnOffsetData is offset + spread·(distinct values), rounded to float32 and
// held as float64, so the float32 and float64 runs see the same numbers.
func bnOffsetData(s tensor.Shape, offset, spread float64, seed int64) *tensor.Dense {
	x := gradcheck.Distinct(s, seed)
	for i, v := range x.Data().([]float64) {
		x.Data().([]float64)[i] = float64(float32(offset + spread*v))
	}
	return x
}

// TestBatchNormFloat32Offset: channels with a large common offset and a small
// spread (1e4 + 0.05·noise) normalize as well in float32 as in float64: the
// statistics keep float64's precision between the nodes (a mean rounded to
// float32 would shift x − μ by up to half a float32 ulp of 1e4, about 5e-4,
// a hundredth of the spread). Values, gradients, BatchMean and BatchVar.
func TestBatchNormFloat32Offset(t *testing.T) {
	x := bnOffsetData(tensor.Shape{4, 3, 5, 6}, 1e4, 0.05, 12)
	gamma, beta := bnAffine(3, 80)
	cases := map[string]struct {
		f  gradcheck.Func
		in []tensor.Tensor
	}{
		"train": {func(in gorgonia.Nodes) (*gorgonia.Node, error) {
			return ops.BatchNormTrain(in[0], in[1], in[2], 1e-5)
		}, []tensor.Tensor{x, gamma, beta}},
		"mean": {func(in gorgonia.Nodes) (*gorgonia.Node, error) { return ops.BatchMean(in[0]) }, []tensor.Tensor{x}},
		"var":  {func(in gorgonia.Nodes) (*gorgonia.Node, error) { return ops.BatchVar(in[0]) }, []tensor.Tensor{x}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) { bnAssertFloat32(t, c.f, c.in...) })
	}
}
