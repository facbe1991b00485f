package ops_test

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/graph"
	"github.com/convgraph/convgraph/graph/gradcheck"
	"github.com/convgraph/convgraph/ops"
)

func TestDropoutMaskStats(t *testing.T) {
	for _, p := range []float64{0.2, 0.5} {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			fill, err := ops.DropoutMask(p, rand.New(rand.NewSource(1)))
			must(t, err)
			m := tensor.New(tensor.WithShape(200, 500), tensor.Of(dt))
			must(t, fill(m))
			var sum float64
			zeros := 0
			for _, v := range toFloat64(m) {
				switch {
				case v == 0:
					zeros++
				case v != float64(float32(1/(1-p))) && v != 1/(1-p):
					t.Fatalf("p=%v %v: mask value %v, want 0 or %v", p, dt, v, 1/(1-p))
				}
				sum += v
			}
			n := float64(m.Shape().TotalSize())
			// 100 000 draws: both estimates have a standard error below 0.002.
			if mean := sum / n; math.Abs(mean-1) > 0.01 {
				t.Errorf("p=%v %v: mask mean %v, want ≈ 1", p, dt, mean)
			}
			if frac := float64(zeros) / n; math.Abs(frac-p) > 0.01 {
				t.Errorf("p=%v %v: zero fraction %v, want ≈ %v", p, dt, frac, p)
			}
		}
	}
}

func TestDropoutMaskP0(t *testing.T) {
	fill, err := ops.DropoutMask(0, rand.New(rand.NewSource(1)))
	must(t, err)
	m := tensor.New(tensor.WithShape(3, 4), tensor.Of(tensor.Float64))
	must(t, fill(m))
	assertClose(t, "p=0 mask", m, []float64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, 0)
}

func TestDropoutMaskErrors(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for _, p := range []float64{-0.1, 1, 1.5, math.NaN()} {
		_, err := ops.DropoutMask(p, rng)
		opsWantError(t, "p", err, "dropout", "want 0 ≤ p < 1")
	}
	_, err := ops.DropoutMask(0.5, nil)
	opsWantError(t, "rng", err, "nil")
	fill, err := ops.DropoutMask(0.5, rng)
	must(t, err)
	opsWantError(t, "int mask", fill(tensor.New(tensor.WithShape(2), tensor.Of(tensor.Int))), "int")
}

// TestDropoutHand: p = 0.2, so kept units are scaled by 1/(1−0.2) = 1.25 and
// the gradient of Σ y is the mask itself, 1.25 or 0 (gorgonia's own test
// pinned 1). The mask is drawn through graph.Generated, as in training.
func TestDropoutHand(t *testing.T) {
	g, err := graph.New(tensor.Float64)
	must(t, err)
	x, err := g.Input("x", 2, 5)
	must(t, err)
	fill, err := ops.DropoutMask(0.2, rand.New(rand.NewSource(1)))
	must(t, err)
	mask, err := g.Generated("mask", []int{2, 5}, fill)
	must(t, err)
	y, err := ops.Dropout(x, mask)
	must(t, err)
	loss, err := ops.Sum(y)
	must(t, err)
	dx, err := g.Grad(loss, x)
	must(t, err)
	prog, err := g.Compile(y, dx[0], mask)
	must(t, err)
	xs := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	var masks [2][]float64
	for run := range masks {
		vals, err := prog.Run(graph.Feeds{"x": tensorOf(tensor.Shape{2, 5}, xs...)})
		must(t, err)
		masks[run] = toFloat64(vals[2])
		for i, v := range masks[run] {
			if v != 0 && v != 1.25 {
				t.Fatalf("run %d: mask[%d] = %v, want 0 or 1.25", run, i, v)
			}
			if got := toFloat64(vals[0])[i]; got != xs[i]*v {
				t.Fatalf("run %d: y[%d] = %v, want %v·%v", run, i, got, xs[i], v)
			}
		}
		assertClose(t, "dropout'", vals[1], masks[run], 0)
	}
	// seed 1 draws 1.25 ×6, 0 ×3, 1.25, then a different mask: each Run draws anew.
	assertClose(t, "first mask", tensorOf(tensor.Shape{10}, masks[0]...), []float64{1.25, 1.25, 1.25, 1.25, 1.25, 1.25, 0, 0, 0, 1.25}, 0)
	if fmt.Sprint(masks[0]) == fmt.Sprint(masks[1]) {
		t.Fatalf("two runs drew one mask %v", masks[0])
	}
}

// TestDropoutGrad checks dy ⊙ mask (and dy ⊙ x for the mask) against
// central differences, with a mask drawn at p = 0.3 held fixed.
func TestDropoutGrad(t *testing.T) {
	fill, err := ops.DropoutMask(0.3, rand.New(rand.NewSource(2)))
	must(t, err)
	mask := tensor.New(tensor.WithShape(3, 5), tensor.Of(tensor.Float64))
	must(t, fill(mask))
	in := []tensor.Tensor{gradcheck.Random(tensor.Shape{3, 5}, 1), mask}
	f := func(in gorgonia.Nodes) (*gorgonia.Node, error) { return ops.Dropout(in[0], in[1]) }
	gradcheck.Assert(t, f, in, gradcheck.Default)
	matmulAgree32(t, f, in...)
	reuse := func(in gorgonia.Nodes) (*gorgonia.Node, error) { // y = dropout(x) + x
		y, err := ops.Dropout(in[0], in[1])
		if err != nil {
			return nil, err
		}
		return ops.Add(y, in[0])
	}
	gradcheck.Assert(t, reuse, in, gradcheck.Default)
}

func TestDropoutShapes(t *testing.T) {
	g, err := graph.New(tensor.Float64)
	must(t, err)
	x, _ := g.Input("x", 3, 4)
	m, _ := g.Input("m", 4, 3)
	_, err = ops.Dropout(x, m)
	opsWantError(t, "shape", err, "(3, 4)", "(4, 3)")
	_, err = ops.Dropout(x, nil)
	opsWantError(t, "nil", err, "nil")
}
