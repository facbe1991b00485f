// Package ops is convgraph's op set: each op is a gorgonia op with its shape
// rule written once, a constructor that checks shapes when the graph is built,
// and a symbolic gradient built from companion ops, so backward is more graph.
//
// Layout is NCHW throughout. Every kernel is generic over float32 and float64.
//
// An op file writes a spec (identity, shape rule, kernel, gradient); the adapter
// in this file turns a spec into a gorgonia.Op, so the ten methods gorgonia asks
// for are written once, here, and not in every op.
package ops

import (
	"fmt"
	"hash"
	"hash/fnv"
	"math"
	"os"
	"time"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// spec is what an op file writes.
type spec interface {
	// String names the op and every parameter. Nodes are deduplicated by it
	// (gorgonia hashes ops), so two ops with different parameters must differ here.
	String() string
	// ranks are the ranks of every input (integer labels too) and of the
	// output (0: a scalar).
	ranks() (in []int, out int)
	// shape is the op's single shape rule; it errors on inputs it cannot take.
	shape(in []tensor.Shape) (tensor.Shape, error)
	// do fills out (already of the right shape and dtype; zeroed unless the
	// spec embeds writesAll) from in.
	do(out tensor.Tensor, in []tensor.Tensor) error
}

// differentiable is a spec with a symbolic gradient. Companion gradient ops
// usually are not: asking for their second derivative is an error, not a panic.
type differentiable interface {
	spec
	// diffWRT says which inputs get a gradient.
	diffWRT() []bool
	// grad returns one gradient node per input (nil where diffWRT is false).
	grad(in gorgonia.Nodes, out, dout *gorgonia.Node) (gorgonia.Nodes, error)
}

// overwriter is a spec whose do writes every element of out (no +=, no
// element skipped), so a reused output buffer need not be zeroed first: the
// clear was 4-6% of a ResNet-20 training step. Kernels that scatter or
// accumulate (pooling gradients, col2im) must not claim it. Setting
// CONVGRAPH_POISON_BUFFERS=1 fills such buffers with NaN instead, which
// turns a false claim into a failing test (CI runs the model tests so).
type overwriter interface {
	overwrites()
}

// writesAll marks a spec as an overwriter; embed it. (Its name must differ
// from the method's: an embedded field named overwrites would hide it.)
type writesAll struct{}

func (writesAll) overwrites() {}

// typed is a spec whose inputs are not all of the float type (integer labels).
type typed interface {
	typ() hm.Type
}

// op adapts a spec to gorgonia.Op and gorgonia.SDOp.
type op struct {
	s spec
	// out is this node's output tensor, kept from one run to the next: a
	// training step then writes into memory it already touched instead of
	// faulting in fresh pages (about 0.3 GB/s on this machine kind, against
	// 15-23 GB/s for memory already mapped). It is a buffer, not state:
	// every run overwrites it before anything reads it.
	out *outBuffer
	// kind is the op's name without parameters, the key of op timing.
	kind string
}

type outBuffer struct{ t *tensor.Dense }

// poisonBuffers: see overwriter.
var poisonBuffers = os.Getenv("CONVGRAPH_POISON_BUFFERS") == "1"

// get returns a tensor of the shape and dtype, reusing the last one: zeroed,
// or as the last run left it when the spec overwrites every element.
func (b *outBuffer) get(s tensor.Shape, dt tensor.Dtype, overwritten bool) *tensor.Dense {
	if b == nil {
		return tensor.New(tensor.WithShape(s...), tensor.Of(dt))
	}
	if b.t == nil || b.t.Dtype() != dt || !b.t.Shape().Eq(s) {
		b.t = tensor.New(tensor.WithShape(s...), tensor.Of(dt))
		if !overwritten || !poisonBuffers {
			return b.t
		}
	}
	switch {
	case !overwritten:
		b.t.Zero()
	case poisonBuffers:
		poison(b.t)
	}
	return b.t
}

func poison(t *tensor.Dense) {
	switch d := t.Data().(type) {
	case []float32:
		for i := range d {
			d[i] = float32(math.NaN())
		}
	case []float64:
		for i := range d {
			d[i] = math.NaN()
		}
	}
}

var (
	_ gorgonia.Op   = op{}
	_ gorgonia.SDOp = op{}
)

// apply builds the node s(children...). Every op computes in the float
// dtype of its float inputs, so it needs at least one: an op applied to
// integer inputs alone is a build-time error, not a crash at run time.
func apply(s spec, children ...*gorgonia.Node) (*gorgonia.Node, error) {
	hasFloat := false
	for _, c := range children {
		if c == nil {
			return nil, errors.Errorf("%v: nil input", s)
		}
		if dt, err := dtypeOf(c); err == nil && isFloat(dt) {
			hasFloat = true
		}
	}
	if !hasFloat {
		return nil, errors.Errorf("%v: no float32 or float64 input (inputs are %v)", s, gorgonia.Nodes(children))
	}
	n, err := gorgonia.ApplyOp(op{s: s, out: &outBuffer{}, kind: opKind(s)}, children...)
	if err != nil {
		return nil, errors.Wrapf(err, "%v", s)
	}
	return n, nil
}

// floatType is the type variable every float input and output shares.
var floatType = hm.TypeVariable('a')

func rankType(r int) hm.Type {
	if r == 0 {
		return floatType
	}
	return gorgonia.TensorType{Dims: r, Of: floatType}
}

func (o op) Arity() int {
	in, _ := o.s.ranks()
	return len(in)
}

func (o op) Type() hm.Type {
	if t, ok := o.s.(typed); ok {
		return t.typ()
	}
	in, out := o.s.ranks()
	ts := make([]hm.Type, 0, len(in)+1)
	for _, r := range in {
		ts = append(ts, rankType(r))
	}
	return hm.NewFnType(append(ts, rankType(out))...)
}

func (o op) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	shapes := make([]tensor.Shape, len(ds))
	for i, d := range ds {
		s, ok := d.(tensor.Shape)
		if !ok {
			return nil, errors.Errorf("%v: input %d: a %T, not a shape", o.s, i, d)
		}
		shapes[i] = s
	}
	return o.s.shape(shapes)
}

// dtypeOf is a node's dtype, or an error for a node without one (gorgonia's
// Node.Dtype panics on those).
func dtypeOf(n *gorgonia.Node) (dt tensor.Dtype, err error) {
	defer func() {
		if recover() != nil {
			err = errors.Errorf("node %q has no dtype", n.Name())
		}
	}()
	return n.Dtype(), nil
}

// Do checks the inputs, allocates the output and runs the kernel. The VM never
// checks that an op returns the shape InferShape promised, so Do allocates the
// output from the shape rule itself. gorgonia runs the tape on a goroutine of
// its own, where a panic cannot be recovered by the caller of Run: Do turns a
// kernel's panic (a bug) into an error naming the op instead of a crash.
func (o op) Do(vals ...gorgonia.Value) (v gorgonia.Value, err error) {
	if t := timing.Load(); t != nil {
		defer t.record(o.kind, time.Now())
	}
	defer func() {
		if r := recover(); r != nil {
			v, err = nil, errors.Errorf("%v: internal error: %v", o.s, r)
		}
	}()
	in := make([]tensor.Tensor, len(vals))
	shapes := make([]tensor.Shape, len(vals))
	var dt tensor.Dtype
	for i, v := range vals {
		t, err := asTensor(v)
		if err != nil {
			return nil, errors.WithMessagef(err, "%v: input %d", o.s, i)
		}
		if isFloat(t.Dtype()) {
			if dt == (tensor.Dtype{}) {
				dt = t.Dtype()
			} else if t.Dtype() != dt {
				return nil, errors.Errorf("%v: input %d is %v, input 0 is %v", o.s, i, t.Dtype(), dt)
			}
		}
		in[i], shapes[i] = t, t.Shape()
	}
	if dt == (tensor.Dtype{}) {
		return nil, errors.Errorf("%v: no float32 or float64 input", o.s)
	}
	s, err := o.s.shape(shapes)
	if err != nil {
		return nil, err
	}
	_, overwritten := o.s.(overwriter)
	out := o.out.get(s, dt, overwritten)
	if err := o.s.do(out, in); err != nil {
		return nil, errors.WithMessagef(err, "%v", o.s)
	}
	if _, r := o.s.ranks(); r == 0 {
		return scalarValue(out)
	}
	return out, nil
}

func (o op) ReturnsPtr() bool      { return false }
func (o op) CallsExtern() bool     { return false }
func (o op) OverwritesInput() int  { return -1 }
func (o op) String() string        { return o.s.String() }
func (o op) WriteHash(h hash.Hash) { fmt.Fprint(h, o.s.String()) }

func (o op) Hashcode() uint32 {
	h := fnv.New32a()
	o.WriteHash(h)
	return h.Sum32()
}

func (o op) DiffWRT(inputs int) []bool {
	if d, ok := o.s.(differentiable); ok {
		return d.diffWRT()
	}
	return make([]bool, inputs)
}

func (o op) SymDiff(in gorgonia.Nodes, out, dout *gorgonia.Node) (gorgonia.Nodes, error) {
	d, ok := o.s.(differentiable)
	if !ok {
		return nil, errors.Errorf("%v: gradient not implemented (a second derivative?)", o.s)
	}
	return d.grad(in, out, dout)
}

func isFloat(dt tensor.Dtype) bool { return dt == tensor.Float32 || dt == tensor.Float64 }

// asTensor views a gorgonia value as a tensor: gorgonia passes scalars (the
// gradient seed of a loss, say) as *F32/*F64.
func asTensor(v gorgonia.Value) (tensor.Tensor, error) {
	switch v := v.(type) {
	case tensor.Tensor:
		return v, nil
	case *gorgonia.F64:
		return tensor.New(tensor.FromScalar(float64(*v))), nil
	case *gorgonia.F32:
		return tensor.New(tensor.FromScalar(float32(*v))), nil
	}
	return nil, errors.Errorf("a %T, want a float tensor", v)
}

// scalarValue turns a 0-d result into gorgonia's scalar value, as its own
// reductions return.
func scalarValue(t tensor.Tensor) (gorgonia.Value, error) {
	switch x := t.Data().(type) {
	case float64:
		return gorgonia.NewF64(x), nil
	case float32:
		return gorgonia.NewF32(x), nil
	case []float64:
		return gorgonia.NewF64(x[0]), nil
	case []float32:
		return gorgonia.NewF32(x[0]), nil
	}
	return nil, errors.Errorf("scalar output of %T", t.Data())
}
