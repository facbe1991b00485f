package zoo

import (
	"fmt"
	"strconv"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"

	"github.com/convgraph/convgraph/nn"
	"github.com/convgraph/convgraph/ops"
)

// ResNet is a residual network (He, Zhang, Ren & Sun 2015, "Deep Residual
// Learning for Image Recognition"): a stem, stages of residual blocks, a
// global average pool and a linear classifier. The ImageNet nets (NewResNet)
// and the CIFAR-10 nets (NewCIFARResNet) are both this type; their parameter
// names are torchvision's (conv1.weight, layer2.0.downsample.1.running_var,
// fc.bias).
type ResNet struct {
	Path  string // resnet50, plain20, ...: for errors and summaries
	Conv1 *nn.Conv2D
	BN1   *nn.BatchNorm
	// MaxPool is the ImageNet stem's 3×3, stride-2 max pool; nil in the
	// CIFAR nets, whose stem is a single 3×3 convolution.
	MaxPool nn.Layer
	Layers  []*nn.Sequential // layer1, layer2, ...: the stages
	FC      *nn.Linear
}

var _ nn.Layer = (*ResNet)(nil)

func (r *ResNet) Name() string { return r.Path }

// Params lists the parameters and buffers in torchvision's state_dict order.
func (r *ResNet) Params() []*nn.Param {
	ps := append(r.Conv1.Params(), r.BN1.Params()...)
	for _, l := range r.Layers {
		ps = append(ps, l.Params()...)
	}
	return append(ps, r.FC.Params()...)
}

// Forward is conv1, bn1, relu, [maxpool], layer1, ..., avgpool, fc.
func (r *ResNet) Forward(b *nn.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	stages := []nn.Layer{r.Conv1, r.BN1, nn.ReLU}
	if r.MaxPool != nil {
		stages = append(stages, r.MaxPool)
	}
	for _, l := range r.Layers {
		stages = append(stages, l)
	}
	stages = append(stages, nn.GlobalAvgPool2D(), r.FC)
	y, err := nn.Chain(b, x, stages...)
	return y, errors.WithMessage(err, r.Path)
}

// resnetSpec is one ImageNet depth: the block and the blocks per stage.
type resnetSpec struct {
	block  blockKind
	blocks [4]int
}

// resnetSpecs has one line per depth, as torchvision's resnet18() ... resnet152()
// (He et al. 2015, Table 1).
var resnetSpecs = map[int]resnetSpec{
	18:  {basic, [4]int{2, 2, 2, 2}},
	34:  {basic, [4]int{3, 4, 6, 3}},
	50:  {bottleneck, [4]int{3, 4, 6, 3}},
	101: {bottleneck, [4]int{3, 4, 23, 3}},
	152: {bottleneck, [4]int{3, 8, 36, 3}},
}

// NewResNet is the ImageNet ResNet of the given depth (18, 34, 50, 101 or
// 152), as torchvision builds it (He et al. 2015, Table 1), for 3×224×224
// input:
//
//	conv1    7×7, 64, stride 2, pad 3; bn1; relu     64×112×112
//	maxpool  3×3, stride 2, pad 1                    64×56×56
//	layer1   blocks of 64 planes                     64·e×56×56
//	layer2   blocks of 128 planes, stride 2          128·e×28×28
//	layer3   blocks of 256 planes, stride 2          256·e×14×14
//	layer4   blocks of 512 planes, stride 2          512·e×7×7
//	avgpool, fc                                      classes
//
// with e = 1 for BasicBlock (18, 34) and 4 for Bottleneck (50, 101, 152).
// Shortcuts are identities, and projections (1×1 conv + BN, option B) where
// the shape changes. Bottlenecks stride on their 3×3 conv (ResNet v1.5, as
// torchvision; the paper strides on the first 1×1). Convolutions start from
// He-normal weights with fan_out, batch norms from weight 1 and bias 0, and
// fc from PyTorch's default, as in torchvision. Parameters for 1000 classes:
// 11,689,512 (18), 21,797,672 (34), 25,557,032 (50), 44,549,160 (101),
// 60,192,808 (152).
func NewResNet(f *nn.Factory, depth, classes int) (*ResNet, error) {
	if f == nil {
		return nil, errors.New("resnet: nil factory")
	}
	spec, ok := resnetSpecs[depth]
	if !ok {
		return nil, errors.Errorf("resnet: depth %d: want 18, 34, 50, 101 or 152", depth)
	}
	if classes < 1 {
		return nil, errors.Errorf("resnet%d: %d classes: want at least 1", depth, classes)
	}
	m := &layerMaker{f: f, inplanes: 64, shortcut: ShortcutB}
	r := &ResNet{
		Path:    fmt.Sprintf("resnet%d", depth),
		Conv1:   m.conv("conv1", 3, 64, 7, 2),
		BN1:     f.BatchNorm("bn1", 64),
		MaxPool: nn.MaxPool2D(ops.Pool2D{KH: 3, KW: 3, SH: 2, SW: 2}.WithPad(1, 1)),
	}
	r.Layers = m.stages(spec.block, []int{64, 128, 256, 512}, spec.blocks[:])
	r.FC = f.Linear("fc", 512*spec.block.expansion(), classes, true)
	if err := f.Err(); err != nil {
		return nil, errors.WithMessage(err, r.Path)
	}
	return r, nil
}

// Shortcut is how a residual block's shortcut crosses a change of shape
// (He et al. 2015, §3.3): where the shape stays, every kind but NoShortcut
// is the identity.
type Shortcut int

const (
	// ShortcutA pads with zeros: the input is subsampled at the block's
	// stride and zero channels are appended (ops.ShortcutA). It has no
	// parameters; the paper's CIFAR-10 nets use it (§4.2).
	ShortcutA Shortcut = iota
	// ShortcutB projects: a 1×1 convolution at the block's stride and a batch
	// norm, torchvision's "downsample" (the only kind in its ImageNet nets).
	ShortcutB
	// NoShortcut drops the shortcut altogether: the paper's plain nets.
	NoShortcut
)

func (s Shortcut) String() string {
	switch s {
	case ShortcutA:
		return "option A (zero padding)"
	case ShortcutB:
		return "option B (projection)"
	case NoShortcut:
		return "none (plain)"
	}
	return fmt.Sprintf("Shortcut(%d)", int(s))
}

// blockKind is BasicBlock or Bottleneck.
type blockKind int

const (
	basic blockKind = iota
	bottleneck
)

// expansion is torchvision's Block.expansion: output channels per plane.
func (k blockKind) expansion() int { return [...]int{1, 4}[k] }

// layerMaker builds the stages of a ResNet, keeping the running channel
// count as torchvision's ResNet keeps self.inplanes.
type layerMaker struct {
	f        *nn.Factory
	inplanes int
	shortcut Shortcut
}

// conv is a k×k convolution without bias (a batch norm follows) at the given
// stride, padded to keep the size at stride 1, with torchvision's init:
// kaiming_normal_(mode="fan_out", nonlinearity="relu"), from He et al.
// (2015), "Delving Deep into Rectifiers".
func (m *layerMaker) conv(name string, in, out, k, stride int) *nn.Conv2D {
	c := m.f.Conv2D(name, in, out, k, k, ops.Conv{}.WithStride(stride).WithPad(k/2), false)
	m.f.Reinit(c.Weight, nn.HeNormal(nn.FanOut))
	return c
}

// stages makes layer1, layer2, ...: blocks[i] blocks of planes[i] planes
// each, stride 1 in the first stage and 2 after.
func (m *layerMaker) stages(kind blockKind, planes, blocks []int) []*nn.Sequential {
	layers := make([]*nn.Sequential, len(planes))
	for i := range planes {
		stride := 2
		if i == 0 {
			stride = 1
		}
		layers[i] = m.makeLayer("layer"+strconv.Itoa(i+1), kind, planes[i], blocks[i], stride)
	}
	return layers
}

// makeLayer mirrors torchvision's _make_layer: one stage of blocks blocks,
// the first at stride and with a downsample shortcut when the stride or the
// channel count changes, the others at stride 1 with identity shortcuts.
func (m *layerMaker) makeLayer(name string, kind blockKind, planes, blocks, stride int) *nn.Sequential {
	out := planes * kind.expansion()
	var downsample nn.Layer
	if stride != 1 || m.inplanes != out {
		downsample = m.downsample(name+".0.downsample", out, stride)
	}
	layers := []nn.Layer{m.block(kind, name+".0", planes, stride, downsample)}
	m.inplanes = out
	for i := 1; i < blocks; i++ {
		layers = append(layers, m.block(kind, name+"."+strconv.Itoa(i), planes, 1, nil))
	}
	return nn.NewSequential(name, layers...)
}

// downsample is the shortcut of a block whose shape changes, by m.shortcut.
func (m *layerMaker) downsample(path string, out, stride int) nn.Layer {
	switch m.shortcut {
	case ShortcutA:
		return &zeroPadShortcut{Path: path, Stride: stride, Channels: out}
	case ShortcutB:
		return nn.NewSequential(path, m.conv(path+".0", m.inplanes, out, 1, stride), m.f.BatchNorm(path+".1", out))
	}
	return nil
}

func (m *layerMaker) block(kind blockKind, path string, planes, stride int, downsample nn.Layer) nn.Layer {
	plain := m.shortcut == NoShortcut
	if kind == basic {
		return &BasicBlock{
			Path:  path,
			Conv1: m.conv(path+".conv1", m.inplanes, planes, 3, stride), BN1: m.f.BatchNorm(path+".bn1", planes),
			Conv2: m.conv(path+".conv2", planes, planes, 3, 1), BN2: m.f.BatchNorm(path+".bn2", planes),
			Downsample: downsample, Plain: plain,
		}
	}
	out := planes * kind.expansion()
	return &Bottleneck{
		Path:  path,
		Conv1: m.conv(path+".conv1", m.inplanes, planes, 1, 1), BN1: m.f.BatchNorm(path+".bn1", planes),
		Conv2: m.conv(path+".conv2", planes, planes, 3, stride), BN2: m.f.BatchNorm(path+".bn2", planes),
		Conv3: m.conv(path+".conv3", planes, out, 1, 1), BN3: m.f.BatchNorm(path+".bn3", out),
		Downsample: downsample, Plain: plain,
	}
}

// BasicBlock is the two-layer residual block (He et al. 2015, Fig. 2 and
// Fig. 5 left): two 3×3 convolutions, the first at the block's stride, each
// followed by a batch norm, with the shortcut added before the last ReLU.
type BasicBlock struct {
	Path       string
	Conv1      *nn.Conv2D
	BN1        *nn.BatchNorm
	Conv2      *nn.Conv2D
	BN2        *nn.BatchNorm
	Downsample nn.Layer // the shortcut where the shape changes; nil: the identity
	Plain      bool     // no shortcut at all: a block of a plain net
}

var _ nn.Layer = (*BasicBlock)(nil)

func (blk *BasicBlock) Name() string { return blk.Path }

func (blk *BasicBlock) Params() []*nn.Param {
	return nn.ParamsOf(blk.Conv1, blk.BN1, blk.Conv2, blk.BN2, blk.Downsample)
}

// Forward: conv1, bn1, relu, conv2, bn2, out += identity, relu.
func (blk *BasicBlock) Forward(b *nn.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	return nn.Chain(b, x, withShortcut(x, blk.Downsample, blk.Plain, blk.Conv1, blk.BN1, nn.ReLU, blk.Conv2, blk.BN2)...)
}

// Bottleneck is the three-layer residual block of the deeper ImageNet nets
// (He et al. 2015, Fig. 5 right): a 1×1 convolution reduces to planes
// channels, a 3×3 convolution at the block's stride works on them, and a 1×1
// convolution expands to 4·planes; batch norms follow each, and the shortcut
// is added before the last ReLU.
type Bottleneck struct {
	Path       string
	Conv1      *nn.Conv2D
	BN1        *nn.BatchNorm
	Conv2      *nn.Conv2D
	BN2        *nn.BatchNorm
	Conv3      *nn.Conv2D
	BN3        *nn.BatchNorm
	Downsample nn.Layer // the shortcut where the shape changes; nil: the identity
	Plain      bool     // no shortcut at all
}

var _ nn.Layer = (*Bottleneck)(nil)

func (blk *Bottleneck) Name() string { return blk.Path }

func (blk *Bottleneck) Params() []*nn.Param {
	return nn.ParamsOf(blk.Conv1, blk.BN1, blk.Conv2, blk.BN2, blk.Conv3, blk.BN3, blk.Downsample)
}

// Forward: conv1, bn1, relu, conv2, bn2, relu, conv3, bn3, out += identity, relu.
func (blk *Bottleneck) Forward(b *nn.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	return nn.Chain(b, x, withShortcut(x, blk.Downsample, blk.Plain,
		blk.Conv1, blk.BN1, nn.ReLU, blk.Conv2, blk.BN2, nn.ReLU, blk.Conv3, blk.BN3)...)
}

// withShortcut ends a block's layers: out += identity (x, or downsample(x)
// where the shape changes), then relu; a plain block only gets the relu.
// In one Chain with the block's last batch norm, the end runs as one fused
// op (see nn.Chain).
func withShortcut(x *gorgonia.Node, downsample nn.Layer, plain bool, layers ...nn.Layer) []nn.Layer {
	if plain {
		return append(layers, nn.ReLU)
	}
	return append(layers, nn.Shortcut(x, downsample), nn.ReLU)
}

// zeroPadShortcut is option A's shortcut as a layer: ops.ShortcutA.
type zeroPadShortcut struct {
	Path             string
	Stride, Channels int
}

func (z *zeroPadShortcut) Name() string        { return z.Path }
func (z *zeroPadShortcut) Params() []*nn.Param { return nil }
func (z *zeroPadShortcut) String() string {
	return fmt.Sprintf("ShortcutA(stride=%d, channels=%d)", z.Stride, z.Channels)
}

func (z *zeroPadShortcut) Forward(_ *nn.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	y, err := ops.ShortcutA(x, z.Stride, z.Channels)
	return y, errors.WithMessage(err, z.Path)
}
