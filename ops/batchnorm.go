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
func BatchNormTrain(x, gamma, beta *gorgonia.Node, eps float64) (*gorgonia.Node, error) {
	return newBatchNorm(batchStats, eps, x, gamma, beta)
}

// BatchNormEval is batch normalization with given statistics, the running
// mean and variance (C) of a trained layer: for x (N, C, ...), channel axis 1,
//
//	y = γ·(x − mean)/√(variance + eps) + β.
//
// It is differentiable with respect to every input, the statistics included.
func BatchNormEval(x, gamma, beta, mean, variance *gorgonia.Node, eps float64) (*gorgonia.Node, error) {
	return newBatchNorm(givenStats, eps, x, gamma, beta, mean, variance)
}

// BatchMean is the mean of each channel of x (N, C, ...) over N and the axes
// after C: the μ_B (C) that BatchNormTrain normalizes x with.
func BatchMean(x *gorgonia.Node) (*gorgonia.Node, error) { return newBatchMoment(false, x) }

// BatchVar is the biased variance of each channel of x (N, C, ...),
// Σ (x − μ_B)²/m over the channel's m = N·H·W... elements: the σ²_B (C) that
// BatchNormTrain normalizes x with. PyTorch updates running_var with the
// unbiased variance σ²_B·m/(m − 1); the nn layer applies that correction.
func BatchVar(x *gorgonia.Node) (*gorgonia.Node, error) { return newBatchMoment(true, x) }

// bnStats is where a batch norm takes its statistics from. It is chosen when
// the graph is built (a train graph or an eval graph) and is part of the op's
// identity, as a kernel size is: nothing switches it at run time.
type bnStats int

const (
	batchStats bnStats = iota // this batch's mean and biased variance (training)
	givenStats                // the inputs mean and variance (inference)
)

func (s bnStats) String() string { return [...]string{"batchnorm_train", "batchnorm_eval"}[s] }

// The inputs of a batch norm, in order; batchStats ops take the first three.
const (
	bnX = iota
	bnGamma
	bnBeta
	bnMean
	bnVar
)

var bnInputNames = [...]string{"input", "gamma", "beta", "mean", "variance"}

// arity is the number of inputs of a batch norm with these statistics.
func (s bnStats) arity() int {
	if s == batchStats {
		return bnBeta + 1
	}
	return bnVar + 1
}

func newBatchNorm(s bnStats, eps float64, in ...*gorgonia.Node) (*gorgonia.Node, error) {
	shapes := make([]tensor.Shape, len(in))
	for i, n := range in {
		if n == nil {
			return nil, errors.Errorf("%v: nil %s", s, bnInputNames[i])
		}
		shapes[i] = n.Shape()
	}
	if !(eps > 0) { // also rejects NaN
		return nil, errors.Errorf("%v: eps = %g: want eps > 0", s, eps)
	}
	b := batchNormOp{stats: s, eps: eps, rank: in[bnX].Dims()}
	if _, err := b.shape(shapes); err != nil {
		return nil, err
	}
	return apply(b, in...)
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

// batchNormOp is y = γ·(x − mean)/√(variance + eps) + β, per channel.
type batchNormOp struct {
	stats bnStats
	eps   float64
	rank  int
}

func (b batchNormOp) String() string { return fmt.Sprintf("%v(eps=%g)", b.stats, b.eps) }

func (b batchNormOp) ranks() ([]int, int) {
	in := make([]int, b.stats.arity())
	for i := range in {
		in[i] = 1
	}
	in[bnX] = b.rank
	return in, b.rank
}

func (b batchNormOp) shape(in []tensor.Shape) (tensor.Shape, error) {
	if err := bnShape(b.String(), in, bnInputNames[:len(in)]...); err != nil {
		return nil, err
	}
	return in[bnX].Clone(), nil
}

func (b batchNormOp) diffWRT() []bool {
	d := make([]bool, b.stats.arity())
	for i := range d {
		d[i] = true
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
	mean, variance := bnStatistics[T](b.stats, in, n, c, inner)
	kernels.BatchNorm(y, floats[T](in[bnX]), floats[T](in[bnGamma]), floats[T](in[bnBeta]), mean, variance, b.eps, n, c, inner)
}

// bnStatistics are the mean and variance a batch norm normalizes with: this
// batch's (recomputed wherever needed: ops hold no state), or the given ones.
func bnStatistics[T float](s bnStats, in []tensor.Tensor, n, c, inner int) (mean, variance []float64) {
	if s == batchStats {
		return kernels.Moments(floats[T](in[bnX]), n, c, inner)
	}
	return bnWiden(floats[T](in[bnMean])), bnWiden(floats[T](in[bnVar]))
}

// grad: dβ = Σ dy is a channel sum; every other input gets a companion op
// that sees the forward inputs and dy.
func (b batchNormOp) grad(in gorgonia.Nodes, _, dy *gorgonia.Node) (gorgonia.Nodes, error) {
	args := append(append(gorgonia.Nodes{}, in...), dy)
	grads := make(gorgonia.Nodes, len(in))
	for i := range in {
		var err error
		if i == bnBeta {
			grads[i], err = ChannelSum(dy)
		} else {
			grads[i], err = apply(batchNormGradOp{fwd: b, wrt: i}, args...)
		}
		if err != nil {
			return nil, err
		}
	}
	return grads, nil
}

// batchNormGradOp is the gradient of fwd with respect to its input wrt (bnX,
// bnGamma, bnMean or bnVar), from fwd's inputs and dy. With batch statistics
// the gradient for x flows through them; see kernels.BatchNormInputGrad.
type batchNormGradOp struct {
	fwd batchNormOp
	wrt int
}

func (g batchNormGradOp) String() string {
	return fmt.Sprintf("%v_grad_%s(eps=%g)", g.fwd.stats, bnInputNames[g.wrt], g.fwd.eps)
}

func (g batchNormGradOp) ranks() ([]int, int) {
	in, out := g.fwd.ranks()
	if g.wrt != bnX {
		out = 1
	}
	return append(in, g.fwd.rank), out
}

func (g batchNormGradOp) shape(in []tensor.Shape) (tensor.Shape, error) {
	fwd, dy := in[:len(in)-1], in[len(in)-1]
	if err := bnShape(g.String(), fwd, bnInputNames[:len(fwd)]...); err != nil {
		return nil, err
	}
	if !dy.Eq(fwd[bnX]) {
		return nil, errors.Errorf("%v: input %v, output gradient %v: want equal shapes", g, fwd[bnX], dy)
	}
	if g.wrt == bnX {
		return dy.Clone(), nil
	}
	return tensor.Shape{dy[1]}, nil
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
	x, gamma, dy := floats[T](in[bnX]), floats[T](in[bnGamma]), floats[T](in[len(in)-1])
	mean, variance := bnStatistics[T](g.fwd.stats, in, n, c, inner)
	if g.wrt == bnX {
		kernels.BatchNormInputGrad(out, x, dy, gamma, mean, variance, g.fwd.eps, g.fwd.stats == batchStats, n, c, inner)
		return
	}
	dGamma, dMean, dVar := kernels.BatchNormChannelGrads(x, dy, gamma, mean, variance, g.fwd.eps, n, c, inner)
	bnNarrow(out, [...][]float64{bnGamma: dGamma, bnMean: dMean, bnVar: dVar}[g.wrt])
}

func newBatchMoment(variance bool, x *gorgonia.Node) (*gorgonia.Node, error) {
	m := batchMomentOp{variance: variance}
	if x == nil {
		return nil, errors.Errorf("%v: nil input", m)
	}
	m.rank = x.Dims()
	if _, err := m.shape([]tensor.Shape{x.Shape()}); err != nil {
		return nil, err
	}
	return apply(m, x)
}

// batchMomentOp is the mean (C) of each channel of x (N, C, ...) or, with
// variance, its biased variance.
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

func (m batchMomentOp) ranks() ([]int, int) { return []int{m.rank}, 1 }
func (m batchMomentOp) diffWRT() []bool     { return []bool{true} }

func (m batchMomentOp) shape(in []tensor.Shape) (tensor.Shape, error) {
	if err := bnShape(m.String(), in); err != nil {
		return nil, err
	}
	return tensor.Shape{in[0][1]}, nil
}

func (m batchMomentOp) do(out tensor.Tensor, in []tensor.Tensor) error {
	if is32(out) {
		batchMoment(floats[float32](out), floats[float32](in[0]), in[0].Shape(), m.variance)
	} else {
		batchMoment(floats[float64](out), floats[float64](in[0]), in[0].Shape(), m.variance)
	}
	return nil
}

func batchMoment[T float](out, x []T, s tensor.Shape, variance bool) {
	n, c, inner := channelLayout(s)
	mean, vr := kernels.Moments(x, n, c, inner)
	if variance {
		bnNarrow(out, vr)
	} else {
		bnNarrow(out, mean)
	}
}

func (m batchMomentOp) grad(in gorgonia.Nodes, _, dy *gorgonia.Node) (gorgonia.Nodes, error) {
	dx, err := apply(batchMomentGradOp{fwd: m}, in[0], dy)
	return gorgonia.Nodes{dx}, err
}

// batchMomentGradOp is the gradient of fwd for x (N, C, ...) from x and dy
// (C); see kernels.MomentGrad.
type batchMomentGradOp struct{ fwd batchMomentOp }

func (g batchMomentGradOp) String() string      { return g.fwd.String() + "_grad" }
func (g batchMomentGradOp) ranks() ([]int, int) { return []int{g.fwd.rank, 1}, g.fwd.rank }

func (g batchMomentGradOp) shape(in []tensor.Shape) (tensor.Shape, error) {
	if err := bnShape(g.String(), in, "input", "output gradient"); err != nil {
		return nil, err
	}
	return in[0].Clone(), nil
}

func (g batchMomentGradOp) do(out tensor.Tensor, in []tensor.Tensor) error {
	if is32(out) {
		batchMomentGrad(floats[float32](out), floats[float32](in[0]), floats[float32](in[1]), in[0].Shape(), g.fwd.variance)
	} else {
		batchMomentGrad(floats[float64](out), floats[float64](in[0]), floats[float64](in[1]), in[0].Shape(), g.fwd.variance)
	}
	return nil
}

func batchMomentGrad[T float](dx, x, dy []T, s tensor.Shape, variance bool) {
	n, c, inner := channelLayout(s)
	var mean []float64
	if variance {
		mean, _ = kernels.Moments(x, n, c, inner)
	}
	kernels.MomentGrad(dx, x, dy, mean, variance, n, c, inner)
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
