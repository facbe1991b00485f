package kernels

import "math"

// Kernels of local response normalization, laid out (N, C, inner) as the
// batch-norm kernels are.

// ChannelWindowSum writes y[n, c, i] = Σ x[n, c', i] for c' from c − front to
// c + back, channels outside [0, C) counting as zero. Its adjoint is the same
// sum with front and back swapped: x[c'] reaches y[c] exactly when c reaches
// c' through the mirrored window.
func ChannelWindowSum[T float32 | float64](y, x []T, front, back, n, c, inner int) {
	for i := 0; i < n; i++ {
		for j := 0; j < c; j++ {
			ys := normBlock(y, i, j, c, inner)
			clear(ys)
			for src := max(0, j-front); src <= min(c-1, j+back); src++ {
				for k, v := range normBlock(x, i, src, c, inner) {
					ys[k] += v
				}
			}
		}
	}
}

// AffinePow writes y = scale·(k + a·x)^p, elementwise. Its derivative is the
// same function with scale·p·a for scale and p − 1 for p.
func AffinePow[T float32 | float64](y, x []T, scale, a, k, p float64) {
	for i, v := range x {
		y[i] = T(scale * math.Pow(k+a*float64(v), p))
	}
}
