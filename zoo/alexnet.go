package zoo

import (
	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/nn"
	"github.com/convgraph/convgraph/ops"
)

// AlexNetConfig sizes an AlexNet.
type AlexNetConfig struct {
	// Classes is the number of class scores FC8 gives (1000 for ImageNet).
	Classes int
	// Input is the side of the square RGB input: 227 gives the published
	// shapes (the paper's "224×224" does not fit its own conv1 geometry).
	// Any side from 67 up works; FC6 takes whatever POOL3 leaves.
	Input int
	// TwoTower splits conv2, conv4 and conv5 into 2 groups, as the original
	// net was split across two GPUs (Fig. 2): each half of those layers sees
	// only the kernel maps of its own GPU, while conv3 and the fully connected
	// layers see both halves. 60,965,224 parameters instead of 62,378,344.
	TwoTower bool
}

// alexnetPool is the overlapping 3×3, stride-2 max pooling (§3.4).
var alexnetPool = ops.Pool2D{KH: 3, KW: 3, SH: 2, SW: 2}

// alexnetLRN is response normalization with the paper's k = 2, n = 5,
// α = 1e-4, β = 0.75 (§3.3). The paper's sum has no 1/n; ops.LRN, like
// PyTorch, divides α by n, so α is given here as n·1e-4.
var alexnetLRN = ops.LRNParams{Size: 5, Alpha: 5 * 1e-4, Beta: 0.75, K: 2}

// NewAlexNet is AlexNet: Krizhevsky, Sutskever & Hinton (2012), "ImageNet
// Classification with Deep Convolutional Neural Networks", §3 and Fig. 2,
// with the shapes of the usual simplified table (CS231n), for a 227 input:
//
//	INPUT     3×227×227
//	CONV1     96 11×11 filters, stride 4, pad 0    96×55×55
//	POOL1     3×3, stride 2                        96×27×27
//	NORM1     local response normalization         96×27×27
//	CONV2     256 5×5 filters, stride 1, pad 2     256×27×27
//	POOL2     3×3, stride 2                        256×13×13
//	NORM2     local response normalization         256×13×13
//	CONV3     384 3×3 filters, stride 1, pad 1     384×13×13
//	CONV4     384 3×3 filters, stride 1, pad 1     384×13×13
//	CONV5     256 3×3 filters, stride 1, pad 1     256×13×13
//	POOL3     3×3, stride 2                        256×6×6
//	FC6       4096 neurons                         4096
//	FC7       4096 neurons                         4096
//	FC8       class scores                         classes
//
// ReLU follows every conv and hidden FC layer; dropout (p = 0.5) drops the
// outputs of FC6 and FC7 in training (§4.2). As in that table and Caffe's
// CaffeNet, pooling comes before normalization (the paper normalizes first;
// the shapes are the same). 62,378,344 parameters for 1000 classes (one
// tower). Weights start from N(0, 0.01²), the biases of conv2, conv4, conv5,
// FC6 and FC7 from 1 and the others from 0 (§5).
func NewAlexNet(f *nn.Factory, cfg AlexNetConfig) (*nn.Sequential, error) {
	if f == nil {
		return nil, errors.New("alexnet: nil factory")
	}
	if cfg.Classes < 1 {
		return nil, errors.Errorf("alexnet: %d classes: want at least 1", cfg.Classes)
	}
	flat, err := alexnetFeatures(cfg.Input)
	if err != nil {
		return nil, err
	}
	towers, name := 1, "alexnet"
	if cfg.TwoTower {
		towers, name = 2, "alexnet-2tower"
	}
	pad := func(p int) ops.Conv { return ops.Conv{}.WithPad(p) }
	split := func(c ops.Conv) ops.Conv { c.Groups = towers; return c }
	pool := nn.MaxPool2D(alexnetPool)
	m := nn.NewSequential(name,
		// CONV1: 3×227×227 → 96×55×55 → POOL1 → 96×27×27 → NORM1
		alexConv(f, "conv1", 3, 96, 11, ops.Conv{}.WithStride(4), 0), nn.ReLU, pool, nn.LRN(alexnetLRN),
		// CONV2: 96×27×27 → 256×27×27 → POOL2 → 256×13×13 → NORM2
		alexConv(f, "conv2", 96, 256, 5, split(pad(2)), 1), nn.ReLU, pool, nn.LRN(alexnetLRN),
		// CONV3, CONV4, CONV5: 256×13×13 → 384×13×13 → 384×13×13 → 256×13×13
		alexConv(f, "conv3", 256, 384, 3, pad(1), 0), nn.ReLU,
		alexConv(f, "conv4", 384, 384, 3, split(pad(1)), 1), nn.ReLU,
		alexConv(f, "conv5", 384, 256, 3, split(pad(1)), 1), nn.ReLU,
		// POOL3: 256×13×13 → 256×6×6 → flatten → 9216
		pool, nn.Flatten(),
		// FC6, FC7: 9216 → 4096 → 4096, each output dropped out in training
		alexLinear(f, "fc6", flat, 4096, 1), nn.ReLU, nn.Dropout("dropout6", 0.5),
		alexLinear(f, "fc7", 4096, 4096, 1), nn.ReLU, nn.Dropout("dropout7", 0.5),
		// FC8: 4096 → classes (logits)
		alexLinear(f, "fc8", 4096, cfg.Classes, 0),
	)
	if err := f.Err(); err != nil {
		return nil, errors.WithMessage(err, name)
	}
	return m, nil
}

// alexnetFeatures is the length of the flattened POOL3 output for an input
// of side h: conv1 and the three poolings shrink the image (the other convs
// keep its size), by the ops' own shape rules.
func alexnetFeatures(h int) (int, error) {
	if h < 1 {
		return 0, errors.Errorf("alexnet: input side %d: want the side of a square image (227)", h)
	}
	s, err := ops.Conv{}.WithStride(4).OutShape(tensor.Shape{1, 3, h, h}, tensor.Shape{96, 3, 11, 11})
	for i := 0; i < 3 && err == nil; i++ {
		s, err = alexnetPool.OutShape(tensor.Shape{1, 256, s[2], s[3]})
	}
	if err != nil {
		return 0, errors.WithMessagef(err, "alexnet: input 3×%d×%d is too small", h, h)
	}
	return 256 * s[2] * s[3], nil
}

// alexConv is a k×k convolution with bias, initialized as in §5.
func alexConv(f *nn.Factory, name string, in, out, k int, geom ops.Conv, bias float64) *nn.Conv2D {
	c := f.Conv2D(name, in, out, k, k, geom, true)
	f.Reinit(c.Weight, nn.Normal(0.01))
	f.Reinit(c.Bias, nn.Constant(bias))
	return c
}

// alexLinear is a fully connected layer, initialized as in §5.
func alexLinear(f *nn.Factory, name string, in, out int, bias float64) *nn.Linear {
	l := f.Linear(name, in, out, true)
	f.Reinit(l.Weight, nn.Normal(0.01))
	f.Reinit(l.Bias, nn.Constant(bias))
	return l
}
