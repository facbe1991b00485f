package kernels

import "math"

// Batch-norm kernels. Every tensor is laid out (N, C, inner), inner being the
// product of the axes after the channel axis (H·W for NCHW, 1 for (N, C));
// per-channel values are (C). A channel's m = N·inner elements are spread
// over N blocks of inner contiguous values, one per sample.
//
// Statistics and sums are accumulated in float64 whatever T is, so float32
// agrees with float64 to float32's rounding of the result.

// normBlock is the inner-sized block of sample i, channel j.
func normBlock[T any](x []T, i, j, c, inner int) []T {
	off := (i*c + j) * inner
	return x[off : off+inner]
}

// Moments returns the mean and the biased variance (the mean squared
// deviation, divided by m, not m − 1) of each channel of x.
// Two passes, mean then squared deviations, so no E[x²] − E[x]² cancellation.
func Moments[T float32 | float64](x []T, n, c, inner int) (mean, variance []float64) {
	mean, variance = make([]float64, c), make([]float64, c)
	m := float64(n * inner)
	for i := 0; i < n; i++ {
		for j := 0; j < c; j++ {
			for _, v := range normBlock(x, i, j, c, inner) {
				mean[j] += float64(v)
			}
		}
	}
	for j := range mean {
		mean[j] /= m
	}
	for i := 0; i < n; i++ {
		for j := 0; j < c; j++ {
			for _, v := range normBlock(x, i, j, c, inner) {
				d := float64(v) - mean[j]
				variance[j] += d * d
			}
		}
	}
	for j := range variance {
		variance[j] /= m
	}
	return mean, variance
}

// BatchNorm writes y = γ·(x − mean)/√(variance + eps) + β, per channel.
func BatchNorm[T float32 | float64](y, x, gamma, beta []T, mean, variance []float64, eps float64, n, c, inner int) {
	for j := 0; j < c; j++ {
		scale := float64(gamma[j]) / math.Sqrt(variance[j]+eps)
		for i := 0; i < n; i++ {
			ys := normBlock(y, i, j, c, inner)
			for k, v := range normBlock(x, i, j, c, inner) {
				ys[k] = T(scale*(float64(v)-mean[j]) + float64(beta[j]))
			}
		}
	}
}

// normSums returns Σ dy and Σ dy·x̂ per channel, x̂ = (x − mean)/√(variance + eps).
func normSums[T float32 | float64](x, dy []T, mean, variance []float64, eps float64, n, c, inner int) (sumDy, sumDyXhat []float64) {
	sumDy, sumDyXhat = make([]float64, c), make([]float64, c)
	for j := 0; j < c; j++ {
		inv := 1 / math.Sqrt(variance[j]+eps)
		for i := 0; i < n; i++ {
			dys := normBlock(dy, i, j, c, inner)
			for k, v := range normBlock(x, i, j, c, inner) {
				g := float64(dys[k])
				sumDy[j] += g
				sumDyXhat[j] += g * (float64(v) - mean[j]) * inv
			}
		}
	}
	return sumDy, sumDyXhat
}

// BatchNormInputGrad writes dx, the gradient of BatchNorm with respect to x
// for the output gradient dy. σ = √(variance + eps), x̂ = (x − mean)/σ.
//
// With throughStats (training: mean and variance are this batch's, functions
// of x) the gradient also flows through the statistics:
//
//	dx = (γ/σ)·(dy − mean(dy) − x̂·mean(dy·x̂)), means over the channel's m elements.
//
// Without (inference: the statistics are constants) it is dx = (γ/σ)·dy.
func BatchNormInputGrad[T float32 | float64](dx, x, dy, gamma []T, mean, variance []float64, eps float64, throughStats bool, n, c, inner int) {
	m := float64(n * inner)
	var sumDy, sumDyXhat []float64
	if throughStats {
		sumDy, sumDyXhat = normSums(x, dy, mean, variance, eps, n, c, inner)
	}
	for j := 0; j < c; j++ {
		inv := 1 / math.Sqrt(variance[j]+eps)
		scale := float64(gamma[j]) * inv
		var meanDy, meanDyXhat float64 // stay 0 when the statistics are constants
		if throughStats {
			meanDy, meanDyXhat = sumDy[j]/m, sumDyXhat[j]/m
		}
		for i := 0; i < n; i++ {
			dxs, dys := normBlock(dx, i, j, c, inner), normBlock(dy, i, j, c, inner)
			for k, v := range normBlock(x, i, j, c, inner) {
				xhat := (float64(v) - mean[j]) * inv
				dxs[k] = T(scale * (float64(dys[k]) - meanDy - xhat*meanDyXhat))
			}
		}
	}
}

// BatchNormChannelGrads returns the gradients of BatchNorm with respect to
// its per-channel inputs γ, mean and variance, for the output gradient dy:
//
//	dγ = Σ dy·x̂,   dmean = −(γ/σ)·Σ dy,   dvariance = −(γ/(2σ²))·Σ dy·x̂.
//
// (dβ = Σ dy is a plain channel sum.) dγ holds for batch statistics too: γ
// does not move them. dmean and dvariance are those of given statistics.
func BatchNormChannelGrads[T float32 | float64](x, dy, gamma []T, mean, variance []float64, eps float64, n, c, inner int) (dGamma, dMean, dVariance []float64) {
	sumDy, sumDyXhat := normSums(x, dy, mean, variance, eps, n, c, inner)
	dMean, dVariance = make([]float64, c), make([]float64, c)
	for j := range dMean {
		inv := 1 / math.Sqrt(variance[j]+eps)
		g := float64(gamma[j])
		dMean[j] = -g * inv * sumDy[j]
		dVariance[j] = -0.5 * g * inv * inv * sumDyXhat[j]
	}
	return sumDyXhat, dMean, dVariance
}

// MomentGrad writes dx, the gradient of a channel statistic for its gradient
// dy (C): of the mean (variance false), dx = dy[c]/m; of the biased variance
// (variance true), dx = 2·(x − mean[c])·dy[c]/m. The variance's dependence on
// the mean adds nothing: Σ (x − mean) = 0.
func MomentGrad[T float32 | float64](dx, x, dy []T, mean []float64, variance bool, n, c, inner int) {
	m := float64(n * inner)
	for i := 0; i < n; i++ {
		for j := 0; j < c; j++ {
			g := float64(dy[j]) / m
			dxs := normBlock(dx, i, j, c, inner)
			for k, v := range normBlock(x, i, j, c, inner) {
				if variance {
					dxs[k] = T(2 * (float64(v) - mean[j]) * g)
				} else {
					dxs[k] = T(g)
				}
			}
		}
	}
}
