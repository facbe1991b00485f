package nn

import "github.com/convgraph/convgraph/ops"

// Stateless activation layers, shared by every model (they hold nothing).
var (
	// ReLU is max(x, 0), with relu'(0) = 0.
	ReLU = stateless("ReLU", ops.ReLU)
	// Tanh is the hyperbolic tangent.
	Tanh = stateless("Tanh", ops.Tanh)
	// Sigmoid is 1/(1+e^−x).
	Sigmoid = stateless("Sigmoid", ops.Sigmoid)
	// LeCunTanh is LeNet-5's squashing 1.7159·tanh(2x/3).
	LeCunTanh = stateless("LeCunTanh", ops.LeCunTanh)
)
