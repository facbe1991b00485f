package graph

import (
	"sort"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Feeds maps input names to the values fed for one Run.
type Feeds map[string]tensor.Tensor

// Program is a compiled tape that computes a fixed list of outputs. It is not
// safe for concurrent use: one Run at a time, and one at a time across the
// programs compiled from one graph too, since they share the ops' output
// buffers. Graphs built separately (a train and an eval graph of one model)
// may run concurrently only if they share no parameter a solver is updating.
type Program struct {
	g       *Graph
	vm      gorgonia.VM
	outputs gorgonia.Nodes
	reads   []gorgonia.Value // filled by the tape's read instructions
	fed     []*leaf          // inputs this program needs from Feeds
	gen     []*leaf          // inputs this program fills itself
}

// Compile builds a tape program over the part of the graph that the outputs
// depend on (so an eval program compiled from a graph that also holds
// gradients computes no gradients).
func (g *Graph) Compile(outputs ...*gorgonia.Node) (prog *Program, err error) {
	if len(outputs) == 0 {
		return nil, errors.New("graph: compile: no outputs")
	}
	p := &Program{g: g, outputs: outputs, reads: make([]gorgonia.Value, len(outputs))}
	// A read instruction snapshots each output when the tape reaches it: a later
	// instruction may reuse the register (gorgonia issues #499, #511).
	readers := make(gorgonia.Nodes, len(outputs))
	for i, n := range outputs {
		if n == nil {
			return nil, errors.Errorf("graph: compile: output %d is nil", i)
		}
		if n.Graph() != g.expr {
			return nil, errors.Errorf("graph: compile: output %d %q belongs to another graph", i, n.Name())
		}
		readers[i] = gorgonia.Read(n, &p.reads[i])
	}
	sub := g.expr.ExactSubgraphRoots(readers...)
	var inputs gorgonia.Nodes
	for _, name := range g.sortedLeafNames() {
		l := g.leaves[name]
		if !sub.AllNodes().Contains(l.node) {
			continue
		}
		inputs = append(inputs, l.node)
		switch l.kind {
		case fedInput:
			p.fed = append(p.fed, l)
		case generatedInput:
			p.gen = append(p.gen, l)
		}
	}
	defer func() {
		if r := recover(); r != nil {
			prog, err = nil, errors.Errorf("graph: compile: %v", r)
		}
	}()
	tape, locMap, err := gorgonia.CompileFunction(g.expr, inputs, readers)
	if err != nil {
		return nil, errors.Wrap(err, "graph: compile")
	}
	opts := []gorgonia.VMOpt{gorgonia.WithPrecompiled(tape, locMap)}
	if engine != nil {
		opts = append(opts, gorgonia.WithEngine(engine))
	}
	p.vm = gorgonia.NewTapeMachine(g.expr, opts...)
	return p, nil
}

func (g *Graph) sortedLeafNames() []string {
	names := make([]string, 0, len(g.leaves))
	for name := range g.leaves {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// Inputs lists the names of the inputs a Run must feed, sorted.
func (p *Program) Inputs() []string {
	names := make([]string, len(p.fed))
	for i, l := range p.fed {
		names[i] = l.node.Name()
	}
	return names
}

// Run feeds the inputs, executes the tape and returns the outputs in Compile
// order. The returned tensors are copies: later runs do not overwrite them.
func (p *Program) Run(feeds Feeds) ([]tensor.Tensor, error) {
	return p.RunInto(feeds, nil)
}

// RunInto is Run that copies the outputs into dst's tensors where they fit
// (same shape and dtype) and allocates the rest: a training loop that passes
// the previous step's outputs back allocates nothing for them (AlexNet's
// gradients are 250 MB a step).
func (p *Program) RunInto(feeds Feeds, dst []tensor.Tensor) ([]tensor.Tensor, error) {
	if err := p.bind(feeds); err != nil {
		return nil, err
	}
	if err := p.exec(); err != nil {
		return nil, err
	}
	out := make([]tensor.Tensor, len(p.reads))
	for i, v := range p.reads {
		var into tensor.Tensor
		if i < len(dst) {
			into = dst[i]
		}
		t, err := valueTensor(v, into)
		if err != nil {
			return nil, errors.WithMessagef(err, "graph: run: output %q", p.outputs[i].Name())
		}
		out[i] = t
	}
	return out, nil
}

// bind checks every feed against its input and copies it into the input's buffer.
func (p *Program) bind(feeds Feeds) error {
	for name := range feeds {
		l, ok := p.g.leaves[name]
		switch {
		case !ok:
			return errors.Errorf("graph: run: feed %q: no such input (inputs: %v)", name, p.Inputs())
		case l.kind != fedInput:
			return errors.Errorf("graph: run: feed %q: it is a %v, not a fed input", name, l.kind)
		}
	}
	for _, l := range p.fed {
		name := l.node.Name()
		v, ok := feeds[name]
		if !ok || v == nil {
			return errors.Errorf("graph: run: missing feed %q (shape %v, %v)", name, l.node.Shape(), l.node.Dtype())
		}
		if v.Dtype() != l.buf.Dtype() {
			return errors.Errorf("graph: run: feed %q: dtype %v, want %v", name, v.Dtype(), l.buf.Dtype())
		}
		if !v.Shape().Eq(l.buf.Shape()) {
			return errors.Errorf("graph: run: feed %q: shape %v, want %v", name, v.Shape(), l.buf.Shape())
		}
		if err := CopyInto(l.buf, v); err != nil {
			return errors.WithMessagef(err, "graph: run: feed %q", name)
		}
	}
	for _, l := range p.gen {
		if err := l.fill(l.buf); err != nil {
			return errors.WithMessagef(err, "graph: run: generating %q", l.node.Name())
		}
	}
	return nil
}

// exec runs the tape once. gorgonia executes the tape on a goroutine of its
// own, where nothing here could recover a panic: convgraph's ops turn their
// own panics into errors (ops.op.Do), and this recover catches those that
// gorgonia raises on the calling goroutine (setting the machine up).
func (p *Program) exec() (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errors.Errorf("graph: run: %v", r)
		}
	}()
	p.vm.Reset()
	if err := p.vm.RunAll(); err != nil {
		return errors.Wrap(err, "graph: run")
	}
	return nil
}

// CopyInto copies src's elements into dst (same shape and dtype), whatever
// src's memory layout (a sliced or transposed view is materialized first):
// how feeds reach an input's buffer, and checkpoints a parameter.
func CopyInto(dst, src tensor.Tensor) error {
	if src.RequiresIterator() {
		src = tensor.Materialize(src)
	}
	return errors.Wrap(tensor.Copy(dst, src), "copy")
}

// valueTensor copies a value the tape read into a tensor the caller owns:
// into, when it has the value's shape and dtype, else a new one. gorgonia
// holds scalars (a loss) as *F32/*F64; they become 0-d tensors.
func valueTensor(v gorgonia.Value, into tensor.Tensor) (tensor.Tensor, error) {
	switch v := v.(type) {
	case tensor.Tensor:
		if into != nil && into.Dtype() == v.Dtype() && into.Shape().Eq(v.Shape()) && !into.IsScalar() {
			return into, errors.Wrap(tensor.Copy(into, v), "copy")
		}
		return v.Clone().(tensor.Tensor), nil
	case *gorgonia.F64:
		return tensor.New(tensor.FromScalar(float64(*v))), nil
	case *gorgonia.F32:
		return tensor.New(tensor.FromScalar(float32(*v))), nil
	}
	return nil, errors.Errorf("a %T, not a tensor or float scalar", v)
}
