package ops_test

import (
	"math"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/graph"
	"github.com/convgraph/convgraph/graph/gradcheck"
	"github.com/convgraph/convgraph/ops"
)

func xentLabels(vals ...int) *tensor.Dense {
	return tensor.New(tensor.WithShape(len(vals)), tensor.WithBacking(vals))
}

func xent(in gorgonia.Nodes) (*gorgonia.Node, error) { return ops.SoftmaxCrossEntropy(in[0], in[1]) }

// TestSoftmaxCrossEntropyValues: two samples worked out with math.Log.
func TestSoftmaxCrossEntropyValues(t *testing.T) {
	logits := tensorOf(tensor.Shape{2, 3}, 1, 2, 3, 1, -1, 0.5)
	labels := xentLabels(2, 0)
	row0 := math.Log(math.Exp(1)+math.Exp(2)+math.Exp(3)) - 3
	row1 := math.Log(math.Exp(1)+math.Exp(-1)+math.Exp(0.5)) - 1
	y, grads := matmulEval(t, xent, logits, labels)
	assertClose(t, "loss", y, []float64{(row0 + row1) / 2}, 1e-15)
	if !y.Shape().IsScalar() {
		t.Fatalf("loss has shape %v, want a scalar", y.Shape())
	}
	// (softmax − onehot)/N, the softmax from math.Exp.
	z0, z1 := math.Exp(1)+math.Exp(2)+math.Exp(3), math.Exp(1)+math.Exp(-1)+math.Exp(0.5)
	assertClose(t, "dlogits", grads[0], []float64{
		math.Exp(1) / z0 / 2, math.Exp(2) / z0 / 2, (math.Exp(3)/z0 - 1) / 2,
		(math.Exp(1)/z1 - 1) / 2, math.Exp(-1) / z1 / 2, math.Exp(0.5) / z1 / 2,
	}, 1e-15)
}

// TestSoftmaxCrossEntropyLarge: logits of ±1000 give a finite loss (a naive
// log(softmax) would give +Inf for the wrong labels).
func TestSoftmaxCrossEntropyLarge(t *testing.T) {
	logits := tensorOf(tensor.Shape{2, 3}, 1000, 0, -1000, 1000, 0, -1000)
	y, grads := matmulEval(t, xent, logits, xentLabels(0, 2))
	assertClose(t, "loss", y, []float64{(0 + 2000) / 2.0}, 1e-15)
	assertClose(t, "dlogits", grads[0], []float64{0, 0, 0, 0.5, 0, -0.5}, 1e-15)
	y32, _ := matmulEval(t, xent, toFloat32(logits), xentLabels(0, 2))
	assertClose(t, "float32 loss", y32, []float64{1000}, 1e-7)
}

func TestSoftmaxCrossEntropyGrad(t *testing.T) {
	in := []tensor.Tensor{gradcheck.Random(tensor.Shape{3, 7}, 1), xentLabels(6, 0, 3)} // N=3, K=7
	gradcheck.Assert(t, xent, in, gradcheck.Default)
	matmulAgree32(t, xent, in...)
	// reuse: the logits feed the loss and a Sum.
	reuse := func(in gorgonia.Nodes) (*gorgonia.Node, error) {
		l, err := ops.SoftmaxCrossEntropy(in[0], in[1])
		if err != nil {
			return nil, err
		}
		s, err := ops.Sum(in[0])
		if err != nil {
			return nil, err
		}
		return gorgonia.Add(l, s)
	}
	gradcheck.Assert(t, reuse, in, gradcheck.Default)
	// through a Linear layer, the way a classifier ends.
	net := func(in gorgonia.Nodes) (*gorgonia.Node, error) {
		logits, err := ops.Linear(in[0], in[1], in[2])
		if err != nil {
			return nil, err
		}
		return ops.SoftmaxCrossEntropy(logits, in[3])
	}
	gradcheck.Assert(t, net, append(linearInputs(4), xentLabels(1, 3, 0)), gradcheck.Default)
}

func TestSoftmaxCrossEntropyBadLabels(t *testing.T) {
	for _, c := range []struct {
		labels []int
		want   []string
	}{
		{[]int{0, 7, 1}, []string{"row 1", "label 7", "[0, 7)"}},
		{[]int{0, 1, -1}, []string{"row 2", "label -1"}},
	} {
		g, err := graph.New(tensor.Float64)
		must(t, err)
		x, _ := g.Input("x", 3, 7)
		y, _ := g.InputOf("y", tensor.Int, 3)
		loss, err := ops.SoftmaxCrossEntropy(x, y)
		must(t, err)
		grads, err := g.Grad(loss, x)
		must(t, err)
		for _, out := range []*gorgonia.Node{loss, grads[0]} {
			prog, err := g.Compile(out)
			must(t, err)
			_, err = prog.Run(graph.Feeds{"x": gradcheck.Random(tensor.Shape{3, 7}, 1), "y": xentLabels(c.labels...)})
			opsWantError(t, out.Name(), err, c.want...)
		}
	}
}

func TestSoftmaxCrossEntropyShapes(t *testing.T) {
	g, err := graph.New(tensor.Float64)
	must(t, err)
	x, _ := g.Input("x", 3, 7)
	v, _ := g.Input("v", 7)
	y4, _ := g.InputOf("y4", tensor.Int, 4)
	y3, _ := g.InputOf("y3", tensor.Int, 3)
	yf, _ := g.Input("yf", 3)
	_, err = ops.SoftmaxCrossEntropy(x, y4)
	opsWantError(t, "length", err, "(3, 7)", "(4)")
	_, err = ops.SoftmaxCrossEntropy(v, y3)
	opsWantError(t, "rank", err, "(7)", "(3)")
	_, err = ops.SoftmaxCrossEntropy(x, yf)
	opsWantError(t, "dtype", err, "float64", "int")
	_, err = ops.SoftmaxCrossEntropy(x, nil)
	opsWantError(t, "nil", err, "nil")
}
