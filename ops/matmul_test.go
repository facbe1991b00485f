package ops_test

import (
	"fmt"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/graph"
	"github.com/convgraph/convgraph/graph/gradcheck"
	"github.com/convgraph/convgraph/ops"
)

func TestMatMulValues(t *testing.T) {
	a := tensorOf(tensor.Shape{2, 2}, 1, 2, 3, 4)
	b := tensorOf(tensor.Shape{2, 2}, 5, 6, 7, 8)
	cases := []struct {
		transA, transB bool
		want           []float64
	}{
		{false, false, []float64{19, 22, 43, 50}}, // [1 2; 3 4]·[5 6; 7 8]
		{true, false, []float64{26, 30, 38, 44}},  // [1 3; 2 4]·[5 6; 7 8]
		{false, true, []float64{17, 23, 39, 53}},  // [1 2; 3 4]·[5 7; 6 8]
		{true, true, []float64{23, 31, 34, 46}},   // [1 3; 2 4]·[5 7; 6 8]
	}
	for _, c := range cases {
		f := func(in gorgonia.Nodes) (*gorgonia.Node, error) { return ops.MatMul(in[0], in[1], c.transA, c.transB) }
		assertClose(t, fmt.Sprintf("matmul(%t, %t)", c.transA, c.transB), run(t, f, a, b), c.want, 0)
	}
}

// matmulShapes gives the stored shapes of A and B for op(A) (m, k) and op(B) (k, n).
func matmulShapes(m, k, n int, transA, transB bool) (tensor.Shape, tensor.Shape) {
	as, bs := tensor.Shape{m, k}, tensor.Shape{k, n}
	if transA {
		as = tensor.Shape{k, m}
	}
	if transB {
		bs = tensor.Shape{n, k}
	}
	return as, bs
}

func TestMatMulGrad(t *testing.T) {
	for _, transA := range []bool{false, true} {
		for _, transB := range []bool{false, true} {
			t.Run(fmt.Sprintf("transA=%t,transB=%t", transA, transB), func(t *testing.T) {
				as, bs := matmulShapes(3, 5, 4, transA, transB)
				f := func(in gorgonia.Nodes) (*gorgonia.Node, error) { return ops.MatMul(in[0], in[1], transA, transB) }
				inputs := []tensor.Tensor{gradcheck.Random(as, 1), gradcheck.Random(bs, 2)}
				gradcheck.Assert(t, f, inputs, gradcheck.Default)
				matmulAgree32(t, f, inputs...)
			})
		}
	}
}

// TestMatMulReuse: x·xᵀ uses x twice, once read transposed; both gradients add up.
func TestMatMulReuse(t *testing.T) {
	f := func(in gorgonia.Nodes) (*gorgonia.Node, error) { return ops.MatMul(in[0], in[0], false, true) }
	gradcheck.Assert(t, f, []tensor.Tensor{gradcheck.Random(tensor.Shape{3, 5}, 3)}, gradcheck.Default)
}

// TestMatMulGradIsMatMul: both gradients are MatMul nodes with the flags of
// the rule in matmul.go, so a second derivative is MatMul's gradient again
// (checked for every flag pair by TestMatMulGrad). A check through two
// nested Grad calls is not possible: gorgonia's Backpropagate reuses the
// derivative a node got in the first call (node.deriv) as if it were its
// gradient in the second.
func TestMatMulGradIsMatMul(t *testing.T) {
	flags := func(a, b bool) string { return fmt.Sprintf("matmul(transA=%t, transB=%t)", a, b) }
	for _, c := range []struct {
		transA, transB bool
		da, db         string
	}{
		{false, false, flags(false, true), flags(true, false)},
		{true, false, flags(false, true), flags(false, false)},
		{false, true, flags(false, false), flags(true, false)},
		{true, true, flags(true, true), flags(true, true)},
	} {
		g, err := graph.New(tensor.Float64)
		must(t, err)
		as, bs := matmulShapes(3, 5, 4, c.transA, c.transB)
		a, _ := g.Input("a", as...)
		b, _ := g.Input("b", bs...)
		y, err := ops.MatMul(a, b, c.transA, c.transB)
		must(t, err)
		l, err := ops.Sum(y)
		must(t, err)
		grads, err := g.Grad(l, a, b)
		must(t, err)
		if da, db := grads[0].Op().String(), grads[1].Op().String(); da != c.da || db != c.db {
			t.Errorf("%v: gradients %s and %s, want %s and %s", y.Op(), da, db, c.da, c.db)
		}
	}
}

func TestMatMulShapeErrors(t *testing.T) {
	g, err := graph.New(tensor.Float64)
	must(t, err)
	a, _ := g.Input("a", 3, 5)
	b, _ := g.Input("b", 4, 4)
	v, _ := g.Input("v", 5)
	for _, c := range []struct {
		name           string
		a, b           *gorgonia.Node
		transA, transB bool
		want           []string
	}{
		{"inner", a, b, false, false, []string{"(3, 5)", "(4, 4)", "5 columns", "4 rows"}},
		{"transposed", a, a, false, false, []string{"(3, 5)", "5 columns", "3 rows"}},
		{"vector", a, v, false, false, []string{"(3, 5)", "(5)", "two matrices"}},
	} {
		_, err := ops.MatMul(c.a, c.b, c.transA, c.transB)
		opsWantError(t, c.name, err, c.want...)
	}
	if _, err := ops.MatMul(a, a, false, true); err != nil { // (3, 5)·(5, 3) is fine
		t.Fatalf("a·aᵀ: %v", err)
	}
}

// matmulEval runs f on the inputs (fed as a, b, ...) in the dtype of the
// first float input, and returns y and the gradients of Σ y⊙r (y itself when
// it is a scalar) w.r.t. every float input. r is fixed, the same in both
// dtypes.
func matmulEval(t *testing.T, f func(gorgonia.Nodes) (*gorgonia.Node, error), inputs ...tensor.Tensor) (tensor.Tensor, []tensor.Tensor) {
	t.Helper()
	dt := tensor.Float64
	for _, x := range inputs {
		if x.Dtype() == tensor.Float32 {
			dt = tensor.Float32
			break
		}
	}
	g, err := graph.New(dt)
	must(t, err)
	feeds := graph.Feeds{}
	nodes := make(gorgonia.Nodes, len(inputs))
	var wrt gorgonia.Nodes
	for i, x := range inputs {
		name := string(rune('a' + i))
		nodes[i], err = g.InputOf(name, x.Dtype(), x.Shape()...)
		must(t, err)
		feeds[name] = x
		if x.Dtype() == dt {
			wrt = append(wrt, nodes[i])
		}
	}
	y, err := f(nodes)
	must(t, err)
	loss := y
	if !y.IsScalar() {
		r, err := g.Input("r", y.Shape()...)
		must(t, err)
		feeds["r"] = gradcheck.Random(y.Shape(), 99)
		if dt == tensor.Float32 {
			feeds["r"] = toFloat32(feeds["r"])
		}
		yr, err := ops.Mul(y, r)
		must(t, err)
		loss, err = ops.Sum(yr)
		must(t, err)
	}
	grads, err := g.Grad(loss, wrt...)
	must(t, err)
	prog, err := g.Compile(append(gorgonia.Nodes{y}, grads...)...)
	must(t, err)
	vals, err := prog.Run(feeds)
	must(t, err)
	return vals[0], vals[1:]
}

// matmulAgree32 checks that f and its gradients in float32 agree with
// float64 within 1e-5 relative. The inputs are float64 (others, such as
// integer labels, are fed as they are).
func matmulAgree32(t *testing.T, f func(gorgonia.Nodes) (*gorgonia.Node, error), inputs ...tensor.Tensor) {
	t.Helper()
	in32 := make([]tensor.Tensor, len(inputs))
	for i, x := range inputs {
		in32[i] = x
		if x.Dtype() == tensor.Float64 {
			in32[i] = toFloat32(x)
		}
	}
	y64, g64 := matmulEval(t, f, inputs...)
	y32, g32 := matmulEval(t, f, in32...)
	assertClose(t, "float32 output", y32, toFloat64(y64), 1e-5)
	for i := range g64 {
		assertClose(t, fmt.Sprintf("float32 gradient %d", i), g32[i], toFloat64(g64[i]), 1e-5)
	}
}
