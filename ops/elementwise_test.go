package ops_test

import (
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/graph"
	"github.com/convgraph/convgraph/graph/gradcheck"
	"github.com/convgraph/convgraph/ops"
)

func TestElementwiseGrad(t *testing.T) {
	x := []tensor.Tensor{gradcheck.Distinct(tensor.Shape{2, 3, 4, 5}, 1), gradcheck.Distinct(tensor.Shape{2, 3, 4, 5}, 2)}
	for name, f := range map[string]gradcheck.Func{
		"add":      func(in gorgonia.Nodes) (*gorgonia.Node, error) { return ops.Add(in[0], in[1]) },
		"mul":      func(in gorgonia.Nodes) (*gorgonia.Node, error) { return ops.Mul(in[0], in[1]) },
		"add_self": func(in gorgonia.Nodes) (*gorgonia.Node, error) { return ops.Add(in[0], in[0]) }, // reuse
		"mul_self": func(in gorgonia.Nodes) (*gorgonia.Node, error) { return ops.Mul(in[0], in[0]) },
	} {
		in := x
		if strings.HasSuffix(name, "_self") {
			in = x[:1]
		}
		t.Run(name, func(t *testing.T) { gradcheck.Assert(t, f, in, gradcheck.Default) })
	}
}

// TestBiasGrad checks AddBias and its companion ChannelSum (and ChannelSum's
// own gradient, the channel broadcast) on rank 2 and rank 4.
func TestBiasGrad(t *testing.T) {
	for _, s := range []tensor.Shape{{3, 4}, {2, 3, 4, 5}} {
		x, b := gradcheck.Distinct(s, 3), gradcheck.Distinct(tensor.Shape{s[1]}, 4)
		addBias := func(in gorgonia.Nodes) (*gorgonia.Node, error) { return ops.AddBias(in[0], in[1]) }
		gradcheck.Assert(t, addBias, []tensor.Tensor{x, b}, gradcheck.Default)
		channelSum := func(in gorgonia.Nodes) (*gorgonia.Node, error) { return ops.ChannelSum(in[0]) }
		gradcheck.Assert(t, channelSum, []tensor.Tensor{x}, gradcheck.Default)
		reuse := func(in gorgonia.Nodes) (*gorgonia.Node, error) { // x + b, then summed back to b's shape and added to b
			y, err := ops.AddBias(in[0], in[1])
			if err != nil {
				return nil, err
			}
			c, err := ops.ChannelSum(y)
			if err != nil {
				return nil, err
			}
			return ops.Add(c, in[1])
		}
		gradcheck.Assert(t, reuse, []tensor.Tensor{x, b}, gradcheck.Default)
	}
}

// TestBiasValues: by hand, (2, 2, 1, 2) with bias [10, 20]; the channel sums
// add over the batch and the spatial positions.
func TestBiasValues(t *testing.T) {
	x := tensorOf(tensor.Shape{2, 2, 1, 2}, 1, 2, 3, 4, 5, 6, 7, 8)
	b := tensorOf(tensor.Shape{2}, 10, 20)
	y := run(t, func(in gorgonia.Nodes) (*gorgonia.Node, error) { return ops.AddBias(in[0], in[1]) }, x, b)
	assertClose(t, "add_bias", y, []float64{11, 12, 23, 24, 15, 16, 27, 28}, 0)
	s := run(t, func(in gorgonia.Nodes) (*gorgonia.Node, error) { return ops.ChannelSum(in[0]) }, x)
	assertClose(t, "channel_sum", s, []float64{1 + 2 + 5 + 6, 3 + 4 + 7 + 8}, 0)
}

func TestElementwiseBadShapes(t *testing.T) {
	g, err := graph.New(tensor.Float64)
	must(t, err)
	a, err := g.Input("a", 2, 3)
	must(t, err)
	b, err := g.Input("b", 3, 2)
	must(t, err)
	bias, err := g.Input("bias", 2)
	must(t, err)
	for name, c := range map[string]struct {
		err   error
		parts []string
	}{
		"add":      {second(ops.Add(a, b)), []string{"add", "(2, 3)", "(3, 2)"}},
		"mul":      {second(ops.Mul(a, b)), []string{"mul", "(2, 3)", "(3, 2)"}},
		"add_bias": {second(ops.AddBias(a, bias)), []string{"add_bias", "(2, 3)", "(2)"}},
		"nil":      {second(ops.Add(a, nil)), []string{"nil"}},
	} {
		opsWantError(t, name, c.err, c.parts...)
	}
}

func second(_ *gorgonia.Node, err error) error { return err }
