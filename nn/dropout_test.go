package nn

import (
	"slices"
	"testing"

	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/graph"
)

// masked runs a Train-mode dropout at p = 0.25 on ones (1, 400) at steps 0
// and 1 and returns both outputs: every element is 0 or 1/(1 − p).
func masked(t *testing.T, seed int64) (first, second []float64) {
	t.Helper()
	net, err := Build(Dropout("classifier.drop", 0.25), tensor.Float64, Train, seed, 1, 400)
	must(t, err)
	prog, err := net.G.Compile(net.Output)
	must(t, err)
	ones := tensor.New(tensor.WithShape(1, 400), tensor.Of(tensor.Float64))
	must(t, ones.Memset(1.0))
	var runs [][]float64
	for step := range 2 {
		net.SetStep(step)
		vals, err := prog.Run(graph.Feeds{InputName: ones})
		must(t, err)
		runs = append(runs, floatsOf(vals[0]))
	}
	return runs[0], runs[1]
}

func TestDropoutTrain(t *testing.T) {
	a1, a2 := masked(t, 5)
	b1, _ := masked(t, 5)
	c1, _ := masked(t, 6)
	if !slices.Equal(a1, b1) {
		t.Error("one seed gave two masks")
	}
	if slices.Equal(a1, a2) || slices.Equal(a1, c1) {
		t.Error("a second step, or another seed, gave the same mask")
	}
	if again, _ := masked(t, 5); !slices.Equal(a1, again) {
		t.Error("step 0 drew another mask when run again")
	}
	dropped := 0
	for _, v := range a1 {
		switch v {
		case 0:
			dropped++
		case 1 / 0.75:
		default:
			t.Fatalf("output %v: want 0 or 1/(1−p)", v)
		}
	}
	// 100 expected, standard deviation √(400·0.25·0.75) ≈ 8.7.
	if dropped < 65 || dropped > 135 {
		t.Errorf("%d of 400 dropped at p = 0.25", dropped)
	}
}

func TestDropoutEval(t *testing.T) {
	net, err := Build(Dropout("drop", 0.5), tensor.Float32, Eval, 1, 3, 4)
	must(t, err)
	if net.Output != net.Input {
		t.Error("eval dropout inserted a node")
	}
	if _, ok := net.G.Node("drop"); ok {
		t.Error("eval dropout declared a mask input")
	}
	train, err := Build(Dropout("drop", 0), tensor.Float32, Train, 1, 3, 4)
	must(t, err)
	if train.Output != train.Input {
		t.Error("dropout at p = 0 inserted a node")
	}
	for _, p := range []float64{1, -0.1} {
		_, err := Build(Dropout("fc.drop", p), tensor.Float32, Eval, 1, 3, 4)
		wantErr(t, err, "fc.drop", "p =")
	}
}
