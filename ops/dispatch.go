package ops

import "gorgonia.org/tensor"

// float is the element type every kernel is generic over.
type float interface{ float32 | float64 }

// floats returns the elements of a float tensor of element type T (a scalar
// becomes a 1-element slice). Op outputs and fed inputs are always contiguous,
// so this is the tensor's own memory, not a copy.
func floats[T float](t tensor.Tensor) []T {
	switch x := t.Data().(type) {
	case []T:
		return x
	case T:
		return []T{x}
	}
	return nil
}

// is32 reports whether a kernel should run in float32 (else float64): the one
// dtype question each op's do asks before calling its generic kernel.
func is32(t tensor.Tensor) bool { return t.Dtype() == tensor.Float32 }
