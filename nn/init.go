package nn

import (
	"fmt"
	"math"
	"math/rand"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Init fills t from rng. fanIn and fanOut are computed by the caller (see
// Fans): a bias is drawn with its weight's fans, which its own shape cannot
// tell. Elements are drawn in row-major order, so one seed gives one tensor.
//
// An Init panics on a tensor that is not float32 or float64 (Zeros, Ones and
// Constant also take integer tensors): every parameter a Factory makes has
// the factory's float dtype, so another dtype is a programming error.
type Init func(rng *rand.Rand, t tensor.Tensor, fanIn, fanOut int)

// FanMode picks the fan that He initialization preserves the variance of.
type FanMode int

const (
	// FanIn keeps the variance of the forward activations (PyTorch's default).
	FanIn FanMode = iota
	// FanOut keeps the variance of the backward gradients (torchvision's ResNet).
	FanOut
)

func (m FanMode) String() string { return [...]string{"fan_in", "fan_out"}[m] }

func (m FanMode) pick(fanIn, fanOut int) int {
	if m == FanOut {
		return fanOut
	}
	return fanIn
}

// Fans is PyTorch's _calculate_fan_in_and_fan_out: for a weight of shape
// (out, in, k...) the receptive field is the product of k..., fanIn is
// in·field and fanOut is out·field. A Linear weight (out, in) gives (in, out);
// a Conv2D weight (64, 3, 7, 7) gives (147, 3136). PyTorch refuses fewer than
// 2 dimensions; here a 1-D shape (C) gives (C, C) and a scalar (1, 1), so an
// Init applied to a bias or a scale by Reinit still has a fan to read.
func Fans(shape tensor.Shape) (fanIn, fanOut int) {
	switch len(shape) {
	case 0:
		return 1, 1
	case 1:
		return shape[0], shape[0]
	}
	field := 1
	for _, d := range shape[2:] {
		field *= d
	}
	return shape[1] * field, shape[0] * field
}

// Zeros fills with 0 (biases, batch-norm shift, running mean).
var Zeros Init = Constant(0)

// Ones fills with 1 (batch-norm scale, running variance).
var Ones Init = Constant(1)

// Constant fills with v.
func Constant(v float64) Init {
	return func(_ *rand.Rand, t tensor.Tensor, _, _ int) { fillConst(t, v) }
}

// Uniform fills with U(−bound, bound).
func Uniform(bound float64) Init {
	return func(rng *rand.Rand, t tensor.Tensor, _, _ int) {
		fill(t, func() float64 { return (2*rng.Float64() - 1) * bound })
	}
}

// Normal fills with N(0, std²).
func Normal(std float64) Init {
	return func(rng *rand.Rand, t tensor.Tensor, _, _ int) {
		fill(t, func() float64 { return rng.NormFloat64() * std })
	}
}

// XavierUniform is Glorot & Bengio (2010): U(−a, a) with
// a = gain·√(6/(fanIn+fanOut)), which keeps Var = gain²·2/(fanIn+fanOut).
func XavierUniform(gain float64) Init {
	return func(rng *rand.Rand, t tensor.Tensor, fanIn, fanOut int) {
		Uniform(gain*math.Sqrt(6/float64(fanIn+fanOut)))(rng, t, fanIn, fanOut)
	}
}

// XavierNormal is Glorot & Bengio (2010): N(0, std²) with
// std = gain·√(2/(fanIn+fanOut)).
func XavierNormal(gain float64) Init {
	return func(rng *rand.Rand, t tensor.Tensor, fanIn, fanOut int) {
		Normal(gain*math.Sqrt(2/float64(fanIn+fanOut)))(rng, t, fanIn, fanOut)
	}
}

// HeNormal is He et al. (2015), "Xavier/2" for ReLU nets: N(0, 2/fan) with
// the fan chosen by mode (PyTorch's kaiming_normal_ with nonlinearity relu).
func HeNormal(mode FanMode) Init {
	return func(rng *rand.Rand, t tensor.Tensor, fanIn, fanOut int) {
		Normal(math.Sqrt(2/float64(mode.pick(fanIn, fanOut))))(rng, t, fanIn, fanOut)
	}
}

// HeUniform is He et al. (2015) drawn uniformly: U(−b, b) with b = √(6/fan),
// the same variance 2/fan as HeNormal (PyTorch's kaiming_uniform_, relu).
func HeUniform(mode FanMode) Init {
	return func(rng *rand.Rand, t tensor.Tensor, fanIn, fanOut int) {
		Uniform(math.Sqrt(6/float64(mode.pick(fanIn, fanOut))))(rng, t, fanIn, fanOut)
	}
}

// UniformFanIn is PyTorch's default for Conv and Linear weights and biases:
// U(−1/√fanIn, 1/√fanIn). For the weight PyTorch writes it as
// kaiming_uniform_(a=√5), whose bound gain·√(3/fanIn) with gain = √(2/(1+5))
// is the same 1/√fanIn; for the bias fanIn is the weight's.
func UniformFanIn() Init {
	return func(rng *rand.Rand, t tensor.Tensor, fanIn, fanOut int) {
		bound := 0.0
		if fanIn > 0 {
			bound = 1 / math.Sqrt(float64(fanIn))
		}
		Uniform(bound)(rng, t, fanIn, fanOut)
	}
}

// fill writes next() into every element of a float tensor, in row-major order.
func fill(t tensor.Tensor, next func() float64) {
	switch d := t.Data().(type) {
	case []float64:
		for i := range d {
			d[i] = next()
		}
	case []float32:
		for i := range d {
			d[i] = float32(next())
		}
	default:
		panic(fmt.Sprintf("nn: init: %v tensor of shape %v: want float32 or float64", t.Dtype(), t.Shape()))
	}
}

// fillConst writes v into every element of a float or integer tensor
// (num_batches_tracked is int64); Memset takes the tensor's own element type.
func fillConst(t tensor.Tensor, v float64) {
	var x any
	switch t.Dtype() {
	case tensor.Float64:
		x = v
	case tensor.Float32:
		x = float32(v)
	case tensor.Int64:
		x = int64(v)
	case tensor.Int:
		x = int(v)
	case tensor.Int32:
		x = int32(v)
	default:
		panic(fmt.Sprintf("nn: init: constant %v into a %v tensor", v, t.Dtype()))
	}
	if err := t.Memset(x); err != nil {
		panic(fmt.Sprintf("nn: init: constant %v into %v tensor of shape %v: %v", v, t.Dtype(), t.Shape(), err))
	}
}

// Factory creates parameters in one dtype from one seeded source, so a model
// built with the same seed starts from the same weights.
type Factory struct {
	Dtype tensor.Dtype
	Rng   *rand.Rand
	err   error // the first bad request; see Err
}

// Err is the first invalid request the factory was given: a dtype other than
// float32 or float64, or a parameter shape with a dimension below 1 (a
// Linear with 0 outputs, channels not divisible by groups). Layer
// constructors return no error, so a bad request makes a placeholder
// parameter instead of panicking; check Err before building the model
// (zoo's constructors do).
func (f *Factory) Err() error { return f.err }

// NewFactory makes parameters of dtype dt (float32 to train, float64 for
// gradient checks), drawn from seed.
func NewFactory(dt tensor.Dtype, seed int64) *Factory {
	return &Factory{Dtype: dt, Rng: rand.New(rand.NewSource(seed))}
}

// Reinit re-initializes p with fans computed from its own shape (He init
// for the convs of a ResNet, a zero scale for the last batch norm of a block).
func (f *Factory) Reinit(p *Param, init Init) {
	fanIn, fanOut := Fans(p.Value.Shape())
	init(f.Rng, p.Value, fanIn, fanOut)
}

// param allocates a parameter of the factory's dtype filled by init, or, for
// a bad request, records it (see Err) and returns a one-element float32
// placeholder that no graph will accept.
func (f *Factory) param(name string, trainable bool, init Init, fanIn, fanOut int, shape ...int) *Param {
	if err := f.check(name, shape); err != nil {
		if f.err == nil {
			f.err = err
		}
		return newParam(name, tensor.Float32, trainable, 1)
	}
	p := newParam(name, f.Dtype, trainable, shape...)
	init(f.Rng, p.Value, fanIn, fanOut)
	return p
}

func (f *Factory) check(name string, shape []int) error {
	if f.Dtype != tensor.Float32 && f.Dtype != tensor.Float64 {
		return errors.Errorf("nn: %s: factory dtype %v: want float32 or float64", name, f.Dtype)
	}
	for _, d := range shape {
		if d < 1 {
			return errors.Errorf("nn: %s: shape %v has a dimension below 1", name, tensor.Shape(shape))
		}
	}
	return nil
}

// weightAndBias makes PyTorch's default pair: a weight of the given shape
// and, when bias is set, a bias of its first dimension, both U(±1/√fanIn)
// with the weight's fan-in. The bias skips weight decay.
func (f *Factory) weightAndBias(path string, bias bool, shape ...int) (w, b *Param) {
	fanIn, fanOut := Fans(shape)
	w = f.param(Join(path, "weight"), true, UniformFanIn(), fanIn, fanOut, shape...)
	if bias {
		b = f.param(Join(path, "bias"), true, UniformFanIn(), fanIn, fanOut, shape[0])
		b.NoDecay = true
	}
	return w, b
}
