package kernels

// gate masks an output gradient for a batch norm fused with a ReLU: the
// gradient reaching the batch norm is relu'(z)·dy, where z = T(a·x + b) is
// the batch norm's output before the ReLU (bnAffine's map of channel j).
// It recomputes z from x block by block, exactly as BatchNorm computed it,
// instead of reading the fused output: the backward passes read x anyway,
// so dy and x are all they read (a third less memory traffic), and no gated
// tensor is ever written out. relu'(z) = 1 exactly where max(z, 0) > 0, so
// the mask is the one the fused output would give, NaN included.
type gate[T float32 | float64] struct {
	a, b     []float64 // nil: no ReLU
	c, inner int
	buf      []T
}

// newGate returns a gate for the ReLU after the affine maps a, b of c
// channels of inner values each (none if a is nil), for spans of at most n
// values.
func newGate[T float32 | float64](a, b []float64, c, inner, n int) gate[T] {
	if a == nil {
		return gate[T]{}
	}
	return gate[T]{a: a, b: b, c: c, inner: inner, buf: getBuf[T](n)}
}

// apply returns dy[lo:hi] gated by the ReLU, or dy[lo:hi] itself without
// one; x is the batch norm's input. The result is valid until the next
// apply.
func (g gate[T]) apply(x, dy []T, lo, hi int) []T {
	d := dy[lo:hi:hi]
	if g.a == nil {
		return d
	}
	out := g.buf[:hi-lo]
	for off := lo; off < hi; {
		blk := off / g.inner
		end := min((blk+1)*g.inner, hi)
		z := out[off-lo : end-lo]
		j := blk % g.c
		switch zs := any(z).(type) {
		case []float32:
			xs, ds := any(x[off:end]).([]float32), any(dy[off:end]).([]float32)
			if useAVX512 {
				affineVec(zs, xs, g.a[j], g.b[j])
			} else {
				affineGo(zs, xs, g.a[j], g.b[j])
			}
			reluGrad32(zs, zs, ds)
		case []float64:
			xs, ds := any(x[off:end]).([]float64), any(dy[off:end]).([]float64)
			affineGo(zs, xs, g.a[j], g.b[j])
			reluGrad64(zs, zs, ds)
		}
		off = end
	}
	return out
}

func (g gate[T]) release() { putBuf(g.buf) }
