package ops_test

import (
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/graph"
	"github.com/convgraph/convgraph/graph/gradcheck"
	"github.com/convgraph/convgraph/ops"
)

// lrnAlexNet are AlexNet's constants in PyTorch's convention (see ops.LRN).
var lrnAlexNet = ops.LRNParams{Size: 5, Alpha: 1e-4, Beta: 0.75, K: 2}

// lrnFunc is LRN with p as a gradcheck.Func.
func lrnFunc(p ops.LRNParams) gradcheck.Func {
	return func(in gorgonia.Nodes) (*gorgonia.Node, error) { return ops.LRN(in[0], p) }
}

func TestLRNGrad(t *testing.T) {
	cases := []struct {
		name string
		x    *tensor.Dense
		p    ops.LRNParams
	}{
		// α = 1e-4 barely moves the denominator; the strong cases make the
		// window terms of the gradient as large as the direct one.
		{"alexnet", gradcheck.Distinct(tensor.Shape{2, 5, 3, 2}, 1), lrnAlexNet},
		{"odd5", gradcheck.Distinct(tensor.Shape{2, 5, 3, 4}, 2), ops.LRNParams{Size: 5, Alpha: 1, Beta: 0.75, K: 1}},
		{"odd3_c3", gradcheck.Distinct(tensor.Shape{2, 3, 4, 5}, 3), ops.LRNParams{Size: 3, Alpha: 2, Beta: 0.75, K: 1}},
		{"even2", gradcheck.Distinct(tensor.Shape{2, 3, 4, 5}, 4), ops.LRNParams{Size: 2, Alpha: 1.5, Beta: 0.75, K: 1}},
		{"even4", gradcheck.Distinct(tensor.Shape{2, 5, 3, 2}, 5), ops.LRNParams{Size: 4, Alpha: 2, Beta: 0.5, K: 1.5}},
		{"size1", gradcheck.Distinct(tensor.Shape{2, 3, 2}, 6), ops.LRNParams{Size: 1, Alpha: 1, Beta: 1, K: 1}},
		{"wider_than_c", gradcheck.Distinct(tensor.Shape{2, 3, 2, 3}, 7), ops.LRNParams{Size: 7, Alpha: 3, Beta: 0.75, K: 1}},
		{"rank2", gradcheck.Distinct(tensor.Shape{2, 5}, 8), ops.LRNParams{Size: 3, Alpha: 1, Beta: 0.75, K: 2}},
		{"negative", gradcheck.Negative(tensor.Shape{2, 5, 2, 3}, 9), ops.LRNParams{Size: 3, Alpha: 0.5, Beta: 0.75, K: 2}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			gradcheck.Assert(t, lrnFunc(c.p), []tensor.Tensor{c.x}, gradcheck.Default)
		})
	}
}

func TestLRNReuse(t *testing.T) { // y = lrn(x) + x
	p := ops.LRNParams{Size: 4, Alpha: 1, Beta: 0.75, K: 1}
	f := func(in gorgonia.Nodes) (*gorgonia.Node, error) {
		y, err := ops.LRN(in[0], p)
		if err != nil {
			return nil, err
		}
		return ops.Add(y, in[0])
	}
	gradcheck.Assert(t, f, []tensor.Tensor{gradcheck.Distinct(tensor.Shape{2, 5, 2, 3}, 10)}, gradcheck.Default)
}

func TestLRNValues(t *testing.T) {
	// Size 2, α = 2 (α/n = 1), β = 1, k = 1, a = (1, 2, 3) on (1, 3): the
	// window of channel c is c − 1 .. c (⌊2/2⌋ = 1 in front, ⌊1/2⌋ = 0 behind):
	//   b0 = 1/(1 + 1)     = 1/2   (channel −1 does not exist)
	//   b1 = 2/(1 + 1 + 4) = 1/3
	//   b2 = 3/(1 + 4 + 9) = 3/14
	// (A window c .. c + 1 would give b0 = 1/6.)
	y := run(t, func(in gorgonia.Nodes) (*gorgonia.Node, error) {
		return ops.LRN(in[0], ops.LRNParams{Size: 2, Alpha: 2, Beta: 1, K: 1})
	}, tensorOf(tensor.Shape{1, 3}, 1, 2, 3))
	assertClose(t, "lrn size 2", y, []float64{1.0 / 2, 1.0 / 3, 3.0 / 14}, 1e-15)

	// Size 3, α = 3 (α/n = 1), β = 0.5, k = 3, on (1, 3, 1, 2): position 0
	// holds a = (3, 2, 3), position 1 holds (−3, 2, −3), same squares:
	//   b0 = ±3/√(3 + 9 + 4)     = ±3/4
	//   b1 =  2/√(3 + 9 + 4 + 9) =  2/5
	//   b2 = ±3/√(3 + 4 + 9)     = ±3/4
	y = run(t, func(in gorgonia.Nodes) (*gorgonia.Node, error) {
		return ops.LRN(in[0], ops.LRNParams{Size: 3, Alpha: 3, Beta: 0.5, K: 3})
	}, tensorOf(tensor.Shape{1, 3, 1, 2}, 3, -3, 2, 2, 3, -3))
	assertClose(t, "lrn size 3", y, []float64{0.75, -0.75, 0.4, 0.4, 0.75, -0.75}, 1e-15)
}

func TestLRNFloat32(t *testing.T) {
	x := gradcheck.Distinct(tensor.Shape{2, 5, 3, 4}, 11)
	for name, p := range map[string]ops.LRNParams{
		"alexnet": lrnAlexNet,
		"strong":  {Size: 4, Alpha: 2, Beta: 0.75, K: 1},
	} {
		t.Run(name, func(t *testing.T) { bnAssertFloat32(t, lrnFunc(p), x) })
	}
}

func TestLRNErrors(t *testing.T) {
	g, err := graph.New(tensor.Float64)
	must(t, err)
	x, err := g.Input("x", 2, 3, 4, 5)
	must(t, err)
	x1, err := g.Input("x1", 7)
	must(t, err)
	cases := []struct {
		name string
		x    *gorgonia.Node
		p    ops.LRNParams
		want []string
	}{
		{"rank1", x1, lrnAlexNet, []string{"lrn(size=5", "(7)", "rank"}},
		{"nil", nil, lrnAlexNet, []string{"lrn", "nil"}},
		{"size0", x, ops.LRNParams{Size: 0, Alpha: 1, Beta: 1, K: 1}, []string{"size 0"}},
		{"alpha", x, ops.LRNParams{Size: 3, Alpha: -1, Beta: 1, K: 1}, []string{"alpha -1"}},
		{"k0", x, ops.LRNParams{Size: 3, Alpha: 1, Beta: 1, K: 0}, []string{"k 0"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ops.LRN(c.x, c.p)
			opsWantError(t, c.name, err, c.want...)
		})
	}
}

// TestLRNDistinctParams: gorgonia merges nodes whose ops print alike, so every
// parameter must reach the op names or two LRNs of x would become one.
func TestLRNDistinctParams(t *testing.T) {
	g, err := graph.New(tensor.Float64)
	must(t, err)
	x, err := g.Input("x", 2, 5, 3)
	must(t, err)
	seen := map[*gorgonia.Node]ops.LRNParams{}
	for _, p := range []ops.LRNParams{
		lrnAlexNet,
		{Size: 4, Alpha: 1e-4, Beta: 0.75, K: 2},
		{Size: 5, Alpha: 2e-4, Beta: 0.75, K: 2},
		{Size: 5, Alpha: 1e-4, Beta: 0.5, K: 2},
		{Size: 5, Alpha: 1e-4, Beta: 0.75, K: 1},
	} {
		y, err := ops.LRN(x, p)
		must(t, err)
		if q, ok := seen[y]; ok {
			t.Fatalf("%v and %v gave one node %q", q, p, y.Name())
		}
		seen[y] = p
	}
}
