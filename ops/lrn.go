package ops

import (
	"fmt"
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/ops/internal/kernels"
)

// LRN is local response normalization across channels (AlexNet's "response
// normalization", Krizhevsky et al. 2012, §3.3) in PyTorch's convention
// (torch.nn.LocalResponseNorm): for x (N, C, ...), channel axis 1, and n = p.Size,
//
//	y_c = x_c / (k + (α/n)·Σ_{c'=c−⌊n/2⌋}^{c+⌊(n−1)/2⌋} x_{c'}²)^β,
//
// the sum running over the channels that exist. It divides by n even where
// the window is clipped, as PyTorch does (it zero-pads ⌊n/2⌋ channels in front
// and ⌊(n−1)/2⌋ behind, then averages). Mind the 1/n when copying constants:
// the paper's formula has none, so its k = 2, n = 5, α = 1e-4, β = 0.75 are
// LRNParams{Size: 5, Alpha: 5e-4, Beta: 0.75, K: 2} here, whereas Caffe's
// bvlc_alexnet divides by n as PyTorch does (alpha 1e-4, with k = 1).
//
// LRN is composed, not fused: x² → window sum over channels → c·(k + a·s)^p →
// times x. Each piece has a one-line gradient (the window sum's adjoint is the
// mirrored window sum, the power's derivative is another such power) and the
// graph does the chain rule, so nothing here derives LRN's gradient by hand.
// The price is three x-sized intermediates; fuse if a benchmark asks for it.
func LRN(x *gorgonia.Node, p LRNParams) (*gorgonia.Node, error) {
	if x == nil {
		return nil, errors.Errorf("%v: nil input", p)
	}
	if err := p.check(); err != nil {
		return nil, err
	}
	if x.Dims() < 2 {
		return nil, errors.Errorf("%v: input %v: want rank ≥ 2, (N, C, ...)", p, x.Shape())
	}
	sq, err := Mul(x, x)
	if err != nil {
		return nil, errors.WithMessagef(err, "%v", p)
	}
	sum, err := apply(lrnWindowSumOp{front: p.Size / 2, back: (p.Size - 1) / 2, rank: x.Dims()}, sq)
	if err != nil {
		return nil, errors.WithMessagef(err, "%v", p)
	}
	inv, err := apply(lrnPowOp{c: 1, a: p.Alpha / float64(p.Size), k: p.K, p: -p.Beta, rank: x.Dims()}, sum)
	if err != nil {
		return nil, errors.WithMessagef(err, "%v", p)
	}
	return Mul(x, inv)
}

// LRNParams are LRN's hyperparameters, named as in
// torch.nn.LocalResponseNorm(size, alpha, beta, k).
type LRNParams struct {
	Size           int     // channels in the window, ≥ 1
	Alpha, Beta, K float64 // α ≥ 0, β finite, k > 0
}

func (p LRNParams) String() string {
	return fmt.Sprintf("lrn(size=%d, alpha=%g, beta=%g, k=%g)", p.Size, p.Alpha, p.Beta, p.K)
}

// check rejects parameters that break the formula. α ≥ 0 and k > 0 keep the
// base k + (α/n)·Σx² positive, so a fractional power of it is defined even
// where a window is all zeros.
func (p LRNParams) check() error {
	switch {
	case p.Size < 1:
		return errors.Errorf("%v: size %d: want ≥ 1", p, p.Size)
	case !(p.Alpha >= 0) || math.IsInf(p.Alpha, 0):
		return errors.Errorf("%v: alpha %g: want finite and ≥ 0", p, p.Alpha)
	case math.IsNaN(p.Beta) || math.IsInf(p.Beta, 0):
		return errors.Errorf("%v: beta %g: want finite", p, p.Beta)
	case !(p.K > 0) || math.IsInf(p.K, 0):
		return errors.Errorf("%v: k %g: want finite and > 0", p, p.K)
	}
	return nil
}

// lrnWindowSumOp is y[n, c, ...] = Σ x[n, c', ...] for c' from c − front to
// c + back, clipped to the channels that exist.
type lrnWindowSumOp struct{ front, back, rank int }

func (w lrnWindowSumOp) String() string {
	return fmt.Sprintf("channel_window_sum(front=%d, back=%d)", w.front, w.back)
}

func (w lrnWindowSumOp) ranks() ([]int, int) { return []int{w.rank}, w.rank }
func (w lrnWindowSumOp) diffWRT() []bool     { return []bool{true} }

func (w lrnWindowSumOp) shape(in []tensor.Shape) (tensor.Shape, error) {
	if len(in[0]) < 2 {
		return nil, errors.Errorf("%v: input %v: want rank ≥ 2, (N, C, ...)", w, in[0])
	}
	return in[0].Clone(), nil
}

func (w lrnWindowSumOp) do(out tensor.Tensor, in []tensor.Tensor) error {
	n, c, inner := channelLayout(in[0].Shape())
	if is32(out) {
		kernels.ChannelWindowSum(floats[float32](out), floats[float32](in[0]), w.front, w.back, n, c, inner)
	} else {
		kernels.ChannelWindowSum(floats[float64](out), floats[float64](in[0]), w.front, w.back, n, c, inner)
	}
	return nil
}

// grad: the adjoint of a window sum is the mirrored window sum (x[c'] feeds
// y[c] for c − front ≤ c' ≤ c + back, that is c' − back ≤ c ≤ c' + front).
func (w lrnWindowSumOp) grad(_ gorgonia.Nodes, _, dy *gorgonia.Node) (gorgonia.Nodes, error) {
	dx, err := apply(lrnWindowSumOp{front: w.back, back: w.front, rank: w.rank}, dy)
	return gorgonia.Nodes{dx}, err
}

// lrnPowOp is y = c·(k + a·x)^p, elementwise: LRN's denominator to the −β
// with c = 1, and its own derivatives with other c and p.
type lrnPowOp struct {
	c, a, k, p float64
	rank       int
}

func (o lrnPowOp) String() string {
	return fmt.Sprintf("lrn_pow(c=%g, a=%g, k=%g, p=%g)", o.c, o.a, o.k, o.p)
}

func (o lrnPowOp) ranks() ([]int, int)                           { return []int{o.rank}, o.rank }
func (o lrnPowOp) shape(in []tensor.Shape) (tensor.Shape, error) { return in[0].Clone(), nil }
func (o lrnPowOp) diffWRT() []bool                               { return []bool{true} }

func (o lrnPowOp) do(out tensor.Tensor, in []tensor.Tensor) error {
	if is32(out) {
		kernels.AffinePow(floats[float32](out), floats[float32](in[0]), o.c, o.a, o.k, o.p)
	} else {
		kernels.AffinePow(floats[float64](out), floats[float64](in[0]), o.c, o.a, o.k, o.p)
	}
	return nil
}

// grad: d/dx c·(k + a·x)^p = (c·p·a)·(k + a·x)^(p−1).
func (o lrnPowOp) grad(in gorgonia.Nodes, _, dy *gorgonia.Node) (gorgonia.Nodes, error) {
	d := o
	d.c, d.p = o.c*o.p*o.a, o.p-1
	slope, err := apply(d, in[0])
	if err != nil {
		return nil, err
	}
	dx, err := Mul(dy, slope)
	return gorgonia.Nodes{dx}, err
}
