package ops

import (
	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/ops/internal/kernels"
)

// SoftmaxCrossEntropy is the classification loss
//
//	L = (1/N) Σ_i −log softmax(logits_i)[labels_i]
//	  = (1/N) Σ_i (log Σ_k exp(logits_ik) − logits_i,labels_i)
//
// for logits (N, K) and class labels (N) of dtype tensor.Int, each in
// [0, K); L is a scalar. It is fused and computed with a max-shifted
// log-sum-exp, so logits of ±1000 give a finite loss (composing
// log(Softmax(x)) would give −Inf once a probability underflows). Its
// gradient is dlogits = (softmax(logits) − onehot(labels))·dL/N. A label
// outside [0, K) is an error at run time naming the row.
func SoftmaxCrossEntropy(logits, labels *gorgonia.Node) (*gorgonia.Node, error) {
	if logits == nil || labels == nil {
		return nil, errors.New("softmax_xent: nil logits or labels")
	}
	if labels.Dtype() != tensor.Int {
		return nil, errors.Errorf("softmax_xent: labels %v are %v: want %v class indices", labels.Shape(), labels.Dtype(), tensor.Int)
	}
	op := softmaxXentOp{}
	if _, err := op.shape([]tensor.Shape{logits.Shape(), labels.Shape()}); err != nil {
		return nil, err
	}
	return apply(op, logits, labels)
}

// softmaxXentOp is L(logits, labels), the mean softmax cross-entropy.
type softmaxXentOp struct{}

func (softmaxXentOp) String() string      { return "softmax_xent" }
func (softmaxXentOp) ranks() ([]int, int) { return []int{2, 1}, 0 }
func (softmaxXentOp) diffWRT() []bool     { return []bool{true, false} }

// labelsType is the type of the integer labels input.
var labelsType = gorgonia.TensorType{Dims: 1, Of: tensor.Int}

func (softmaxXentOp) typ() hm.Type {
	return hm.NewFnType(rankType(2), labelsType, floatType)
}

func (s softmaxXentOp) shape(in []tensor.Shape) (tensor.Shape, error) {
	if err := xentShapes(s, in[0], in[1]); err != nil {
		return nil, err
	}
	return tensor.ScalarShape(), nil
}

// xentShapes is the shape rule the loss and its gradient share.
func xentShapes(op spec, logits, labels tensor.Shape) error {
	if len(logits) != 2 || len(labels) != 1 || labels[0] != logits[0] {
		return errors.Errorf("%v: logits %v, labels %v: want logits (N, K) and labels (N)", op, logits, labels)
	}
	return nil
}

// checkLabels is where a bad label is caught: indexing with it would panic
// (or, worse, read the next row).
func checkLabels(t tensor.Tensor, k int) ([]int, error) {
	labels, ok := t.Data().([]int)
	if !ok {
		return nil, errors.Errorf("labels are %v: want %v", t.Dtype(), tensor.Int)
	}
	for i, c := range labels {
		if c < 0 || c >= k {
			return nil, errors.Errorf("row %d: label %d outside [0, %d)", i, c, k)
		}
	}
	return labels, nil
}

// do writes its result with Memset: floats of a 0-d tensor is a copy.
func (s softmaxXentOp) do(out tensor.Tensor, in []tensor.Tensor) error {
	k := in[0].Shape()[1]
	labels, err := checkLabels(in[1], k)
	if err != nil {
		return err
	}
	if is32(out) {
		return out.Memset(float32(kernels.SoftmaxXent(floats[float32](in[0]), labels, k)))
	}
	return out.Memset(kernels.SoftmaxXent(floats[float64](in[0]), labels, k))
}

func (s softmaxXentOp) grad(in gorgonia.Nodes, _, dout *gorgonia.Node) (gorgonia.Nodes, error) {
	dx, err := apply(softmaxXentGradOp{}, in[0], in[1], dout)
	return gorgonia.Nodes{dx, nil}, err
}

// softmaxXentGradOp is dlogits = (softmax(logits) − onehot(labels))·dy/N,
// from (logits, labels, dy). It has no gradient itself.
type softmaxXentGradOp struct{}

func (softmaxXentGradOp) String() string      { return "softmax_xent_grad" }
func (softmaxXentGradOp) ranks() ([]int, int) { return []int{2, 1, 0}, 2 }

func (softmaxXentGradOp) typ() hm.Type {
	return hm.NewFnType(rankType(2), labelsType, floatType, rankType(2))
}

func (s softmaxXentGradOp) shape(in []tensor.Shape) (tensor.Shape, error) {
	if err := xentShapes(s, in[0], in[1]); err != nil {
		return nil, err
	}
	if in[2].TotalSize() != 1 {
		return nil, errors.Errorf("%v: gradient %v: want a scalar", s, in[2])
	}
	return in[0].Clone(), nil
}

func (s softmaxXentGradOp) do(out tensor.Tensor, in []tensor.Tensor) error {
	n, k := in[0].Shape()[0], in[0].Shape()[1]
	labels, err := checkLabels(in[1], k)
	if err != nil {
		return err
	}
	if is32(out) {
		scale := float64(floats[float32](in[2])[0]) / float64(n)
		kernels.SoftmaxXentGrad(floats[float32](out), floats[float32](in[0]), labels, k, scale)
	} else {
		scale := floats[float64](in[2])[0] / float64(n)
		kernels.SoftmaxXentGrad(floats[float64](out), floats[float64](in[0]), labels, k, scale)
	}
	return nil
}
