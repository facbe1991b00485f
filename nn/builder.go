package nn

import (
	"hash/fnv"
	"math/rand"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/graph"
)

// Mode is decided when a model is built into a graph: ops hold no train flag.
type Mode int

const (
	// Train builds batch-statistics batch norm and live dropout.
	Train Mode = iota
	// Eval builds running-statistics batch norm and no dropout at all.
	Eval
)

func (m Mode) String() string { return [...]string{"train", "eval"}[m] }

// Builder carries what layers need while a model is built into one graph.
type Builder struct {
	G    *graph.Graph
	Mode Mode
	Seed int64 // dropout masks draw from Seed, the layer's path and the step

	nodes  map[*Param]*gorgonia.Node
	params []*Param // in the order layers declared them
	stats  []StatUpdate
	trace  []Record
	step   int // see SetStep
}

// StatUpdate is a batch norm's request, in a train graph, to fold the batch
// statistics into its running statistics after each step: the training loop
// reads Mean and Var and calls Apply (never an op: ops hold no state).
type StatUpdate struct {
	Layer     string
	Mean, Var *gorgonia.Node
	Apply     func(mean, variance tensor.Tensor) error
}

// Record is one layer's place in a built model, for summaries.
type Record struct {
	Layer   Layer
	In, Out tensor.Shape
}

// NewBuilder starts building on g in the given mode.
func NewBuilder(g *graph.Graph, mode Mode, seed int64) *Builder {
	return &Builder{G: g, Mode: mode, Seed: seed, nodes: map[*Param]*gorgonia.Node{}}
}

// Param declares p on the graph the first time a layer asks, and returns the
// same node after that (a layer applied twice shares its weights).
func (b *Builder) Param(p *Param) (*gorgonia.Node, error) {
	if n, ok := b.nodes[p]; ok {
		return n, nil
	}
	n, err := b.G.Param(p.Name, p.Value)
	if err != nil {
		return nil, err
	}
	b.nodes[p] = n
	b.params = append(b.params, p)
	return n, nil
}

// Params returns the parameters declared so far and their nodes, in order.
func (b *Builder) Params() ([]*Param, gorgonia.Nodes) {
	ns := make(gorgonia.Nodes, len(b.params))
	for i, p := range b.params {
		ns[i] = b.nodes[p]
	}
	return b.params, ns
}

// TrainableParams returns the declared trainable parameters and their nodes.
func (b *Builder) TrainableParams() ([]*Param, gorgonia.Nodes) {
	var ps []*Param
	var ns gorgonia.Nodes
	for _, p := range b.params {
		if p.Trainable {
			ps, ns = append(ps, p), append(ns, b.nodes[p])
		}
	}
	return ps, ns
}

// AddStats registers a batch-statistics update (train mode only).
func (b *Builder) AddStats(u StatUpdate) error {
	if b.Mode != Train {
		return errors.Errorf("%s: batch statistics requested in %v mode", u.Layer, b.Mode)
	}
	b.stats = append(b.stats, u)
	return nil
}

// Stats returns the batch-statistics updates registered by the model's batch norms.
func (b *Builder) Stats() []StatUpdate { return b.stats }

// StepRand returns a source for the layer at path and the function that
// reseeds it before each use: its draws are a pure function of the
// builder's seed, the path and the step (see SetStep), so two dropout layers
// never share masks, and a run resumed at step s draws the masks an
// uninterrupted run drew at step s.
func (b *Builder) StepRand(path string) (rng *rand.Rand, reseed func()) {
	h := fnv.New64a()
	h.Write([]byte(path))
	key := b.Seed ^ int64(h.Sum64())
	rng = rand.New(rand.NewSource(key))
	return rng, func() { rng.Seed(key ^ int64(uint64(b.step)*0x9e3779b97f4a7c15)) }
}

// SetStep sets the step that StepRand sources draw for; Classifier.Run
// advances it after every run, and a resumed training loop sets it.
func (b *Builder) SetStep(step int) { b.step = step }

func (b *Builder) record(l Layer, in, out *gorgonia.Node) {
	b.trace = append(b.trace, Record{Layer: l, In: in.Shape().Clone(), Out: out.Shape().Clone()})
}

// Trace lists every layer run through Chain, innermost containers included, in order.
func (b *Builder) Trace() []Record { return b.trace }
