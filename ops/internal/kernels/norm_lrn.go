package kernels

import "math"

// Kernels of local response normalization, laid out (N, C, inner) as the
// batch-norm kernels are.

// ChannelWindowSum writes y[n, c, i] = Σ x[n, c', i] for c' from c − front to
// c + back, channels outside [0, C) counting as zero. Its adjoint is the same
// sum with front and back swapped: x[c'] reaches y[c] exactly when c reaches
// c' through the mirrored window.
func ChannelWindowSum[T float32 | float64](y, x []T, front, back, n, c, inner int) {
	ParallelFor(n*c, n*c*inner*(front+back+1), func(lo, hi int) {
		for b := lo; b < hi; b++ {
			i, j := b/c, b%c
			ys := normBlock(y, i, j, c, inner)
			clear(ys)
			for src := max(0, j-front); src <= min(c-1, j+back); src++ {
				xs := normBlock(x, i, src, c, inner)[:len(ys)]
				for k, v := range xs {
					ys[k] += v
				}
			}
		}
	})
}

// AffinePow writes y = scale·(k + a·x)^p, elementwise. Its derivative is the
// same function with scale·p·a for scale and p − 1 for p.
func AffinePow[T float32 | float64](y, x []T, scale, a, k, p float64) {
	ParallelFor(len(x), 32*len(x), func(lo, hi int) {
		ys := y[lo:hi:hi]
		for i, v := range x[lo:hi:hi] {
			ys[i] = T(scale * math.Pow(k+a*float64(v), p))
		}
	})
}
