package nn

import (
	"gorgonia.org/tensor"
)

// Param is a named tensor owned by a layer: a trainable parameter (weights,
// biases, batch-norm scale and shift) or a buffer the solver does not train
// (batch norm's running statistics).
type Param struct {
	Name      string        // path, as in a PyTorch state_dict: layer1.0.conv1.weight
	Value     tensor.Tensor // the one tensor every graph built from the model reads
	Trainable bool
	// NoDecay marks parameters that weight decay should skip when the solver
	// is told to (biases and batch-norm scale/shift, by common practice).
	NoDecay bool
}

// Size is the number of elements.
func (p *Param) Size() int { return p.Value.Shape().TotalSize() }

// newParam allocates a zeroed tensor of dtype dt.
func newParam(name string, dt tensor.Dtype, trainable bool, shape ...int) *Param {
	return &Param{Name: name, Value: tensor.New(tensor.WithShape(shape...), tensor.Of(dt)), Trainable: trainable}
}

// Trainable filters ps to the parameters a solver updates.
func Trainable(ps []*Param) []*Param {
	var out []*Param
	for _, p := range ps {
		if p.Trainable {
			out = append(out, p)
		}
	}
	return out
}

// Count sums the elements of the trainable parameters.
func Count(ps []*Param) int {
	n := 0
	for _, p := range Trainable(ps) {
		n += p.Size()
	}
	return n
}
