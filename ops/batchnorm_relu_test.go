package ops_test

import (
	"math"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/graph/gradcheck"
	"github.com/convgraph/convgraph/ops"
)

var (
	bnTrain = func(in gorgonia.Nodes) (*gorgonia.Node, error) { return ops.BatchNormTrain(in[0], in[1], in[2], 1e-5) }
	bnEval  = func(in gorgonia.Nodes) (*gorgonia.Node, error) {
		return ops.BatchNormEval(in[0], in[1], in[2], in[3], in[4], 1e-3)
	}
	bnReLUTrain = func(in gorgonia.Nodes) (*gorgonia.Node, error) {
		return ops.BatchNormReLUTrain(in[0], in[1], in[2], 1e-5)
	}
	bnReLUEval = func(in gorgonia.Nodes) (*gorgonia.Node, error) {
		return ops.BatchNormReLUEval(in[0], in[1], in[2], in[3], in[4], 1e-3)
	}
	bnAddReLUTrain = func(in gorgonia.Nodes) (*gorgonia.Node, error) {
		return ops.BatchNormAddReLUTrain(in[0], in[1], in[2], in[3], 1e-5)
	}
	bnAddReLUEval = func(in gorgonia.Nodes) (*gorgonia.Node, error) {
		return ops.BatchNormAddReLUEval(in[0], in[1], in[2], in[3], in[4], in[5], 1e-3)
	}
)

// plusLast is the unfused residual sum: bn(the inputs but the last) + the last.
func plusLast(bn gradcheck.Func) gradcheck.Func {
	return func(in gorgonia.Nodes) (*gorgonia.Node, error) {
		y, err := bn(in[:len(in)-1])
		if err != nil {
			return nil, err
		}
		return ops.Add(y, in[len(in)-1])
	}
}

// thenReLU is the unfused ReLU after pre, what a fused op must equal.
func thenReLU(pre gradcheck.Func) gradcheck.Func {
	return func(in gorgonia.Nodes) (*gorgonia.Node, error) {
		y, err := pre(in)
		if err != nil {
			return nil, err
		}
		return ops.ReLU(y)
	}
}

// bnReLUCase is a fused op, the unfused ops before its ReLU (pre), and its inputs.
type bnReLUCase struct {
	name       string
	fused, pre gradcheck.Func
	in         []tensor.Tensor
}

// bnReLUCases are the inputs of both forms: unequal sizes (batch and
// channels > 1, H ≠ W), the eval form with running statistics.
func bnReLUCases() []bnReLUCase {
	x := gradcheck.Distinct(tensor.Shape{2, 3, 4, 5}, 61)
	gamma, beta := bnAffine(3, 62)
	mean, variance := bnRunning(3, 63)
	residual := gradcheck.Distinct(tensor.Shape{2, 3, 4, 5}, 66)
	return []bnReLUCase{
		{"train", bnReLUTrain, bnTrain, []tensor.Tensor{x, gamma, beta}},
		{"eval", bnReLUEval, bnEval, []tensor.Tensor{x, gamma, beta, mean, variance}},
		{"train_negative", bnReLUTrain, bnTrain, []tensor.Tensor{gradcheck.Negative(tensor.Shape{3, 3, 2, 3}, 64), gamma, beta}},
		{"train_residual", bnAddReLUTrain, plusLast(bnTrain), []tensor.Tensor{x, gamma, beta, residual}},
		{"eval_residual", bnAddReLUEval, plusLast(bnEval), []tensor.Tensor{x, gamma, beta, mean, variance, residual}},
	}
}

// The fused ops compute the unfused pair's values and gradients for every
// input, in float64 and float32.
func TestBatchNormReLUMatchesPair(t *testing.T) {
	for _, c := range bnReLUCases() {
		t.Run(c.name, func(t *testing.T) {
			for _, in := range [][]tensor.Tensor{c.in, float32s(c.in)} {
				fused, ref := bnRunGrads(t, c.fused, in...), bnRunGrads(t, thenReLU(c.pre), in...)
				zeros := 0
				for _, v := range toFloat64(ref[0]) {
					if v == 0 {
						zeros++
					}
				}
				if zeros == 0 || zeros == len(toFloat64(ref[0])) {
					t.Fatalf("the ReLU clips %d of %d outputs: the case does not test the mask", zeros, len(toFloat64(ref[0])))
				}
				for i := range ref {
					assertClose(t, []string{"y", "d0", "d1", "d2", "d3", "d4", "d5"}[i], fused[i], toFloat64(ref[i]), 1e-12)
				}
			}
		})
	}
}

// Central differences agree with the fused gradients. No output of the
// batch norm sits near the ReLU's kink (checked), where a difference step
// would straddle it.
func TestBatchNormReLUGrad(t *testing.T) {
	for _, c := range bnReLUCases() {
		t.Run(c.name, func(t *testing.T) {
			pre := bnRunGrads(t, c.pre, c.in...)
			for i, v := range toFloat64(pre[0]) {
				if math.Abs(v) < 1e-3 {
					t.Fatalf("batch-norm output %d = %g lies at the ReLU's kink", i, v)
				}
			}
			gradcheck.Assert(t, c.fused, c.in, gradcheck.Default)
		})
	}
}

// Reuse: y = bnrelu(x) + x sums the two paths' gradients into x.
func TestBatchNormReLUReuse(t *testing.T) {
	c := bnReLUCases()[0]
	f := func(in gorgonia.Nodes) (*gorgonia.Node, error) {
		y, err := bnReLUTrain(in)
		if err != nil {
			return nil, err
		}
		return ops.Add(y, in[0])
	}
	gradcheck.Assert(t, f, c.in, gradcheck.Default)
}

func float32s(in []tensor.Tensor) []tensor.Tensor {
	out := make([]tensor.Tensor, len(in))
	for i, x := range in {
		out[i] = toFloat32(x)
	}
	return out
}

// Reuse at a residual block's end: y = bn_add_relu(x, r = x) + x, x feeding
// the batch norm, the shortcut and the sum.
func TestBatchNormAddReLUReuse(t *testing.T) {
	c := bnReLUCases()[3]
	f := func(in gorgonia.Nodes) (*gorgonia.Node, error) {
		y, err := ops.BatchNormAddReLUTrain(in[0], in[1], in[2], in[0], 1e-5)
		if err != nil {
			return nil, err
		}
		return ops.Add(y, in[0])
	}
	gradcheck.Assert(t, f, c.in[:3], gradcheck.Default)
}
