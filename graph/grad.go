package graph

import (
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
)

// Grad differentiates the scalar loss with respect to each node of wrt (inputs
// or parameters of this graph) and returns the gradient nodes, in order. The
// gradients are more graph: compile them together with the loss.
//
// Grad may be called once per graph, with every wrt node at once: gorgonia
// stores gradients on the nodes, and a second pass would silently reuse the
// first one's (d mean/dw coming back as d sum/dw). Build a new graph for
// another loss.
//
// gorgonia's Backpropagate panics on an op without a symbolic gradient; Grad
// turns that into an error naming the op.
func (g *Graph) Grad(loss *gorgonia.Node, wrt ...*gorgonia.Node) (grads gorgonia.Nodes, err error) {
	if loss == nil {
		return nil, errors.New("graph: grad: nil loss")
	}
	if loss.Graph() != g.expr {
		return nil, errors.Errorf("graph: grad: loss %q belongs to another graph", loss.Name())
	}
	if !loss.IsScalar() {
		return nil, errors.Errorf("graph: grad: loss %q has shape %v: want a scalar", loss.Name(), loss.Shape())
	}
	if len(wrt) == 0 {
		return nil, errors.New("graph: grad: nothing to differentiate with respect to")
	}
	for i, n := range wrt {
		if n == nil {
			return nil, errors.Errorf("graph: grad: wrt[%d] is nil", i)
		}
		if l, ok := g.leaves[n.Name()]; !ok || l.node != n {
			return nil, errors.Errorf("graph: grad: wrt[%d] %q is not an input or parameter of this graph", i, n.Name())
		}
	}
	if g.differentiated {
		return nil, errors.Errorf("graph: grad of %q: this graph was already differentiated; call Grad once with every wrt node, or build a new graph", loss.Name())
	}
	g.differentiated = true
	defer func() {
		if r := recover(); r != nil {
			grads, err = nil, errors.Errorf("graph: grad of %q: %v", loss.Name(), r)
		}
	}()
	grads, err = gorgonia.Grad(loss, wrt...)
	if err != nil {
		return nil, errors.Wrapf(err, "graph: grad of %q", loss.Name())
	}
	return grads, nil
}
