package kernels

// gate masks an output gradient for a batch norm fused with a ReLU: the
// gradient reaching the batch norm is relu'(z)·dy, and relu'(z) = 1 exactly
// where the fused output max(z, 0) is positive. It writes the gated values
// of one block into a small buffer, so the batch-norm passes read dy and
// the mask once each and no gated tensor is ever written out.
type gate[T float32 | float64] struct {
	mask, buf []T
}

// newGate returns a gate for mask (none if nil) whose blocks hold at most
// n values.
func newGate[T float32 | float64](mask []T, n int) gate[T] {
	if mask == nil {
		return gate[T]{}
	}
	return gate[T]{mask: mask, buf: getBuf[T](n)}
}

// apply returns dy[lo:hi] gated by mask[lo:hi], or dy[lo:hi] itself without
// a mask. The result is valid until the next apply.
func (g gate[T]) apply(dy []T, lo, hi int) []T {
	d := dy[lo:hi:hi]
	if g.mask == nil {
		return d
	}
	out := g.buf[:hi-lo]
	switch o := any(out).(type) {
	case []float32:
		reluGrad32(o, any(g.mask[lo:hi]).([]float32), any(d).([]float32))
	case []float64:
		reluGrad64(o, any(g.mask[lo:hi]).([]float64), any(d).([]float64))
	}
	return out
}

func (g gate[T]) release() { putBuf(g.buf) }
