// Package nn holds convgraph's layers. A model is a tree of layers; layers own
// their parameters as plain tensors named by path like a PyTorch state_dict
// (layer2.0.conv1.weight, bn1.running_mean), outside any graph. Building a
// model into a graph for one input shape and one mode (train or eval) declares
// those tensors as graph parameters, so several graphs (train at batch 128,
// eval at batch 1000) share them.
package nn

import (
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
)

// Layer is one node of a model tree.
type Layer interface {
	// Name is the layer's path in the model (conv1, layer2.0.bn1); "" for
	// stateless layers such as ReLU.
	Name() string
	// Forward declares the layer's nodes on b's graph and returns its output.
	Forward(b *Builder, x *gorgonia.Node) (*gorgonia.Node, error)
	// Params lists the layer's parameters and buffers (its subtree's, for a
	// container), in state_dict order.
	Params() []*Param
}

// Chain runs x through layers in order and records each output for the
// model summary. An error names the failing layer's index and path, so models
// need no if-err ladders.
//
// A BatchNorm directly followed by ReLU runs as one fused op with the same
// values and gradients (ops.BatchNormReLUTrain): the summary still lists
// both layers, with the fused output as each one's.
func Chain(b *Builder, x *gorgonia.Node, layers ...Layer) (*gorgonia.Node, error) {
	for i := 0; i < len(layers); i++ {
		l := layers[i]
		bn, fuse := l.(*BatchNorm)
		fuse = fuse && i+1 < len(layers) && layers[i+1] == ReLU
		var (
			y   *gorgonia.Node
			err error
		)
		if fuse {
			y, err = bn.forwardReLU(b, x)
		} else {
			y, err = l.Forward(b, x)
		}
		if err != nil {
			return nil, errors.WithMessagef(err, "layer %d (%s) on input %v", i, describe(l), x.Shape())
		}
		b.record(l, x, y)
		if fuse {
			i++
			b.record(ReLU, y, y)
		}
		x = y
	}
	return x, nil
}

func describe(l Layer) string {
	if l.Name() != "" {
		return l.Name()
	}
	if s, ok := l.(interface{ String() string }); ok {
		return s.String()
	}
	return "unnamed"
}

// Sequential is a container that runs its layers in order (torch.nn.Sequential).
type Sequential struct {
	Path   string
	Layers []Layer
}

var _ Layer = (*Sequential)(nil)

// NewSequential names a list of layers.
func NewSequential(path string, layers ...Layer) *Sequential {
	return &Sequential{Path: path, Layers: layers}
}

func (s *Sequential) Name() string { return s.Path }

func (s *Sequential) Forward(b *Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	y, err := Chain(b, x, s.Layers...)
	if err != nil && s.Path != "" {
		return nil, errors.WithMessage(err, s.Path)
	}
	return y, err
}

func (s *Sequential) Params() []*Param { return ParamsOf(s.Layers...) }

// ParamsOf concatenates the parameters of layers, in order, skipping nil
// ones: a container's Params.
func ParamsOf(layers ...Layer) []*Param {
	var ps []*Param
	for _, l := range layers {
		if l != nil {
			ps = append(ps, l.Params()...)
		}
	}
	return ps
}

// Join builds a child path: Join("layer1", "0") is "layer1.0"; an empty
// prefix gives the name alone.
func Join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}
