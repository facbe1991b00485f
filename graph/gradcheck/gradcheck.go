// Package gradcheck checks symbolic gradients against central differences in
// float64: on every element of small inputs (Check), or along random
// directions for big graphs, where each direction costs two forward passes
// (CheckDirection, after JAX's check_grads).
//
// The expression under test may have any output shape: the checker reduces it
// to the scalar L = Σ y ⊙ r with fixed random weights r, so every output
// element takes part and no two elements can cancel by symmetry.
package gradcheck

import (
	"fmt"
	"math"
	"math/rand"
	"strings"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/graph"
)

// Func builds the expression under test from one node per input, in order.
type Func func(in gorgonia.Nodes) (*gorgonia.Node, error)

// Tol sets the step and the pass criterion: an analytic gradient a and a
// numeric one n agree when |a − n| ≤ Atol + Rtol·max(|a|, |n|).
type Tol struct {
	Eps, Atol, Rtol float64
}

// Default suits smooth float64 expressions of moderate size.
var Default = Tol{Eps: 1e-6, Atol: 1e-6, Rtol: 1e-5}

// InputReport is the worst disagreement found on one input (or direction).
type InputReport struct {
	Name              string
	Checked           int     // elements (or directions) compared
	MaxAbs, MaxRel    float64 // worst absolute and relative error
	Worst             int     // flat index (or direction) of the worst absolute error
	Analytic, Numeric float64 // the two values at Worst
	Failed            int     // comparisons outside the tolerance
}

// Report holds one InputReport per float input, or per direction.
type Report struct {
	Inputs []InputReport
	Tol    Tol
}

// Err is nil when every comparison passed, else an error listing the failures.
func (r *Report) Err() error {
	var bad []string
	for _, in := range r.Inputs {
		if in.Failed > 0 {
			bad = append(bad, in.String())
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return errors.Errorf("gradcheck: %d of %d inputs disagree (tol %+v):\n  %s", len(bad), len(r.Inputs), r.Tol, strings.Join(bad, "\n  "))
}

func (in InputReport) String() string {
	return fmt.Sprintf("%s: %d/%d bad, max abs %.3g, max rel %.3g; worst at %d: analytic %.10g, numeric %.10g",
		in.Name, in.Failed, in.Checked, in.MaxAbs, in.MaxRel, in.Worst, in.Analytic, in.Numeric)
}

func (r *Report) String() string {
	lines := make([]string, len(r.Inputs))
	for i, in := range r.Inputs {
		lines[i] = in.String()
	}
	return strings.Join(lines, "\n")
}

func (in *InputReport) compare(i int, analytic, numeric float64, tol Tol) {
	in.Checked++
	abs := math.Abs(analytic - numeric)
	scale := math.Max(math.Abs(analytic), math.Abs(numeric))
	rel := 0.0
	if scale > 0 {
		rel = abs / scale
	}
	if abs > tol.Atol+tol.Rtol*scale || math.IsNaN(abs) {
		in.Failed++
	}
	if abs > in.MaxAbs || math.IsNaN(abs) || in.Checked == 1 {
		in.MaxAbs, in.Worst, in.Analytic, in.Numeric = abs, i, analytic, numeric
	}
	in.MaxRel = math.Max(in.MaxRel, rel)
}

// Problem is an expression already declared on a float64 graph, for
// checks that a Func over fed inputs cannot express: a model whose
// parameters are graph parameters (nn.Build), checked with respect to its
// input and every weight at once.
type Problem struct {
	Graph  *graph.Graph
	Output *gorgonia.Node
	// Wrt are inputs or parameters of Graph; Values[i] is the float64 tensor
	// behind Wrt[i]: the feed (for an input) or the bound tensor (for a
	// parameter). The checker perturbs Values in place and restores them.
	Wrt    gorgonia.Nodes
	Values []tensor.Tensor
	Feeds  graph.Feeds // every input the output needs
}

// harness is the compiled problem: L and its gradients, plus L alone.
type harness struct {
	names    []string
	values   [][]float64 // perturbed in place
	full     *graph.Program
	forward  *graph.Program
	feeds    graph.Feeds
	analytic []tensor.Tensor
}

// build declares f on a new float64 graph, one fed input per tensor.
func build(f Func, inputs []tensor.Tensor) (Problem, error) {
	g, err := graph.New(tensor.Float64)
	if err != nil {
		return Problem{}, err
	}
	p := Problem{Graph: g, Feeds: graph.Feeds{}}
	nodes := make(gorgonia.Nodes, len(inputs))
	for i, x := range inputs {
		name := fmt.Sprintf("x%d", i)
		if x.Dtype() == tensor.Float32 {
			return Problem{}, errors.Errorf("gradcheck: input %d is float32: checks run in float64", i)
		}
		if nodes[i], err = g.InputOf(name, x.Dtype(), x.Shape()...); err != nil {
			return Problem{}, err
		}
		c := x.Clone().(tensor.Tensor)
		p.Feeds[name] = c
		if x.Dtype() == tensor.Float64 {
			p.Wrt, p.Values = append(p.Wrt, nodes[i]), append(p.Values, c)
		}
	}
	if len(p.Wrt) == 0 {
		return Problem{}, errors.New("gradcheck: no float64 input to check")
	}
	if p.Output, err = f(nodes); err != nil {
		return Problem{}, errors.WithMessage(err, "gradcheck: building the expression")
	}
	return p, nil
}

// compile reduces the problem's output to L, differentiates it and runs it
// once for the analytic gradients.
func (p Problem) compile(seed int64) (*harness, error) {
	if p.Graph == nil || p.Output == nil || len(p.Wrt) == 0 || len(p.Wrt) != len(p.Values) {
		return nil, errors.Errorf("gradcheck: problem needs a graph, an output and one value per wrt node (%d wrt, %d values)", len(p.Wrt), len(p.Values))
	}
	h := &harness{feeds: graph.Feeds{}}
	for name, v := range p.Feeds {
		h.feeds[name] = v
	}
	for i, v := range p.Values {
		d, ok := v.Data().([]float64)
		if !ok {
			return nil, errors.Errorf("gradcheck: value of %q is %v: checks run in float64", p.Wrt[i].Name(), v.Dtype())
		}
		h.names, h.values = append(h.names, p.Wrt[i].Name()), append(h.values, d)
	}
	loss, err := weightedSum(p.Graph, p.Output, seed, h.feeds)
	if err != nil {
		return nil, err
	}
	grads, err := p.Graph.Grad(loss, p.Wrt...)
	if err != nil {
		return nil, err
	}
	if h.full, err = p.Graph.Compile(append(gorgonia.Nodes{loss}, grads...)...); err != nil {
		return nil, err
	}
	if h.forward, err = p.Graph.Compile(loss); err != nil {
		return nil, err
	}
	vals, err := h.full.Run(h.feeds)
	if err != nil {
		return nil, err
	}
	h.analytic = vals[1:]
	return h, nil
}

// weightedSum reduces y to L = Σ y ⊙ r with r drawn from seed.
func weightedSum(g *graph.Graph, y *gorgonia.Node, seed int64, feeds graph.Feeds) (*gorgonia.Node, error) {
	if y.IsScalar() {
		return y, nil
	}
	size := y.Shape().TotalSize()
	flat, err := gorgonia.Reshape(y, tensor.Shape{size})
	if err != nil {
		return nil, errors.Wrap(err, "gradcheck: flatten output")
	}
	r, err := g.Input("gradcheck.r", size)
	if err != nil {
		return nil, err
	}
	feeds["gradcheck.r"] = Random(tensor.Shape{size}, seed+1)
	loss, err := gorgonia.Mul(flat, r)
	return loss, errors.Wrap(err, "gradcheck: output · r")
}

func (h *harness) loss() (float64, error) {
	vals, err := h.forward.Run(h.feeds)
	if err != nil {
		return 0, err
	}
	return scalar(vals[0])
}

func scalar(t tensor.Tensor) (float64, error) {
	switch v := t.Data().(type) {
	case float64:
		return v, nil
	case []float64:
		if len(v) == 1 {
			return v[0], nil
		}
	}
	return 0, errors.Errorf("gradcheck: loss is %v of shape %v, want a float64 scalar", t.Dtype(), t.Shape())
}

// Check compares the symbolic gradient of f with central differences on every
// element of every float64 input (inputs of other dtypes, such as integer
// labels, are fed but not differentiated).
func Check(f Func, inputs []tensor.Tensor, tol Tol) (*Report, error) {
	p, err := build(f, inputs)
	if err != nil {
		return nil, err
	}
	return CheckProblem(p, tol)
}

// CheckProblem is Check for a problem declared by the caller.
func CheckProblem(p Problem, tol Tol) (*Report, error) {
	h, err := p.compile(7)
	if err != nil {
		return nil, err
	}
	rep := &Report{Tol: tol}
	for k, x := range h.values {
		in := InputReport{Name: h.names[k]}
		a := h.analytic[k].Data().([]float64)
		for j := range x {
			orig := x[j]
			x[j] = orig + tol.Eps
			plus, err := h.loss()
			if err != nil {
				return nil, err
			}
			x[j] = orig - tol.Eps
			minus, err := h.loss()
			x[j] = orig
			if err != nil {
				return nil, err
			}
			in.compare(j, a[j], (plus-minus)/(2*tol.Eps), tol)
		}
		rep.Inputs = append(rep.Inputs, in)
	}
	return rep, nil
}

// CheckDirection compares directional derivatives along n random unit
// directions (drawn from seed) over all float64 inputs at once: for graphs too
// big to perturb element by element.
func CheckDirection(f Func, inputs []tensor.Tensor, tol Tol, n int, seed int64) (*Report, error) {
	p, err := build(f, inputs)
	if err != nil {
		return nil, err
	}
	return CheckProblemDirection(p, tol, n, seed)
}

// CheckProblemDirection is CheckDirection for a problem declared by the caller.
func CheckProblemDirection(p Problem, tol Tol, n int, seed int64) (*Report, error) {
	h, err := p.compile(seed)
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewSource(seed))
	in := InputReport{Name: "direction"}
	for dir := 0; dir < n; dir++ {
		d := make([][]float64, len(h.values))
		var norm float64
		for k, x := range h.values {
			d[k] = make([]float64, len(x))
			for j := range d[k] {
				d[k][j] = rng.NormFloat64()
				norm += d[k][j] * d[k][j]
			}
		}
		norm = math.Sqrt(norm)
		var analytic float64
		for k := range d {
			a := h.analytic[k].Data().([]float64)
			for j := range d[k] {
				d[k][j] /= norm
				analytic += a[j] * d[k][j]
			}
		}
		plus, err := h.shifted(d, tol.Eps)
		if err != nil {
			return nil, err
		}
		minus, err := h.shifted(d, -tol.Eps)
		if err != nil {
			return nil, err
		}
		in.compare(dir, analytic, (plus-minus)/(2*tol.Eps), tol)
	}
	return &Report{Inputs: []InputReport{in}, Tol: tol}, nil
}

// shifted evaluates L at x + step·d and restores x.
func (h *harness) shifted(d [][]float64, step float64) (float64, error) {
	saved := make([][]float64, len(d))
	for k, x := range h.values {
		saved[k] = append([]float64(nil), x...)
		for j := range x {
			x[j] += step * d[k][j]
		}
	}
	l, err := h.loss()
	for k, x := range h.values {
		copy(x, saved[k])
	}
	return l, err
}
