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
// Two runs of layers build one fused op each, with the same values and
// gradients: a BatchNorm followed by ReLU (ops.BatchNormReLUTrain), and a
// BatchNorm followed by AddTo or Shortcut and ReLU, a residual block's end
// (ops.BatchNormAddReLUTrain). The summary still lists every layer.
func Chain(b *Builder, x *gorgonia.Node, layers ...Layer) (*gorgonia.Node, error) {
	for i := 0; i < len(layers); {
		l := layers[i]
		y, n, err := fused(b, x, layers[i:])
		if err == nil && n == 0 {
			if y, err = l.Forward(b, x); err == nil {
				b.record(l, x, y)
			}
			n = 1
		}
		if err != nil {
			return nil, errors.WithMessagef(err, "layer %d (%s) on input %v", i, describe(l), x.Shape())
		}
		x, i = y, i+n
	}
	return x, nil
}

// fused builds and records the fused op that layers start with, if any, and
// returns its output and the number of layers it stands for (0: none).
func fused(b *Builder, x *gorgonia.Node, layers []Layer) (*gorgonia.Node, int, error) {
	bn, ok := layers[0].(*BatchNorm)
	if !ok || len(layers) < 2 {
		return nil, 0, nil
	}
	if layers[1] == ReLU {
		y, err := bn.forwardFused(b, x, nil)
		if err == nil {
			b.record(bn, x, y)
			b.record(ReLU, y, y)
		}
		return y, 2, err
	}
	s, ok := layers[1].(*shortcut)
	if !ok || len(layers) < 3 || layers[2] != ReLU {
		return nil, 0, nil
	}
	// The batch norm is recorded before the downsample builds, as unfused
	// (a batch norm keeps the shape), and taken back if the fusion fails.
	traced := len(b.trace)
	b.record(bn, x, x)
	id, err := s.identity(b)
	if err != nil {
		b.trace = b.trace[:traced]
		return nil, 3, errors.WithMessage(err, "the shortcut after it")
	}
	y, err := bn.forwardFused(b, x, id)
	if err != nil {
		b.trace = b.trace[:traced]
		return nil, 3, err
	}
	b.record(s, x, y)
	b.record(ReLU, y, y)
	return y, 3, nil
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
