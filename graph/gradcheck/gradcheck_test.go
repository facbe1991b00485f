package gradcheck_test

import (
	"math"
	"sort"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/graph"
	"github.com/convgraph/convgraph/graph/gradcheck"
)

// matmul is gorgonia's matrix product, whose gradient is known to be right.
func matmul(in gorgonia.Nodes) (*gorgonia.Node, error) { return gorgonia.Mul(in[0], in[1]) }

func TestCheckPassesOnACorrectGradient(t *testing.T) {
	a := gradcheck.Random(tensor.Shape{3, 4}, 1)
	b := gradcheck.Random(tensor.Shape{4, 2}, 2)
	rep := gradcheck.Assert(t, matmul, []tensor.Tensor{a, b}, gradcheck.Default)
	if len(rep.Inputs) != 2 || rep.Inputs[0].Checked != 12 || rep.Inputs[1].Checked != 8 {
		t.Fatalf("report does not cover every element: %v", rep)
	}
	if rep.Inputs[0].MaxAbs > 1e-7 {
		t.Fatalf("matmul error %g is larger than central differences should give", rep.Inputs[0].MaxAbs)
	}
	gradcheck.AssertDirection(t, matmul, []tensor.Tensor{a, b}, gradcheck.Default, 3, 5)
}

// TestCheckCatchesAWrongGradient uses gorgonia's AveragePool2D, whose
// backward routes the gradient to one element (gorgonia.md): the checker must fail it.
func TestCheckCatchesAWrongGradient(t *testing.T) {
	avg := func(in gorgonia.Nodes) (*gorgonia.Node, error) {
		return gorgonia.AveragePool2D(in[0], tensor.Shape{2, 2}, []int{0, 0}, []int{2, 2})
	}
	x := gradcheck.Distinct(tensor.Shape{1, 1, 4, 4}, 3)
	for name, check := range map[string]func() (*gradcheck.Report, error){
		"every element": func() (*gradcheck.Report, error) { return gradcheck.Check(avg, []tensor.Tensor{x}, gradcheck.Default) },
		"direction": func() (*gradcheck.Report, error) {
			return gradcheck.CheckDirection(avg, []tensor.Tensor{x}, gradcheck.Default, 2, 9)
		},
	} {
		rep, err := check()
		if err != nil {
			t.Fatalf("%s: %+v", name, err)
		}
		err = rep.Err()
		if err == nil {
			t.Fatalf("%s: a wrong gradient passed: %v", name, rep)
		}
		if !strings.Contains(err.Error(), "analytic") {
			t.Fatalf("%s: the report should show both values: %v", name, err)
		}
	}
}

func TestCheckRejectsFloat32(t *testing.T) {
	x := tensor.New(tensor.WithShape(2), tensor.WithBacking([]float32{1, 2}))
	_, err := gradcheck.Check(func(in gorgonia.Nodes) (*gorgonia.Node, error) { return in[0], nil }, []tensor.Tensor{x}, gradcheck.Default)
	if err == nil || !strings.Contains(err.Error(), "float32") {
		t.Fatalf("want an error about float32, got %v", err)
	}
}

func TestDistinct(t *testing.T) {
	for _, shape := range []tensor.Shape{{2, 3, 5, 7}, {3, 3}, {1}, {5}} { // odd counts put a value at 0 before
		distinctOK(t, gradcheck.Distinct(shape, 1).Data().([]float64))
	}
	for _, v := range gradcheck.Negative(tensor.Shape{4, 4}, 2).Data().([]float64) {
		if v >= 0 {
			t.Fatalf("Negative gave %v", v)
		}
	}
}

func distinctOK(t *testing.T, x []float64) {
	t.Helper()
	n := float64(len(x))
	s := append([]float64(nil), x...)
	sort.Float64s(s)
	neg := 0
	for i, v := range s {
		if math.Abs(v) < 1/n {
			t.Fatalf("value %v is within 1/n of zero", v)
		}
		if i > 0 && s[i]-s[i-1] < 1/n {
			t.Fatalf("values %v and %v are closer than 1/n", s[i-1], s[i])
		}
		if v < 0 {
			neg++
		}
	}
	if len(s) > 1 && (neg == 0 || neg == len(s)) {
		t.Fatalf("want both signs, got %d negatives of %d", neg, len(s))
	}
}

// TestCheckProblemWithParameter: a parameter bound to a tensor is perturbed
// in place, checked, and left as it was.
func TestCheckProblemWithParameter(t *testing.T) {
	g, err := graph.New(tensor.Float64)
	if err != nil {
		t.Fatal(err)
	}
	w := gradcheck.Random(tensor.Shape{3, 2}, 4)
	before := append([]float64(nil), w.Data().([]float64)...)
	x := gradcheck.Random(tensor.Shape{4, 3}, 5)
	xn, err := g.Input("x", 4, 3)
	if err != nil {
		t.Fatal(err)
	}
	wn, err := g.Param("w", w)
	if err != nil {
		t.Fatal(err)
	}
	y, err := gorgonia.Mul(xn, wn)
	if err != nil {
		t.Fatal(err)
	}
	p := gradcheck.Problem{Graph: g, Output: y, Wrt: gorgonia.Nodes{xn, wn}, Values: []tensor.Tensor{x, w}, Feeds: graph.Feeds{"x": x}}
	rep, err := gradcheck.CheckProblem(p, gradcheck.Default)
	if err != nil {
		t.Fatalf("%+v", err)
	}
	if err := rep.Err(); err != nil || len(rep.Inputs) != 2 || rep.Inputs[1].Name != "w" || rep.Inputs[1].Checked != 6 {
		t.Fatalf("report %v, err %v", rep, err)
	}
	for i, v := range w.Data().([]float64) {
		if v != before[i] {
			t.Fatalf("w[%d] = %v after the check, was %v", i, v, before[i])
		}
	}
}
