package nn

import (
	"fmt"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/ops"
)

// BatchNorm is torch.nn.BatchNorm2d on (N, C, H, W) input and BatchNorm1d on
// (N, C): y = (x − mean)/√(var + Eps)·Weight + Bias per channel. A Train graph
// normalizes with the batch's statistics and asks the training loop (through
// Builder.AddStats) to fold them into RunningMean and RunningVar after each
// step; an Eval graph normalizes with the running statistics, declared as
// parameters the solver does not train.
type BatchNorm struct {
	Path                    string
	Channels                int
	Weight, Bias            *Param // γ (ones) and β (zeros), trained, no weight decay
	RunningMean, RunningVar *Param // buffers (zeros and ones)
	// NumBatchesTracked counts the folded batches: an int64 scalar, as in torch.
	NumBatchesTracked *Param
	Eps, Momentum     float64
}

var _ Layer = (*BatchNorm)(nil)

// PyTorch's defaults.
const (
	defaultEps      = 1e-5
	defaultMomentum = 0.1
)

// BatchNorm makes a batch norm over channels with PyTorch's defaults: eps
// 1e-5, momentum 0.1, weight 1, bias 0, running mean 0, running variance 1.
func (f *Factory) BatchNorm(name string, channels int) *BatchNorm {
	vector := func(leaf string, trainable bool, init Init) *Param {
		return f.param(Join(name, leaf), trainable, init, channels, channels, channels)
	}
	bn := &BatchNorm{
		Path:        name,
		Channels:    channels,
		Weight:      vector("weight", true, Ones),
		Bias:        vector("bias", true, Zeros),
		RunningMean: vector("running_mean", false, Zeros),
		RunningVar:  vector("running_var", false, Ones),
		NumBatchesTracked: &Param{
			Name:  Join(name, "num_batches_tracked"),
			Value: tensor.New(tensor.FromScalar(int64(0))),
		},
		Eps:      defaultEps,
		Momentum: defaultMomentum,
	}
	bn.Weight.NoDecay, bn.Bias.NoDecay = true, true
	return bn
}

func (bn *BatchNorm) Name() string { return bn.Path }

func (bn *BatchNorm) Params() []*Param {
	return []*Param{bn.Weight, bn.Bias, bn.RunningMean, bn.RunningVar, bn.NumBatchesTracked}
}

// String reads like PyTorch's repr, defaults left out: BatchNorm(64).
func (bn *BatchNorm) String() string {
	args := []string{fmt.Sprint(bn.Channels), "", ""}
	if bn.Eps != defaultEps {
		args[1] = fmt.Sprintf("eps=%g", bn.Eps)
	}
	if bn.Momentum != defaultMomentum {
		args[2] = fmt.Sprintf("momentum=%g", bn.Momentum)
	}
	return call("BatchNorm", args...)
}

// Forward normalizes x (N, C, ...) per channel, with the batch's statistics in
// a Train graph and the running ones in an Eval graph.
func (bn *BatchNorm) Forward(b *Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	y, err := bn.forward(b, x, nil)
	return y, errors.WithMessage(err, bn.Path)
}

// forwardFused is ReLU(bn.Forward(b, x)) as one op, or with a residual
// ReLU(bn.Forward(b, x) + residual): Chain's fusions (see
// ops.BatchNormReLUTrain and ops.BatchNormAddReLUTrain).
func (bn *BatchNorm) forwardFused(b *Builder, x, residual *gorgonia.Node) (*gorgonia.Node, error) {
	y, err := bn.forward(b, x, &fusedReLU{residual})
	return y, errors.WithMessage(err, bn.Path)
}

// fusedReLU asks forward for a ReLU after the batch norm, after adding
// residual if not nil (Chain's identity is never nil: shortcut.identity
// refuses a nil one).
type fusedReLU struct{ residual *gorgonia.Node }

func (bn *BatchNorm) forward(b *Builder, x *gorgonia.Node, relu *fusedReLU) (*gorgonia.Node, error) {
	s := x.Shape()
	if len(s) != 2 && len(s) != 4 || s[1] != bn.Channels {
		return nil, errors.Errorf("batchnorm: input %v: want (N, %d) or (N, %d, H, W)", s, bn.Channels, bn.Channels)
	}
	gamma, beta, err := declare(b, bn.Weight, bn.Bias)
	if err != nil {
		return nil, err
	}
	if b.Mode != Train {
		mean, err := b.Param(bn.RunningMean)
		if err != nil {
			return nil, err
		}
		variance, err := b.Param(bn.RunningVar)
		if err != nil {
			return nil, err
		}
		switch {
		case relu == nil:
			return ops.BatchNormEval(x, gamma, beta, mean, variance, bn.Eps)
		case relu.residual != nil:
			return ops.BatchNormAddReLUEval(x, gamma, beta, mean, variance, relu.residual, bn.Eps)
		}
		return ops.BatchNormReLUEval(x, gamma, beta, mean, variance, bn.Eps)
	}
	// n values per channel; PyTorch refuses n = 1 in training, where the
	// unbiased variance n/(n−1)·var is undefined.
	n := s.TotalSize() / s[1]
	if n < 2 {
		return nil, errors.Errorf("batchnorm: input %v: training needs more than 1 value per channel", s)
	}
	var y *gorgonia.Node
	switch {
	case relu == nil:
		y, err = ops.BatchNormTrain(x, gamma, beta, bn.Eps)
	case relu.residual != nil:
		y, err = ops.BatchNormAddReLUTrain(x, gamma, beta, relu.residual, bn.Eps)
	default:
		y, err = ops.BatchNormReLUTrain(x, gamma, beta, bn.Eps)
	}
	if err != nil {
		return nil, err
	}
	mean, err := ops.BatchMean(x)
	if err != nil {
		return nil, err
	}
	variance, err := ops.BatchVar(x)
	if err != nil {
		return nil, err
	}
	err = b.AddStats(StatUpdate{Layer: bn.Path, Mean: mean, Var: variance, Apply: func(mean, variance tensor.Tensor) error {
		return bn.Fold(mean, variance, n)
	}})
	return y, err
}

// Fold is PyTorch's running-statistics update after one training batch of n
// values per channel, with momentum m:
//
//	running_mean = (1 − m)·running_mean + m·mean
//	running_var  = (1 − m)·running_var  + m·variance·n/(n − 1)
//
// variance is the biased batch variance the batch was normalized with; the
// running estimate takes the unbiased one, as torch does. It also counts the
// batch in NumBatchesTracked.
func (bn *BatchNorm) Fold(mean, variance tensor.Tensor, n int) error {
	if n < 2 {
		return errors.Errorf("%s: fold: %d values per channel: want at least 2", bn.Path, n)
	}
	m := bn.Momentum
	if err := momentum(bn.RunningMean, mean, m, 1); err != nil {
		return errors.WithMessage(err, bn.Path)
	}
	if err := momentum(bn.RunningVar, variance, m, float64(n)/float64(n-1)); err != nil {
		return errors.WithMessage(err, bn.Path)
	}
	return errors.WithMessage(increment(bn.NumBatchesTracked.Value), bn.Path)
}

// momentum sets run = (1 − m)·run + m·scale·batch, elementwise.
func momentum(run *Param, batch tensor.Tensor, m, scale float64) error {
	r, bt := run.Value, batch
	if !bt.Shape().Eq(r.Shape()) || bt.Dtype() != r.Dtype() {
		return errors.Errorf("%s: batch statistic %v %v: want %v %v", run.Name, bt.Shape(), bt.Dtype(), r.Shape(), r.Dtype())
	}
	switch rd := r.Data().(type) {
	case []float64:
		ema(rd, bt.Data().([]float64), m, scale)
	case []float32:
		ema(rd, bt.Data().([]float32), m, scale)
	default:
		return errors.Errorf("%s: running statistic is %v: want float32 or float64", run.Name, r.Dtype())
	}
	return nil
}

func ema[T float32 | float64](run, batch []T, m, scale float64) {
	for i := range run {
		run[i] = T((1-m)*float64(run[i]) + m*scale*float64(batch[i]))
	}
}

// increment adds 1 to a scalar counter (int64 as torch; float accepted).
func increment(t tensor.Tensor) error {
	switch v := t.Data().(type) {
	case int64:
		return t.Memset(v + 1)
	case []int64:
		v[0]++
	case float64:
		return t.Memset(v + 1)
	case float32:
		return t.Memset(v + 1)
	default:
		return errors.Errorf("num_batches_tracked is %v of shape %v: want an int64 scalar", t.Dtype(), t.Shape())
	}
	return nil
}
