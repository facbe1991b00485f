package nn

import (
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"

	"github.com/convgraph/convgraph/ops"
)

// funcLayer is a layer without parameters: an activation, a pooling, a
// reshape, a residual sum or an ad-hoc function.
type funcLayer struct {
	name string // the path; "" for the shared activations and poolings
	kind string // what String prints: ReLU, MaxPool2D(2x2), ...
	f    func(b *Builder, x *gorgonia.Node) (*gorgonia.Node, error)
}

var _ Layer = (*funcLayer)(nil)

func (l *funcLayer) Name() string     { return l.name }
func (l *funcLayer) Params() []*Param { return nil }
func (l *funcLayer) String() string   { return l.kind }

func (l *funcLayer) Forward(b *Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	return l.f(b, x)
}

// stateless wraps an op of one input as an unnamed layer.
func stateless(kind string, op func(x *gorgonia.Node) (*gorgonia.Node, error)) Layer {
	return &funcLayer{kind: kind, f: func(_ *Builder, x *gorgonia.Node) (*gorgonia.Node, error) { return op(x) }}
}

// LayerFunc makes an ad-hoc layer without parameters from f; name is its
// path in errors and summaries.
func LayerFunc(name string, f func(b *Builder, x *gorgonia.Node) (*gorgonia.Node, error)) Layer {
	return &funcLayer{name: name, kind: "LayerFunc", f: f}
}

// AddTo adds identity to its input, x → x + identity: the residual sum of a
// block, written inside a Chain as nn.AddTo(identity) before the last ReLU.
// identity must have x's shape (a downsample projection makes it so).
func AddTo(identity *gorgonia.Node) Layer { return &shortcut{input: identity} }

// Shortcut is AddTo of the block input x run through downsample (x itself
// when downsample is nil). downsample is built, and recorded for the
// summary, when the sum is: after the layers before it in a Chain, where
// PyTorch's print lists a block's downsample too. Written in the same Chain
// as the block's last batch norm and ReLU, the three run as one fused op.
func Shortcut(x *gorgonia.Node, downsample Layer) Layer {
	return &shortcut{input: x, downsample: downsample}
}

// shortcut is the residual sum of AddTo and Shortcut.
type shortcut struct {
	input      *gorgonia.Node
	downsample Layer // nil: input is the identity itself
}

var _ Layer = (*shortcut)(nil)

func (s *shortcut) Name() string { return "" }

// Params is empty: a downsample belongs to its block, which lists it.
func (s *shortcut) Params() []*Param { return nil }
func (s *shortcut) String() string   { return "AddTo" }

func (s *shortcut) Forward(b *Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	id, err := s.identity(b)
	if err != nil {
		return nil, err
	}
	return ops.Add(x, id)
}

// identity builds the node added: the input, or the downsample of it.
func (s *shortcut) identity(b *Builder) (*gorgonia.Node, error) {
	switch {
	case s.input == nil:
		return nil, errors.New("AddTo: nil identity")
	case s.downsample == nil:
		return s.input, nil
	}
	return Chain(b, s.input, s.downsample)
}
