package ops

import "gorgonia.org/tensor"

// float is the element type every kernel is generic over.
type float interface{ float32 | float64 }

// floats returns the elements of a float tensor of element type T. Op
// outputs and fed inputs are always contiguous, so this is the tensor's own
// memory, not a copy — for a 0-d tensor too, whose Data() would return the
// value itself, so writes to it would be lost.
func floats[T float](t tensor.Tensor) []T {
	if d, ok := t.(*tensor.Dense); ok {
		switch d.Dtype() {
		case tensor.Float32:
			s, _ := any(d.Float32s()).([]T)
			return s
		case tensor.Float64:
			s, _ := any(d.Float64s()).([]T)
			return s
		}
		return nil
	}
	if s, ok := t.Data().([]T); ok {
		return s
	}
	return nil
}

// is32 reports whether a kernel should run in float32 (else float64): the one
// dtype question each op's do asks before calling its generic kernel.
func is32(t tensor.Tensor) bool { return t.Dtype() == tensor.Float32 }
