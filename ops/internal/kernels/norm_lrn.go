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
	pow := func(b float64) float64 { return math.Pow(b, p) }
	if n := 4 * p; n == math.Trunc(n) && math.Abs(n) <= maxQuarters {
		pow = func(b float64) float64 {
			if b > 0 { // always, for LRN (k > 0, a ≥ 0, a sum of squares)
				return quarterPow(b, int(n))
			}
			return math.Pow(b, p) // its signs of zero and negative bases
		}
	}
	ParallelFor(len(x), 32*len(x), func(lo, hi int) {
		ys := y[lo:hi:hi]
		for i, v := range x[lo:hi:hi] {
			ys[i] = T(scale * pow(k+a*float64(v)))
		}
	})
}

// maxQuarters bounds the exponents, in quarters, that quarterPow serves.
const maxQuarters = 16

// quarterPow returns b^(n/4) through two square roots and a few products:
// LRN's exponents are −0.75 and −1.75 (AlexNet's β and its derivative's),
// where math.Pow's general log/exp was a sixth of an AlexNet training step.
// The result is within a few float64 ulps of math.Pow's for b > 0, far below
// float32 rounding; AffinePow leaves other bases to math.Pow.
func quarterPow(b float64, n int) float64 {
	q := math.Sqrt(math.Sqrt(b))
	m := n
	if m < 0 {
		m = -m
	}
	r := 1.0
	for ; m > 0; m >>= 1 {
		if m&1 == 1 {
			r *= q
		}
		q *= q
	}
	if n < 0 {
		return 1 / r
	}
	return r
}
