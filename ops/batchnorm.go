package ops

import (
	"fmt"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/ops/internal/kernels"
)

// BatchNormTrain is batch normalization (Ioffe and Szegedy 2015) with the
// statistics of this batch: for x (N, C, ...), channel axis 1 ((N, C, H, W)
// for BatchNorm2d, (N, C) for BatchNorm1d), and gamma, beta (C),
//
//	y = γ·(x − μ_B)/√(σ²_B + eps) + β,
//
// μ_B and σ²_B being the mean and the biased variance of each channel over N
// and the axes after C (BatchMean and BatchVar of x). The gradient with respect
// to x flows through μ_B and σ²_B. eps > 0 (PyTorch's default is 1e-5).
//
// The op keeps no running statistics: the training loop also computes
// BatchMean(x) and BatchVar(x) and folds them into the layer's running stats.
// All three read one batch-moments node of x, so a training step computes
// the statistics of x once (gorgonia merges equal nodes).
func BatchNormTrain(x, gamma, beta *gorgonia.Node, eps float64) (*gorgonia.Node, error) {
	return newBatchNorm(batchNormOp{stats: batchStats, eps: eps}, x, gamma, beta)
}

// BatchNormReLUTrain is ReLU(BatchNormTrain(x, gamma, beta, eps)) as one op,
// with the same values and gradients. Conv → batch norm → ReLU is ResNet's
// unit; fused, the forward writes one tensor instead of two, and the
// backward masks dy inside the batch norm's own passes instead of in a pass
// of its own (nn.Chain fuses a BatchNorm layer followed by nn.ReLU).
func BatchNormReLUTrain(x, gamma, beta *gorgonia.Node, eps float64) (*gorgonia.Node, error) {
	return newBatchNorm(batchNormOp{stats: batchStats, relu: true, eps: eps}, x, gamma, beta)
}

// BatchNormAddReLUTrain is ReLU(BatchNormTrain(x, gamma, beta, eps) +
// residual) as one op, residual of x's shape: the end of a residual block
// (batch norm, the shortcut added, ReLU), with the three ops' values and
// gradients. The forward reads x and the shortcut and writes the block's
// output, where the three ops wrote three tensors; the backward computes
// the ReLU's gradient once (it is the shortcut's gradient too) and runs the
// batch norm's backward on it (nn.Chain fuses BatchNorm, nn.AddTo, ReLU).
func BatchNormAddReLUTrain(x, gamma, beta, residual *gorgonia.Node, eps float64) (*gorgonia.Node, error) {
	return newBatchNorm(batchNormOp{stats: batchStats, relu: true, residual: true, eps: eps}, x, gamma, beta, residual)
}

// BatchNormEval is batch normalization with given statistics, the running
// mean and variance (C) of a trained layer: for x (N, C, ...), channel axis 1,
//
//	y = γ·(x − mean)/√(variance + eps) + β.
//
// It is differentiable with respect to every input, the statistics included.
func BatchNormEval(x, gamma, beta, mean, variance *gorgonia.Node, eps float64) (*gorgonia.Node, error) {
	return newBatchNorm(batchNormOp{stats: givenStats, eps: eps}, x, gamma, beta, mean, variance)
}

// BatchNormReLUEval is ReLU(BatchNormEval(x, gamma, beta, mean, variance,
// eps)) as one op (see BatchNormReLUTrain).
func BatchNormReLUEval(x, gamma, beta, mean, variance *gorgonia.Node, eps float64) (*gorgonia.Node, error) {
	return newBatchNorm(batchNormOp{stats: givenStats, relu: true, eps: eps}, x, gamma, beta, mean, variance)
}

// BatchNormAddReLUEval is ReLU(BatchNormEval(x, gamma, beta, mean,
// variance, eps) + residual) as one op (see BatchNormAddReLUTrain).
func BatchNormAddReLUEval(x, gamma, beta, mean, variance, residual *gorgonia.Node, eps float64) (*gorgonia.Node, error) {
	return newBatchNorm(batchNormOp{stats: givenStats, relu: true, residual: true, eps: eps}, x, gamma, beta, mean, variance, residual)
}

// BatchMean is the mean of each channel of x (N, C, ...) over N and the axes
// after C: the μ_B (C) that BatchNormTrain normalizes x with.
func BatchMean(x *gorgonia.Node) (*gorgonia.Node, error) { return newBatchMoment(false, x) }

// BatchVar is the biased variance of each channel of x (N, C, ...),
// Σ (x − μ_B)²/m over the channel's m = N·H·W... elements: the σ²_B (C) that
// BatchNormTrain normalizes x with. PyTorch updates running_var with the
// unbiased variance σ²_B·m/(m − 1); the nn layer applies that correction.
func BatchVar(x *gorgonia.Node) (*gorgonia.Node, error) { return newBatchMoment(true, x) }

// Graph layout. Every batch statistic of x comes from one internal node,
// batch_moments(x) (3, C): the mean as a pair of T values hi + lo (a float32
// hi alone would round the mean to float32, and x − mean with it, which a
// channel with a large offset and a small spread cannot afford), then the
// biased variance. BatchNormTrain, BatchMean and BatchVar take it as an extra
// input that is not differentiated: their gradients with respect to x already
// account for the statistics' dependence on x (BatchNormInputGrad's train
// form, MomentGrad), so no gradient may flow through it a second time.
//
// The backward of a batch norm computes Σ dy and Σ dy·x̂ per channel once, in
// a sums node (4, C) (two hi + lo pairs), which the gradients of x, γ and β
// (and of given statistics) read. Fused with a ReLU, dy reaches the batch
// norm only where the output y > 0; the companions recompute that from x,
// γ, β and the statistics (as the forward computed y) rather than read y,
// a third of their memory traffic.
const (
	momMeanHi = iota
	momMeanLo
	momVar
	momRows
)

const (
	sumDyHi = iota
	sumDyLo
	sumDyXhatHi
	sumDyXhatLo
	sumRows
)

// bnStats is where a batch norm takes its statistics from. It is chosen when
// the graph is built (a train graph or an eval graph) and is part of the op's
// identity, as a kernel size is: nothing switches it at run time.
type bnStats int

const (
	batchStats bnStats = iota // this batch's mean and biased variance (training)
	givenStats                // the inputs mean and variance (inference)
)

func (s bnStats) String() string { return [...]string{"batchnorm_train", "batchnorm_eval"}[s] }

// The inputs of a batch norm, in order. batchStats ops take the first three
// and then batch_moments(x) in bnMoments; givenStats ops take all five.
const (
	bnX = iota
	bnGamma
	bnBeta
	bnMean
	bnVar

	bnMoments = bnMean
)

var bnInputNames = [...]string{"input", "gamma", "beta", "mean", "variance"}

// arity is the number of inputs of a batch norm with these statistics.
func (s bnStats) arity() int {
	if s == batchStats {
		return bnMoments + 1
	}
	return bnVar + 1
}

// newBatchNorm checks the caller's inputs (x, γ, β, for givenStats the mean
// and variance, and b's residual if it has one) and builds b, adding
// batch_moments(x) for batchStats (before the residual).
func newBatchNorm(b batchNormOp, in ...*gorgonia.Node) (*gorgonia.Node, error) {
	s := b.stats
	for i, n := range in {
		if n == nil {
			name := "residual"
			if !b.residual || i < len(in)-1 {
				name = bnInputNames[i]
			}
			return nil, errors.Errorf("%v: nil %s", b.name(), name)
		}
	}
	if !(b.eps > 0) { // also rejects NaN
		return nil, errors.Errorf("%v: eps = %g: want eps > 0", b.name(), b.eps)
	}
	b.rank = in[bnX].Dims()
	base := in
	if b.residual {
		base = in[:len(in)-1]
		if r, x := in[len(in)-1].Shape(), in[bnX].Shape(); !r.Eq(x) {
			return nil, errors.Errorf("%v: input %v, residual %v: want equal shapes", b, x, r)
		}
	}
	shapes := make([]tensor.Shape, len(base))
	for i, n := range base {
		shapes[i] = n.Shape()
	}
	if err := bnShape(b.String(), shapes, bnInputNames[:len(shapes)]...); err != nil {
		return nil, err
	}
	args := append(make(gorgonia.Nodes, 0, b.arity()), base...)
	if s == batchStats {
		m, err := batchMoments(in[bnX])
		if err != nil {
			return nil, err
		}
		args = append(args, m)
	}
	if b.residual {
		args = append(args, in[len(in)-1])
	}
	return apply(b, args...)
}

// bnShape is the shape rule every batch-norm op shares: in[0] is (N, C, ...)
// and every other input is (C); names[i] names in[i] in errors.
func bnShape(op string, in []tensor.Shape, names ...string) error {
	x := in[0]
	if len(x) < 2 {
		return errors.Errorf("%s: input %v: want rank ≥ 2, (N, C, ...)", op, x)
	}
	for i := 1; i < len(in); i++ {
		if len(in[i]) != 1 || in[i][0] != x[1] {
			return errors.Errorf("%s: input %v, %s %v: want %s (%d), one value per channel of axis 1",
				op, x, names[i], in[i], names[i], x[1])
		}
	}
	return nil
}

// bnRowsShape checks that s, an internal per-channel table of x, is (rows, C).
func bnRowsShape(op, name string, x, s tensor.Shape, rows int) error {
	if len(s) != 2 || s[0] != rows || s[1] != x[1] {
		return errors.Errorf("%s: input %v, %s %v: want (%d, %d)", op, x, name, s, rows, x[1])
	}
	return nil
}

// bnSplit writes float64 per-channel values v as hi + lo pairs of T: hi is v
// rounded to T and lo the rounded remainder, so hi + lo carries about twice
// T's precision (and lo is 0 for float64).
func bnSplit[T float](hi, lo []T, v []float64) {
	for j, x := range v {
		h := T(x)
		hi[j], lo[j] = h, T(x-float64(h))
	}
}

// bnJoin is the inverse of bnSplit, in float64.
func bnJoin[T float](hi, lo []T) []float64 {
	v := make([]float64, len(hi))
	for j := range v {
		v[j] = float64(hi[j]) + float64(lo[j])
	}
	return v
}

// bnRow is row r of a (rows, c) table.
func bnRow[T float](t []T, r, c int) []T { return t[r*c : (r+1)*c] }

// batchNormOp is y = γ·(x − mean)/√(variance + eps) + β, per channel, or
// max(that, 0) with relu, or max(that + residual, 0) with residual too (the
// residual is then its last input, after the statistics).
type batchNormOp struct {
	writesAll
	stats          bnStats
	relu, residual bool
	eps            float64
	rank           int
}

// arity is the number of inputs: the statistics' and the residual.
func (b batchNormOp) arity() int {
	if b.residual {
		return b.stats.arity() + 1
	}
	return b.stats.arity()
}

func (b batchNormOp) String() string { return fmt.Sprintf("%v(eps=%g)", b.name(), b.eps) }

// name is the op's name without its parameters.
func (b batchNormOp) name() string {
	switch {
	case b.residual:
		return b.stats.String() + "_add_relu"
	case b.relu:
		return b.stats.String() + "_relu"
	}
	return b.stats.String()
}

// gradInputs is the number of inputs of a companion op before the sums: the
// forward's and dy. Fused with a ReLU, the companions gate dy where the
// ReLU's input, γ·x̂ + β, is positive: the kernels recompute it from x (see
// kernels' gate), so the forward output is not an input. (Companions never
// belong to a residual batch norm: residualGrad builds them from the plain
// one.)
func (b batchNormOp) gradInputs() int { return b.stats.arity() + 1 }

func (b batchNormOp) ranks() ([]int, int) {
	in := make([]int, b.arity())
	for i := range in {
		in[i] = 1
	}
	in[bnX] = b.rank
	if b.stats == batchStats {
		in[bnMoments] = 2
	}
	if b.residual {
		in[len(in)-1] = b.rank
	}
	return in, b.rank
}

func (b batchNormOp) shape(in []tensor.Shape) (tensor.Shape, error) {
	if len(in) != b.arity() {
		return nil, errors.Errorf("%v: %d inputs, want %d", b, len(in), b.arity())
	}
	if b.residual {
		if r := in[len(in)-1]; !r.Eq(in[bnX]) {
			return nil, errors.Errorf("%v: input %v, residual %v: want equal shapes", b, in[bnX], r)
		}
		in = in[:len(in)-1]
	}
	if b.stats == batchStats {
		if err := bnShape(b.String(), in[:bnMoments], bnInputNames[:bnMoments]...); err != nil {
			return nil, err
		}
		if err := bnRowsShape(b.String(), "batch moments", in[bnX], in[bnMoments], momRows); err != nil {
			return nil, err
		}
	} else if err := bnShape(b.String(), in, bnInputNames[:len(in)]...); err != nil {
		return nil, err
	}
	return in[bnX].Clone(), nil
}

// diffWRT: every input but batch_moments(x), whose dependence on x the
// gradient of x already holds.
func (b batchNormOp) diffWRT() []bool {
	d := make([]bool, b.arity())
	for i := range d {
		d[i] = true
	}
	if b.stats == batchStats {
		d[bnMoments] = false
	}
	return d
}

func (b batchNormOp) do(out tensor.Tensor, in []tensor.Tensor) error {
	if is32(out) {
		batchNorm(floats[float32](out), in, b)
	} else {
		batchNorm(floats[float64](out), in, b)
	}
	return nil
}

func batchNorm[T float](y []T, in []tensor.Tensor, b batchNormOp) {
	n, c, inner := channelLayout(in[bnX].Shape())
	mean, variance := bnStatistics[T](b.stats, in, c)
	var r []T
	if b.residual {
		r = floats[T](in[len(in)-1])
	}
	kernels.BatchNorm(y, floats[T](in[bnX]), r, floats[T](in[bnGamma]), floats[T](in[bnBeta]), mean, variance, b.eps, b.relu, n, c, inner)
}

// bnStatistics are the mean and variance a batch norm normalizes with, in
// float64: this batch's, from its batch-moments input, or the given ones.
func bnStatistics[T float](s bnStats, in []tensor.Tensor, c int) (mean, variance []float64) {
	if s == batchStats {
		m := floats[T](in[bnMoments])
		return bnJoin(bnRow(m, momMeanHi, c), bnRow(m, momMeanLo, c)), bnWiden(bnRow(m, momVar, c))
	}
	return bnWiden(floats[T](in[bnMean])), bnWiden(floats[T](in[bnVar]))
}

// grad: one sums node (Σ dy and Σ dy·x̂) feeds a companion op per
// differentiated input, which also sees the forward inputs and dy.
func (b batchNormOp) grad(in gorgonia.Nodes, y, dy *gorgonia.Node) (gorgonia.Nodes, error) {
	if b.residual {
		return b.residualGrad(in, y, dy)
	}
	args := append(append(make(gorgonia.Nodes, 0, len(in)+2), in...), dy)
	sums, err := apply(batchNormSumsOp{fwd: b}, args...)
	if err != nil {
		return nil, err
	}
	withSums := append(args[:len(args):len(args)], sums)
	grads := make(gorgonia.Nodes, len(in))
	for i, d := range b.diffWRT() {
		if !d {
			continue
		}
		g := batchNormGradOp{fwd: b, wrt: i}
		a := args
		if g.takesSums() {
			a = withSums
		}
		if grads[i], err = apply(g, a...); err != nil {
			return nil, err
		}
	}
	return grads, nil
}

// residualGrad: the ReLU's gradient g = relu'(y)·dy is the residual's, and
// the plain batch norm's backward runs on it, so g is computed once and
// the batch norm's companions are those of BatchNormTrain/Eval.
func (b batchNormOp) residualGrad(in gorgonia.Nodes, y, dy *gorgonia.Node) (gorgonia.Nodes, error) {
	g, err := apply(pointwiseGradOp{name: "relu", rank: b.rank}, y, y, dy) // y > 0 exactly where the ReLU's input is
	if err != nil {
		return nil, err
	}
	plain := batchNormOp{stats: b.stats, eps: b.eps, rank: b.rank}
	grads, err := plain.grad(in[:len(in)-1], nil, g)
	if err != nil {
		return nil, err
	}
	return append(grads, g), nil
}

// bnGradShape checks the forward inputs and dy of a batch norm's companion
// op.
func bnGradShape(op string, fwd batchNormOp, in []tensor.Shape) error {
	if len(in) < fwd.gradInputs() {
		return errors.Errorf("%s: %d inputs, want the %d of %v and dy", op, len(in), fwd.stats.arity(), fwd)
	}
	f, dy := in[:fwd.stats.arity()], in[fwd.stats.arity()]
	if _, err := fwd.shape(f); err != nil {
		return errors.WithMessage(err, op)
	}
	if !dy.Eq(f[bnX]) {
		return errors.Errorf("%s: input %v, output gradient %v: want equal shapes", op, f[bnX], dy)
	}
	return nil
}

// batchNormSumsOp is Σ dy and Σ dy·x̂ per channel, for the batch norm fwd,
// from fwd's inputs and dy: (4, C), rows sumDyHi ... sumDyXhatLo. Not
// differentiable.
type batchNormSumsOp struct{ fwd batchNormOp }

func (s batchNormSumsOp) String() string {
	return fmt.Sprintf("%v_grad_sums(eps=%g)", s.fwd.name(), s.fwd.eps)
}

func (s batchNormSumsOp) ranks() ([]int, int) {
	in, _ := s.fwd.ranks()
	in = append(in, s.fwd.rank) // dy
	return in, 2
}

func (s batchNormSumsOp) shape(in []tensor.Shape) (tensor.Shape, error) {
	if err := bnGradShape(s.String(), s.fwd, in); err != nil {
		return nil, err
	}
	return tensor.Shape{sumRows, in[bnX][1]}, nil
}

func (s batchNormSumsOp) do(out tensor.Tensor, in []tensor.Tensor) error {
	if is32(out) {
		batchNormSums(floats[float32](out), in, s.fwd)
	} else {
		batchNormSums(floats[float64](out), in, s.fwd)
	}
	return nil
}

func batchNormSums[T float](out []T, in []tensor.Tensor, fwd batchNormOp) {
	n, c, inner := channelLayout(in[bnX].Shape())
	mean, variance := bnStatistics[T](fwd.stats, in, c)
	sumDy, sumDyXhat := kernels.NormSums(floats[T](in[bnX]), floats[T](in[fwd.stats.arity()]), fwd.relu,
		floats[T](in[bnGamma]), floats[T](in[bnBeta]), mean, variance, fwd.eps, n, c, inner)
	bnSplit(bnRow(out, sumDyHi, c), bnRow(out, sumDyLo, c), sumDy)
	bnSplit(bnRow(out, sumDyXhatHi, c), bnRow(out, sumDyXhatLo, c), sumDyXhat)
}

// batchNormGradOp is the gradient of fwd with respect to its input wrt (bnX,
// bnGamma, bnBeta, or for given statistics bnMean or bnVar), from fwd's
// inputs, dy and (takesSums) the sums node. With batch statistics the
// gradient for x flows through them; see kernels.BatchNormInputGrad.
type batchNormGradOp struct {
	writesAll
	fwd batchNormOp
	wrt int
}

// takesSums: every gradient but that of x under given statistics,
// (γ/σ)·dy, needs Σ dy or Σ dy·x̂.
func (g batchNormGradOp) takesSums() bool { return g.wrt != bnX || g.fwd.stats == batchStats }

func (g batchNormGradOp) String() string {
	return fmt.Sprintf("%v_grad_%s(eps=%g)", g.fwd.name(), bnInputNames[g.wrt], g.fwd.eps)
}

func (g batchNormGradOp) ranks() ([]int, int) {
	in, out := g.fwd.ranks()
	if g.wrt != bnX {
		out = 1
	}
	in = append(in, g.fwd.rank) // dy
	if g.takesSums() {
		in = append(in, 2)
	}
	return in, out
}

func (g batchNormGradOp) shape(in []tensor.Shape) (tensor.Shape, error) {
	if err := bnGradShape(g.String(), g.fwd, in); err != nil {
		return nil, err
	}
	x := in[bnX]
	if g.takesSums() {
		if len(in) != g.fwd.gradInputs()+1 {
			return nil, errors.Errorf("%v: %d inputs, want %d", g, len(in), g.fwd.gradInputs()+1)
		}
		if err := bnRowsShape(g.String(), "gradient sums", x, in[len(in)-1], sumRows); err != nil {
			return nil, err
		}
	}
	if g.wrt == bnX {
		return x.Clone(), nil
	}
	return tensor.Shape{x[1]}, nil
}

func (g batchNormGradOp) do(out tensor.Tensor, in []tensor.Tensor) error {
	if is32(out) {
		batchNormGrad(floats[float32](out), in, g)
	} else {
		batchNormGrad(floats[float64](out), in, g)
	}
	return nil
}

func batchNormGrad[T float](out []T, in []tensor.Tensor, g batchNormGradOp) {
	n, c, inner := channelLayout(in[bnX].Shape())
	gamma := floats[T](in[bnGamma])
	mean, variance := bnStatistics[T](g.fwd.stats, in, c)
	var sumDy, sumDyXhat []float64
	if g.takesSums() {
		s := floats[T](in[g.fwd.gradInputs()])
		sumDy = bnJoin(bnRow(s, sumDyHi, c), bnRow(s, sumDyLo, c))
		sumDyXhat = bnJoin(bnRow(s, sumDyXhatHi, c), bnRow(s, sumDyXhatLo, c))
	}
	switch g.wrt {
	case bnX:
		x, dy := floats[T](in[bnX]), floats[T](in[g.fwd.stats.arity()])
		kernels.BatchNormInputGrad(out, x, dy, g.fwd.relu, gamma, floats[T](in[bnBeta]), mean, variance, g.fwd.eps, sumDy, sumDyXhat, n, c, inner)
	case bnGamma:
		bnNarrow(out, sumDyXhat)
	case bnBeta:
		bnNarrow(out, sumDy)
	default:
		dMean, dVar := kernels.BatchNormChannelGrads(gamma, variance, g.fwd.eps, sumDy, sumDyXhat)
		bnNarrow(out, [...][]float64{bnMean: dMean, bnVar: dVar}[g.wrt])
	}
}

// batchMoments is the internal batch_moments(x) node.
func batchMoments(x *gorgonia.Node) (*gorgonia.Node, error) {
	m := batchMomentsOp{rank: x.Dims()}
	if _, err := m.shape([]tensor.Shape{x.Shape()}); err != nil {
		return nil, err
	}
	return apply(m, x)
}

// batchMomentsOp is the mean and biased variance of each channel of x
// (N, C, ...): (3, C), rows momMeanHi, momMeanLo, momVar. Not differentiable:
// its consumers differentiate through it themselves.
type batchMomentsOp struct{ rank int }

func (m batchMomentsOp) String() string      { return "batch_moments" }
func (m batchMomentsOp) ranks() ([]int, int) { return []int{m.rank}, 2 }

func (m batchMomentsOp) shape(in []tensor.Shape) (tensor.Shape, error) {
	if err := bnShape(m.String(), in); err != nil {
		return nil, err
	}
	return tensor.Shape{momRows, in[0][1]}, nil
}

func (m batchMomentsOp) do(out tensor.Tensor, in []tensor.Tensor) error {
	if is32(out) {
		batchMomentsKernel(floats[float32](out), floats[float32](in[0]), in[0].Shape())
	} else {
		batchMomentsKernel(floats[float64](out), floats[float64](in[0]), in[0].Shape())
	}
	return nil
}

func batchMomentsKernel[T float](out, x []T, s tensor.Shape) {
	n, c, inner := channelLayout(s)
	mean, variance := kernels.Moments(x, n, c, inner)
	bnSplit(bnRow(out, momMeanHi, c), bnRow(out, momMeanLo, c), mean)
	bnNarrow(bnRow(out, momVar, c), variance)
}

func newBatchMoment(variance bool, x *gorgonia.Node) (*gorgonia.Node, error) {
	m := batchMomentOp{variance: variance}
	if x == nil {
		return nil, errors.Errorf("%v: nil input", m)
	}
	m.rank = x.Dims()
	if err := bnShape(m.String(), []tensor.Shape{x.Shape()}); err != nil {
		return nil, err
	}
	moments, err := batchMoments(x)
	if err != nil {
		return nil, err
	}
	return apply(m, x, moments)
}

// batchMomentOp is the mean (C) of each channel of x (N, C, ...) or, with
// variance, its biased variance, read from batch_moments(x), its second input.
type batchMomentOp struct {
	variance bool
	rank     int
}

func (m batchMomentOp) String() string {
	if m.variance {
		return "batch_var"
	}
	return "batch_mean"
}

func (m batchMomentOp) ranks() ([]int, int) { return []int{m.rank, 2}, 1 }
func (m batchMomentOp) diffWRT() []bool     { return []bool{true, false} }

func (m batchMomentOp) shape(in []tensor.Shape) (tensor.Shape, error) {
	if err := bnShape(m.String(), in[:1]); err != nil {
		return nil, err
	}
	if err := bnRowsShape(m.String(), "batch moments", in[0], in[1], momRows); err != nil {
		return nil, err
	}
	return tensor.Shape{in[0][1]}, nil
}

func (m batchMomentOp) do(out tensor.Tensor, in []tensor.Tensor) error {
	if is32(out) {
		batchMoment(floats[float32](out), floats[float32](in[1]), m.variance)
	} else {
		batchMoment(floats[float64](out), floats[float64](in[1]), m.variance)
	}
	return nil
}

func batchMoment[T float](out, moments []T, variance bool) {
	c := len(out)
	if variance {
		copy(out, bnRow(moments, momVar, c))
		return
	}
	bnNarrow(out, bnJoin(bnRow(moments, momMeanHi, c), bnRow(moments, momMeanLo, c)))
}

func (m batchMomentOp) grad(in gorgonia.Nodes, _, dy *gorgonia.Node) (gorgonia.Nodes, error) {
	dx, err := apply(batchMomentGradOp{fwd: m}, in[0], in[1], dy)
	return gorgonia.Nodes{dx, nil}, err
}

// batchMomentGradOp is the gradient of fwd for x (N, C, ...) from x,
// batch_moments(x) and dy (C); see kernels.MomentGrad.
type batchMomentGradOp struct{ fwd batchMomentOp }

func (g batchMomentGradOp) String() string      { return g.fwd.String() + "_grad" }
func (g batchMomentGradOp) ranks() ([]int, int) { return []int{g.fwd.rank, 2, 1}, g.fwd.rank }

func (g batchMomentGradOp) shape(in []tensor.Shape) (tensor.Shape, error) {
	if err := bnShape(g.String(), []tensor.Shape{in[0], in[2]}, "input", "output gradient"); err != nil {
		return nil, err
	}
	if err := bnRowsShape(g.String(), "batch moments", in[0], in[1], momRows); err != nil {
		return nil, err
	}
	return in[0].Clone(), nil
}

func (g batchMomentGradOp) do(out tensor.Tensor, in []tensor.Tensor) error {
	if is32(out) {
		batchMomentGrad(floats[float32](out), in, g.fwd.variance)
	} else {
		batchMomentGrad(floats[float64](out), in, g.fwd.variance)
	}
	return nil
}

func batchMomentGrad[T float](dx []T, in []tensor.Tensor, variance bool) {
	n, c, inner := channelLayout(in[0].Shape())
	var mean []float64
	if variance {
		m := floats[T](in[1])
		mean = bnJoin(bnRow(m, momMeanHi, c), bnRow(m, momMeanLo, c))
	}
	kernels.MomentGrad(dx, floats[T](in[0]), floats[T](in[2]), mean, variance, n, c, inner)
}

// bnWiden copies per-channel values to float64, the precision the kernels
// take statistics in.
func bnWiden[T float](s []T) []float64 {
	w := make([]float64, len(s))
	for i, v := range s {
		w[i] = float64(v)
	}
	return w
}

// bnNarrow copies float64 per-channel results into an output of type T.
func bnNarrow[T float](dst []T, src []float64) {
	for i, v := range src {
		dst[i] = T(v)
	}
}
