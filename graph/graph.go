// Package graph is convgraph's define-then-run API over gorgonia's ExprGraph.
//
// A Graph holds one dtype (float32 for training, float64 for gradient checks).
// Declare named inputs (fed at every Run) and parameters (bound to tensors that
// live outside the graph, so one parameter tensor serves several graphs), build
// the expression with the ops package, differentiate it with Grad, Compile the
// nodes you want into a Program, and Run it with feeds by name.
//
//	g, _ := graph.New(tensor.Float32)
//	x, _ := g.Input("x", 64, 1, 28, 28)
//	w, _ := g.Param("conv1.weight", weight) // weight: a tensor owned by a layer
//	y, _ := ops.Conv2D(x, w, nil, ops.Conv{}.WithPad(2))
//	...
//	grads, _ := g.Grad(loss, w)
//	prog, _ := g.Compile(append(gorgonia.Nodes{loss}, grads...)...)
//	vals, _ := prog.Run(graph.Feeds{"x": batch})
package graph

import (
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Graph is a symbolic expression graph of one floating-point dtype.
// It is not safe for concurrent use while being built.
type Graph struct {
	expr   *gorgonia.ExprGraph
	dtype  tensor.Dtype
	leaves map[string]*leaf // every named input and parameter
	// differentiated is set by the first Grad: gorgonia caches each node's
	// gradient on the node, so a second Grad on the same graph would reuse
	// (wrong) gradients of the first loss.
	differentiated bool
}

// leaf is a named node without an op: a fed input, a generated input or a parameter.
type leaf struct {
	node *gorgonia.Node
	kind leafKind
	// buf is the tensor the node is bound to. For inputs it belongs to the graph
	// and feeds are copied into it, so a caller may reuse its feed buffers; for a
	// parameter it is the caller's tensor itself.
	buf  tensor.Tensor
	fill func(tensor.Tensor) error // generated inputs only
}

type leafKind int

const (
	fedInput leafKind = iota
	generatedInput
	parameter
)

func (k leafKind) String() string {
	return [...]string{"input", "generated input", "parameter"}[k]
}

// New returns an empty graph whose floating-point values are of dtype dt
// (tensor.Float32 or tensor.Float64).
func New(dt tensor.Dtype) (*Graph, error) {
	if dt != tensor.Float32 && dt != tensor.Float64 {
		return nil, errors.Errorf("graph: dtype %v: want float32 or float64", dt)
	}
	return &Graph{expr: gorgonia.NewGraph(), dtype: dt, leaves: map[string]*leaf{}}, nil
}

// Dtype is the floating-point dtype of the graph's values.
func (g *Graph) Dtype() tensor.Dtype { return g.dtype }

// Expr exposes the underlying gorgonia graph (for ops and for inspection).
func (g *Graph) Expr() *gorgonia.ExprGraph { return g.expr }

// Input declares a floating-point input of the graph's dtype, fed by name at every Run.
func (g *Graph) Input(name string, shape ...int) (*gorgonia.Node, error) {
	return g.InputOf(name, g.dtype, shape...)
}

// InputOf declares an input of any dtype, such as integer class labels (tensor.Int).
func (g *Graph) InputOf(name string, dt tensor.Dtype, shape ...int) (*gorgonia.Node, error) {
	return g.addLeaf(name, fedInput, dt, shape, nil, nil)
}

// Generated declares an input that every Run fills by calling fill on the
// input's buffer instead of reading a feed: dropout masks drawn from a seeded
// source are the use case. fill must write every element.
func (g *Graph) Generated(name string, shape []int, fill func(tensor.Tensor) error) (*gorgonia.Node, error) {
	if fill == nil {
		return nil, errors.Errorf("graph: generated input %q: nil fill function", name)
	}
	return g.addLeaf(name, generatedInput, g.dtype, shape, nil, fill)
}

// Param declares a parameter bound to t. The graph keeps t itself, not a copy:
// programs read its current contents at every Run, so a solver that updates t
// in place updates every graph that shares it.
func (g *Graph) Param(name string, t tensor.Tensor) (*gorgonia.Node, error) {
	if t == nil {
		return nil, errors.Errorf("graph: parameter %q: nil tensor", name)
	}
	if t.Dtype() != g.dtype {
		return nil, errors.Errorf("graph: parameter %q: dtype %v, graph is %v", name, t.Dtype(), g.dtype)
	}
	return g.addLeaf(name, parameter, t.Dtype(), t.Shape(), t, nil)
}

func (g *Graph) addLeaf(name string, kind leafKind, dt tensor.Dtype, shape []int, t tensor.Tensor, fill func(tensor.Tensor) error) (*gorgonia.Node, error) {
	if name == "" {
		return nil, errors.Errorf("graph: %v needs a name", kind)
	}
	if old, ok := g.leaves[name]; ok {
		return nil, errors.Errorf("graph: %v %q: the name is taken by a %v of shape %v", kind, name, old.kind, old.node.Shape())
	}
	if len(shape) == 0 {
		return nil, errors.Errorf("graph: %v %q: needs a shape (scalars are not supported as leaves)", kind, name)
	}
	for _, d := range shape {
		if d <= 0 {
			return nil, errors.Errorf("graph: %v %q: shape %v has a dimension < 1", kind, name, tensor.Shape(shape))
		}
	}
	if t == nil {
		t = tensor.New(tensor.WithShape(shape...), tensor.Of(dt))
	}
	n := gorgonia.NewTensor(g.expr, dt, len(shape), gorgonia.WithShape(shape...), gorgonia.WithName(name), gorgonia.WithValue(t))
	g.leaves[name] = &leaf{node: n, kind: kind, buf: t, fill: fill}
	return n, nil
}

// Node returns the input or parameter declared under name.
func (g *Graph) Node(name string) (*gorgonia.Node, bool) {
	l, ok := g.leaves[name]
	if !ok {
		return nil, false
	}
	return l.node, true
}

// Params returns the parameter nodes in no particular order.
func (g *Graph) Params() gorgonia.Nodes {
	var ns gorgonia.Nodes
	for _, l := range g.leaves {
		if l.kind == parameter {
			ns = append(ns, l.node)
		}
	}
	return ns
}

// ToDot renders the whole graph (forward and, after Grad, backward) in Graphviz DOT.
func (g *Graph) ToDot() string { return g.expr.ToDot() }
