package zoo

import (
	"fmt"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/nn"
	"github.com/convgraph/convgraph/ops"
)

// NewLeNet5 is LeNet-5 as published: LeCun, Bottou, Bengio & Haffner (1998),
// "Gradient-Based Learning Applied to Document Recognition", §II.B and Fig. 2,
// on 1×32×32 images (MNIST's 28×28 digits padded by 2). Every layer but the
// last is followed by the paper's squashing f(a) = 1.7159·tanh(2a/3)
// (Appendix A); the trainable parameters per stage are the paper's:
//
//	C1  6 conv 5×5                      1×32×32  → 6×28×28       156
//	S2  2×2 trainable subsampling       6×28×28  → 6×14×14        12
//	C3  16 conv 5×5, Table I's maps     6×14×14  → 16×10×10    1,516
//	S4  2×2 trainable subsampling       16×10×10 → 16×5×5         32
//	C5  120 conv 5×5                    16×5×5   → 120×1×1    48,120
//	F6  84 linear                       120      → 84         10,164
//	output                              84       → classes       850 (10 classes)
//
// One departure: the paper's output layer is 10 Euclidean RBF units with
// fixed weights (stylized 7×12 bitmaps of the digits) under a MAP loss; here
// it is a plain linear classifier whose logits feed softmax cross-entropy.
// Parameters start as in Appendix A: uniform in ±2.4/Fi, Fi the fan-in of the
// unit they belong to.
func NewLeNet5(f *nn.Factory, classes int) *nn.Sequential {
	return nn.NewSequential("lenet5",
		// C1: 1×32×32 → 6×28×28
		lecunConv(f, "c1", 1, 6), nn.LeCunTanh,
		// S2: 6×28×28 → pool → 6×14×14
		NewSubsampling(f, "s2", 6), nn.LeCunTanh,
		// C3: 6×14×14 → 16×10×10, partially connected
		NewLeNetC3(f, "c3"), nn.LeCunTanh,
		// S4: 16×10×10 → pool → 16×5×5
		NewSubsampling(f, "s4", 16), nn.LeCunTanh,
		// C5: 16×5×5 → 120×1×1 → flatten → 120
		lecunConv(f, "c5", 16, 120), nn.LeCunTanh, nn.Flatten(),
		// F6: 120 → 84
		lecunLinear(f, "f6", 120, 84), nn.LeCunTanh,
		// output: 84 → classes (logits)
		lecunLinear(f, "output", 84, classes),
	)
}

// NewLeNet5Modern is LeNet-5 as it is usually written today (PyTorch's
// tutorial net), on 1×28×28 MNIST digits: ReLU for the squashing, max pooling
// for the trainable subsampling, a fully connected C3, linear layers in place
// of C5 and F6, and PyTorch's default initialization. 61,706 parameters for
// 10 classes.
func NewLeNet5Modern(f *nn.Factory, classes int) *nn.Sequential {
	pool := nn.MaxPool2D(ops.Pool2D{KH: 2, KW: 2})
	return nn.NewSequential("lenet5-modern",
		// conv1: 1×28×28 → pad 2 → 6×28×28 → pool → 6×14×14
		f.Conv2D("conv1", 1, 6, 5, 5, ops.Conv{}.WithPad(2), true), nn.ReLU, pool,
		// conv2: 6×14×14 → 16×10×10 → pool → 16×5×5 → flatten → 400
		f.Conv2D("conv2", 6, 16, 5, 5, ops.Conv{}, true), nn.ReLU, pool, nn.Flatten(),
		// fc1, fc2, fc3: 400 → 120 → 84 → classes (logits)
		f.Linear("fc1", 400, 120, true), nn.ReLU,
		f.Linear("fc2", 120, 84, true), nn.ReLU,
		f.Linear("fc3", 84, classes, true),
	)
}

// lecunInit draws params from U(−2.4/fanIn, 2.4/fanIn), LeNet-5's
// initialization (LeCun et al. 1998, Appendix A): it keeps the weighted sums
// in the range where the squashing is most nonlinear, not saturated.
func lecunInit(f *nn.Factory, fanIn int, params ...*nn.Param) {
	for _, p := range params {
		f.Reinit(p, nn.Uniform(2.4/float64(fanIn)))
	}
}

// lecunConv is a fully connected 5×5 convolution (C1, C5), paper-initialized.
func lecunConv(f *nn.Factory, name string, in, out int) *nn.Conv2D {
	c := f.Conv2D(name, in, out, 5, 5, ops.Conv{}, true)
	lecunInit(f, in*5*5, c.Weight, c.Bias)
	return c
}

// lecunLinear is a fully connected layer (F6, output), paper-initialized.
func lecunLinear(f *nn.Factory, name string, in, out int) *nn.Linear {
	l := f.Linear(name, in, out, true)
	lecunInit(f, in, l.Weight, l.Bias)
	return l
}

// Subsampling is LeNet-5's trainable subsampling layer (S2, S4; LeCun et al.
// 1998, §II.B): "the four inputs to a unit in S2 are added, then multiplied
// by a trainable coefficient, and added to a trainable bias", one coefficient
// and one bias per feature map. It is a 2×2 average pool followed by a
// depthwise 1×1 convolution (groups = channels) that holds those two numbers
// per map, so the coefficient here multiplies the mean of the four inputs,
// 4 times the paper's coefficient on their sum.
type Subsampling struct {
	Path     string
	Channels int
	// Scale is the depthwise 1×1 convolution: Weight (C, 1, 1, 1) holds the
	// coefficients and Bias (C) the biases.
	Scale *nn.Conv2D
}

var _ nn.Layer = (*Subsampling)(nil)

// NewSubsampling makes a subsampling layer over channels maps. Its unit has
// fan-in 4, so by Appendix A the coefficient on the sum and the bias start in
// U(±0.6); the coefficient on the mean therefore starts in U(±2.4).
func NewSubsampling(f *nn.Factory, name string, channels int) *Subsampling {
	scale := f.Conv2D(name, channels, channels, 1, 1, ops.Conv{Groups: channels}, true)
	f.Reinit(scale.Weight, nn.Uniform(2.4)) // 4 × U(±2.4/4)
	lecunInit(f, 4, scale.Bias)
	return &Subsampling{Path: name, Channels: channels, Scale: scale}
}

var subsamplingPool = ops.Pool2D{KH: 2, KW: 2}

func (s *Subsampling) Name() string        { return s.Path }
func (s *Subsampling) Params() []*nn.Param { return s.Scale.Params() }
func (s *Subsampling) String() string      { return fmt.Sprintf("Subsampling(%d, 2x2)", s.Channels) }

// Forward maps x (N, C, H, W) to (N, C, H/2, W/2): coefficient · mean + bias.
func (s *Subsampling) Forward(b *nn.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	y, err := ops.AvgPool2D(x, subsamplingPool, true)
	if err != nil {
		return nil, errors.WithMessage(err, s.Path)
	}
	return s.Scale.Forward(b, y)
}

// lenetC3Table is Table I of LeCun et al. (1998): row i is S2's feature map
// i, column j is C3's map j, and an X connects them. The first six C3 maps
// see three contiguous S2 maps, the next six four contiguous ones, the next
// three four discontinuous ones, and the last all six: "to break the
// symmetry in the network", so that different maps extract different features.
var lenetC3Table = [6]string{
	"X   XXX  XXXX XX",
	"XX   XXX  XXXX X",
	"XXX   XXX  X XXX",
	" XXX  XXXX  X XX",
	"  XXX  XXXX XX X",
	"   XXX  XXXX XXX",
}

// MaskedConv2D is a convolution whose weight is multiplied by a fixed 0/1
// mask before it convolves: a partial connection table such as LeNet-5's C3.
// A masked weight neither reaches the output nor receives a gradient (the
// mask zeroes both), so only the connected weights are parameters.
type MaskedConv2D struct {
	Conv *nn.Conv2D
	// Mask has the weight's shape; it is a buffer (not trained), saved with
	// the model under <path>.mask.
	Mask *nn.Param
}

var _ nn.Layer = (*MaskedConv2D)(nil)

// NewLeNetC3 makes LeNet-5's C3: 16 maps of 5×5 convolutions over the 6 maps
// of S2, connected as in Table I (60 of the 96 map pairs), so 60·25 weights
// and 16 biases: 1,516 parameters. Map j's units have fan-in 25·(its inputs),
// which sets their initial range (Appendix A); unconnected weights are 0.
func NewLeNetC3(f *nn.Factory, name string) *MaskedConv2D {
	conv := f.Conv2D(name, 6, 16, 5, 5, ops.Conv{}, true)
	mask := &nn.Param{Name: nn.Join(name, "mask"), Value: tensor.New(tensor.WithShape(16, 6, 5, 5), tensor.Of(f.Dtype))}
	inputs := make([]int, 16) // the S2 maps each C3 map sees
	for _, row := range lenetC3Table {
		for j := range inputs {
			if row[j] == 'X' {
				inputs[j]++
			}
		}
	}
	setElems(mask.Value, func(i int, _ float64) float64 { // i indexes (16, 6, 5, 5)
		if out, in := i/(6*25), i/25%6; lenetC3Table[in][out] == 'X' {
			return 1
		}
		return 0
	})
	// One uniform draw per parameter, then each unit's range: ±2.4/Fi.
	f.Reinit(conv.Weight, nn.Uniform(1))
	f.Reinit(conv.Bias, nn.Uniform(1))
	mv := floats64(mask.Value)
	setElems(conv.Weight.Value, func(i int, w float64) float64 { return w * mv[i] * 2.4 / float64(25*inputs[i/(6*25)]) })
	setElems(conv.Bias.Value, func(j int, b float64) float64 { return b * 2.4 / float64(25*inputs[j]) })
	return &MaskedConv2D{Conv: conv, Mask: mask}
}

func (m *MaskedConv2D) Name() string        { return m.Conv.Path }
func (m *MaskedConv2D) Params() []*nn.Param { return append(m.Conv.Params(), m.Mask) }

func (m *MaskedConv2D) String() string {
	return fmt.Sprintf("MaskedConv2D(%d, %d, %dx%d, %d of %d weights)", m.Conv.In, m.Conv.Out, m.Conv.KH, m.Conv.KW, m.connected(), m.Mask.Size())
}

// connected counts the mask's ones.
func (m *MaskedConv2D) connected() int {
	n := 0
	for _, v := range floats64(m.Mask.Value) {
		if v != 0 {
			n++
		}
	}
	return n
}

// EffectiveParams counts the connected weights and the biases (nn.Summarize
// reports it in place of the weight tensor's full size).
func (m *MaskedConv2D) EffectiveParams() int {
	n := m.connected()
	if m.Conv.Bias != nil {
		n += m.Conv.Bias.Size()
	}
	return n
}

// MACs counts the connected multiply-accumulates per image.
func (m *MaskedConv2D) MACs(_, out tensor.Shape) int { return out[2] * out[3] * m.connected() }

// Forward convolves x with weight ⊙ mask.
func (m *MaskedConv2D) Forward(b *nn.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	y, err := m.forward(b, x)
	return y, errors.WithMessage(err, m.Conv.Path)
}

func (m *MaskedConv2D) forward(b *nn.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	w, err := b.Param(m.Conv.Weight)
	if err != nil {
		return nil, err
	}
	mask, err := b.Param(m.Mask)
	if err != nil {
		return nil, err
	}
	var bias *gorgonia.Node
	if m.Conv.Bias != nil {
		if bias, err = b.Param(m.Conv.Bias); err != nil {
			return nil, err
		}
	}
	masked, err := ops.Mul(w, mask)
	if err != nil {
		return nil, err
	}
	return ops.Conv2D(x, masked, bias, m.Conv.Geom)
}

// setElems sets every element of a float tensor t to f(flat index, its value).
func setElems(t tensor.Tensor, f func(i int, v float64) float64) {
	switch d := t.Data().(type) {
	case []float64:
		for i, v := range d {
			d[i] = f(i, v)
		}
	case []float32:
		for i, v := range d {
			d[i] = float32(f(i, float64(v)))
		}
	}
}

// floats64 copies the elements of a float tensor as float64.
func floats64(t tensor.Tensor) []float64 {
	out := make([]float64, 0, t.Shape().TotalSize())
	setElems(t, func(_ int, v float64) float64 {
		out = append(out, v)
		return v
	})
	return out
}
