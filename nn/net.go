package nn

import (
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/graph"
	"github.com/convgraph/convgraph/ops"
)

// InputName and LabelsName are the feed names of a built classifier.
const (
	InputName  = "input"
	LabelsName = "labels"
)

// Net is a model built into one graph for one input shape and one mode.
type Net struct {
	*Builder
	Model  Layer
	Input  *gorgonia.Node
	Output *gorgonia.Node
}

// Build declares model on a new graph of dtype dt for inputs of the given
// shape (N, C, H, W) in mode. seed drives dropout masks.
func Build(model Layer, dt tensor.Dtype, mode Mode, seed int64, inputShape ...int) (*Net, error) {
	g, err := graph.New(dt)
	if err != nil {
		return nil, err
	}
	x, err := g.Input(InputName, inputShape...)
	if err != nil {
		return nil, err
	}
	b := NewBuilder(g, mode, seed)
	y, err := model.Forward(b, x)
	if err != nil {
		return nil, errors.WithMessagef(err, "build %v graph for input %v", mode, inputShape)
	}
	return &Net{Builder: b, Model: model, Input: x, Output: y}, nil
}

// Classifier is a model built with integer labels and the mean softmax cross
// entropy of its logits: in Train mode its program also computes the
// gradients of every trainable parameter and the batch statistics.
type Classifier struct {
	*Net
	Labels *gorgonia.Node
	Loss   *gorgonia.Node
	// Trainable and Grads are aligned: Grads[i] is d Loss / d Trainable[i].
	Trainable []*Param
	Grads     gorgonia.Nodes

	prog *graph.Program
	outs []tensor.Tensor // the last run's outputs, reused by the next
}

// StepResult is what one Run of a classifier returns.
type StepResult struct {
	Loss   float64
	Logits tensor.Tensor
	Grads  []tensor.Tensor // aligned with Classifier.Trainable; nil in Eval mode
}

// NewClassifier builds model for inputs of inputShape (batch first) in mode.
func NewClassifier(model Layer, dt tensor.Dtype, mode Mode, seed int64, inputShape ...int) (*Classifier, error) {
	n, err := Build(model, dt, mode, seed, inputShape...)
	if err != nil {
		return nil, err
	}
	if n.Output.Dims() != 2 {
		return nil, errors.Errorf("classifier: model output %v: want logits (N, classes)", n.Output.Shape())
	}
	labels, err := n.G.InputOf(LabelsName, tensor.Int, inputShape[0])
	if err != nil {
		return nil, err
	}
	loss, err := ops.SoftmaxCrossEntropy(n.Output, labels)
	if err != nil {
		return nil, errors.WithMessage(err, "classifier: loss")
	}
	c := &Classifier{Net: n, Labels: labels, Loss: loss}
	outputs := gorgonia.Nodes{loss, n.Output}
	if mode == Train {
		var nodes gorgonia.Nodes
		c.Trainable, nodes = n.TrainableParams()
		if c.Grads, err = n.G.Grad(loss, nodes...); err != nil {
			return nil, errors.WithMessage(err, "classifier: gradients")
		}
		outputs = append(outputs, c.Grads...)
		for _, s := range n.Stats() {
			outputs = append(outputs, s.Mean, s.Var)
		}
	}
	if c.prog, err = n.G.Compile(outputs...); err != nil {
		return nil, errors.WithMessage(err, "classifier: compile")
	}
	return c, nil
}

// Run feeds a batch of inputs and integer labels. In Train mode it also folds
// the batch statistics into the batch norms' running statistics; the caller's
// solver applies the gradients. The result's tensors belong to the
// classifier and are overwritten by the next Run: a training step allocates
// no gradient memory. Clone what must outlive it.
func (c *Classifier) Run(x, labels tensor.Tensor) (*StepResult, error) {
	vals, err := c.prog.RunInto(graph.Feeds{InputName: x, LabelsName: labels}, c.outs)
	if err != nil {
		return nil, err
	}
	c.outs = vals
	c.SetStep(c.step + 1)
	loss, err := Scalar(vals[0])
	if err != nil {
		return nil, errors.WithMessage(err, "classifier: loss")
	}
	r := &StepResult{Loss: loss, Logits: vals[1]}
	if c.Mode != Train {
		return r, nil
	}
	r.Grads = vals[2 : 2+len(c.Grads)]
	stats := vals[2+len(c.Grads):]
	for i, s := range c.Stats() {
		if err := s.Apply(stats[2*i], stats[2*i+1]); err != nil {
			return nil, errors.WithMessage(err, s.Layer)
		}
	}
	return r, nil
}

// Scalar reads a 0-d (or 1-element) float tensor.
func Scalar(t tensor.Tensor) (float64, error) {
	switch v := t.Data().(type) {
	case float64:
		return v, nil
	case float32:
		return float64(v), nil
	case []float64:
		if len(v) == 1 {
			return v[0], nil
		}
	case []float32:
		if len(v) == 1 {
			return float64(v[0]), nil
		}
	}
	return 0, errors.Errorf("want a float scalar, got %v of shape %v", t.Dtype(), t.Shape())
}
