package ops

import (
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/ops/internal/kernels"
)

// unary is one pointwise function and its derivative. df receives both x and
// y = f(x), so functions whose derivative is cheapest from y (sigmoid, tanh)
// use it. f and df define the function; fast, when set, holds kernels that
// compute exactly T(f(x)) and T(df(x, y))·dy without a call per element
// (TestPointwiseFastMatchesTable holds them to that).
type unary struct {
	f    func(x float64) float64
	df   func(x, y float64) float64
	fast *fastUnary
}

// fastUnary is a specialized kernel pair for one table entry, in both dtypes.
type fastUnary struct {
	f32  func(y, x []float32)
	f64  func(y, x []float64)
	df32 func(dx, x, y, dy []float32)
	df64 func(dx, x, y, dy []float64)
}

// LeCun's scaled tanh (LeNet-5, 1998, appendix A): A·tanh(S·x), A = 1.7159, S = 2/3.
const lecunA, lecunS = 1.7159, 2.0 / 3.0

// pointwise is the table of pointwise ops, one keyed entry each.
var pointwise = map[string]unary{
	// relu'(0) = 0, as in JAX and PyTorch: the subgradient that keeps dead units dead.
	"relu": {
		f:  func(x float64) float64 { return math.Max(x, 0) },
		df: func(x, _ float64) float64 { return step(x) },
		fast: &fastUnary{
			f32:  kernels.ReLU[float32],
			f64:  kernels.ReLU[float64],
			df32: func(dx, x, _, dy []float32) { kernels.ReLUGrad(dx, x, dy) },
			df64: func(dx, x, _, dy []float64) { kernels.ReLUGrad(dx, x, dy) },
		},
	},
	"sigmoid": {
		f:  func(x float64) float64 { return 1 / (1 + math.Exp(-x)) },
		df: func(_, y float64) float64 { return y * (1 - y) },
	},
	"tanh": {
		f:  math.Tanh,
		df: func(_, y float64) float64 { return 1 - y*y },
	},
	"lecun_tanh": {
		f:  func(x float64) float64 { return lecunA * math.Tanh(lecunS*x) },
		df: func(_, y float64) float64 { return lecunS * (lecunA - y*y/lecunA) },
	},
}

func step(x float64) float64 {
	if x > 0 {
		return 1
	}
	return 0
}

// ReLU is max(x, 0), elementwise; its derivative at 0 is 0.
func ReLU(x *gorgonia.Node) (*gorgonia.Node, error) { return Pointwise("relu", x) }

// Sigmoid is 1/(1+e^−x), elementwise.
func Sigmoid(x *gorgonia.Node) (*gorgonia.Node, error) { return Pointwise("sigmoid", x) }

// Tanh is the hyperbolic tangent, elementwise.
func Tanh(x *gorgonia.Node) (*gorgonia.Node, error) { return Pointwise("tanh", x) }

// LeCunTanh is LeNet-5's squashing function 1.7159·tanh(2x/3), elementwise.
func LeCunTanh(x *gorgonia.Node) (*gorgonia.Node, error) { return Pointwise("lecun_tanh", x) }

// Pointwise applies the table entry name to every element of x.
func Pointwise(name string, x *gorgonia.Node) (*gorgonia.Node, error) {
	if _, ok := pointwise[name]; !ok {
		return nil, errors.Errorf("pointwise: unknown function %q", name)
	}
	if x == nil {
		return nil, errors.Errorf("%s: nil input", name)
	}
	return apply(pointwiseOp{name: name, rank: x.Dims()}, x)
}

// pointwiseOp is y = f(x) for one table entry.
type pointwiseOp struct {
	writesAll
	name string
	rank int
}

func (p pointwiseOp) String() string                                { return p.name }
func (p pointwiseOp) ranks() ([]int, int)                           { return []int{p.rank}, p.rank }
func (p pointwiseOp) shape(in []tensor.Shape) (tensor.Shape, error) { return in[0].Clone(), nil }
func (p pointwiseOp) diffWRT() []bool                               { return []bool{true} }

func (p pointwiseOp) do(out tensor.Tensor, in []tensor.Tensor) error {
	u := pointwise[p.name]
	switch {
	case u.fast != nil && is32(out):
		u.fast.f32(floats[float32](out), floats[float32](in[0]))
	case u.fast != nil:
		u.fast.f64(floats[float64](out), floats[float64](in[0]))
	case is32(out):
		kernels.Map(floats[float32](out), floats[float32](in[0]), u.f)
	default:
		kernels.Map(floats[float64](out), floats[float64](in[0]), u.f)
	}
	return nil
}

func (p pointwiseOp) grad(in gorgonia.Nodes, out, dout *gorgonia.Node) (gorgonia.Nodes, error) {
	dx, err := apply(pointwiseGradOp{name: p.name, rank: p.rank}, in[0], out, dout)
	return gorgonia.Nodes{dx}, err
}

// pointwiseGradOp is dx = f'(x, y)·dy for one table entry.
type pointwiseGradOp struct {
	writesAll
	name string
	rank int
}

func (p pointwiseGradOp) String() string      { return p.name + "_grad" }
func (p pointwiseGradOp) ranks() ([]int, int) { return []int{p.rank, p.rank, p.rank}, p.rank }
func (p pointwiseGradOp) shape(in []tensor.Shape) (tensor.Shape, error) {
	return sameShapes(p.String(), in...)
}

func (p pointwiseGradOp) do(out tensor.Tensor, in []tensor.Tensor) error {
	u := pointwise[p.name]
	switch {
	case u.fast != nil && is32(out):
		u.fast.df32(floats[float32](out), floats[float32](in[0]), floats[float32](in[1]), floats[float32](in[2]))
	case u.fast != nil:
		u.fast.df64(floats[float64](out), floats[float64](in[0]), floats[float64](in[1]), floats[float64](in[2]))
	case is32(out):
		kernels.MapGrad(floats[float32](out), floats[float32](in[0]), floats[float32](in[1]), floats[float32](in[2]), u.df)
	default:
		kernels.MapGrad(floats[float64](out), floats[float64](in[0]), floats[float64](in[1]), floats[float64](in[2]), u.df)
	}
	return nil
}

// sameShapes is the shape rule of elementwise ops: every input has one shape.
func sameShapes(op string, in ...tensor.Shape) (tensor.Shape, error) {
	for i := 1; i < len(in); i++ {
		if !in[i].Eq(in[0]) {
			return nil, errors.Errorf("%s: input %d has shape %v, input 0 has %v", op, i, in[i], in[0])
		}
	}
	return in[0].Clone(), nil
}
