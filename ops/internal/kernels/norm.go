package kernels

import "math"

// Batch-norm kernels. Every tensor is laid out (N, C, inner), inner being the
// product of the axes after the channel axis (H·W for NCHW, 1 for (N, C));
// per-channel values are (C). A channel's m = N·inner elements are spread
// over N blocks of inner contiguous values, one per sample; block b = i·C + j
// (sample i, channel j) is x[b·inner : (b+1)·inner].
//
// Statistics and sums are accumulated in float64 whatever T is, so float32
// agrees with float64 to float32's rounding of the result. Reductions run in
// parallel over groups of samples (sampleGroups), each task reading its
// samples in memory order; elementwise passes run in parallel over blocks.

// shortBlock is the block length below which the reductions sweep a sample's
// channels in memory order, element by element, instead of calling a
// multi-lane block kernel per block ((N, C) data has blocks of one element).
const shortBlock = 16

// sampleGroups runs acc over the samples [0, n) in groups, in parallel,
// each group summing into width float64s of its own (zeroed), adds the
// groups' sums in group order into sums (width), and returns it. Groups
// have ⌈n/16⌉ samples, a function of n alone, so the result does not depend
// on the number of cores. Each task reads its samples' channels in memory
// order: split by channels, a task read one 4 KiB block of a 32×32 plane,
// then jumped a sample ahead, and ran at half the bandwidth (a page at a
// time defeats the hardware prefetchers).
func sampleGroups(n, width, work int, sums []float64, acc func(i0, i1 int, sums []float64)) []float64 {
	size := max((n+15)/16, 1)
	groups := (n + size - 1) / size
	all := getBuf[float64](groups * width)
	clear(all)
	ParallelFor(groups, work, func(lo, hi int) {
		for gr := lo; gr < hi; gr++ {
			acc(gr*size, min((gr+1)*size, n), all[gr*width:(gr+1)*width])
		}
	})
	clear(sums)
	for gr := range groups {
		for k, v := range all[gr*width : (gr+1)*width] {
			sums[k] += v
		}
	}
	putBuf(all)
	return sums
}

// normBlock is the inner-sized block of sample i, channel j.
func normBlock[T any](x []T, i, j, c, inner int) []T {
	off := (i*c + j) * inner
	return x[off : off+inner : off+inner]
}

// Moments returns the mean and the biased variance (the mean squared
// deviation, divided by m, not m − 1) of each channel of x.
func Moments[T float32 | float64](x []T, n, c, inner int) (mean, variance []float64) {
	mean, variance = make([]float64, c), make([]float64, c)
	MomentsInto(mean, variance, x, n, c, inner)
	return mean, variance
}

// MomentsInto is Moments writing into mean and variance (C).
//
// One pass: each channel is shifted by its first element k, and Σ(x − k) and
// Σ(x − k)² are accumulated in float64 in independent lanes; then
// mean = k + Σ(x − k)/m and variance = Σ(x − k)²/m − (Σ(x − k)/m)². The shift
// keeps the subtraction from cancelling: its error is float64's rounding times
// 1 + (mean − k)²/variance, so a large offset common to the channel (1e4 plus
// unit noise, say) costs nothing, unlike the textbook E[x²] − E[x]².
func MomentsInto[T float32 | float64](mean, variance []float64, x []T, n, c, inner int) {
	m := float64(n * inner)
	if n*inner == 0 { // no elements: 0/0, as the two-pass formula gives
		for j := range mean {
			mean[j], variance[j] = math.NaN(), math.NaN()
		}
		return
	}
	shift := make([]float64, c) // each channel's first element
	for j := range shift {
		shift[j] = float64(x[j*inner])
	}
	sums := sampleGroups(n, 2*c, len(x), make([]float64, 2*c), func(i0, i1 int, acc []float64) {
		s1, s2 := acc[:c], acc[c:]
		for i := i0; i < i1; i++ {
			if inner < shortBlock {
				row := x[i*c*inner : (i+1)*c*inner]
				for j, k := range shift {
					for _, v := range row[j*inner : (j+1)*inner] {
						d := float64(v) - k
						s1[j] += d
						s2[j] += d * d
					}
				}
				continue
			}
			for j, k := range shift {
				a, q := shiftedSums(normBlock(x, i, j, c, inner), k)
				s1[j] += a
				s2[j] += q
			}
		}
	})
	for j := range shift {
		d := sums[j] / m
		mean[j] = shift[j] + d
		variance[j] = max(sums[c+j]/m-d*d, 0)
	}
}

// shiftedSums returns Σ (v − k) and Σ (v − k)² over b: float32 goes to the
// vector kernel where the CPU has one, which sums in another order (agreeing
// with shiftedSumsGo to float64's rounding, not bit for bit).
func shiftedSums[T float32 | float64](b []T, k float64) (sum, sq float64) {
	if useAVX512 && is32[T]() {
		return shiftedSumsVec(as32(b), k)
	}
	return shiftedSumsGo(b, k)
}

// shiftedSumsGo is shiftedSums in Go, in four independent float64 lanes (no
// loop-carried add chain of one register).
func shiftedSumsGo[T float32 | float64](b []T, k float64) (sum, sq float64) {
	var s0, s1, s2, s3, q0, q1, q2, q3 float64
	i := 0
	for ; i+4 <= len(b); i += 4 {
		v := b[i : i+4 : i+4]
		d0, d1, d2, d3 := float64(v[0])-k, float64(v[1])-k, float64(v[2])-k, float64(v[3])-k
		s0, s1, s2, s3 = s0+d0, s1+d1, s2+d2, s3+d3
		q0, q1, q2, q3 = q0+d0*d0, q1+d1*d1, q2+d2*d2, q3+d3*d3
	}
	for ; i < len(b); i++ {
		d := float64(b[i]) - k
		s0 += d
		q0 += d * d
	}
	return (s0 + s1) + (s2 + s3), (q0 + q1) + (q2 + q3)
}

// invStd returns 1/√(variance + eps) per channel.
func invStd(variance []float64, eps float64) []float64 {
	inv := make([]float64, len(variance))
	for j, v := range variance {
		inv[j] = 1 / math.Sqrt(v+eps)
	}
	return inv
}

// BatchNorm writes y = γ·(x − mean)/√(variance + eps) + β, per channel,
// as y = a·x + b with a = γ/σ and b = β − a·mean in float64 (whose rounding
// of a·mean stays far below T's rounding of y unless |mean|/σ nears 1e8).
// With relu it writes max(y, 0), each block clipped while still in cache;
// a non-nil r (x's shape, with relu: a residual block's end) is added
// first, y + r rounded to T as an elementwise Add would.
func BatchNorm[T float32 | float64](y, x, r, gamma, beta []T, mean, variance []float64, eps float64, relu bool, n, c, inner int) {
	a, b := bnAffine(gamma, beta, mean, variance, eps)
	if vecBlocks[T](inner) {
		// A closure of its own: a call inside the Go loop's, even on a
		// branch not taken, makes the compiler keep that loop's values in
		// memory (a sixth slower on the one-element blocks of (N, C) data).
		y32, x32 := as32(y), as32(x)
		ParallelFor(n*c, 2*len(x), func(lo, hi int) {
			for blk := lo; blk < hi; blk++ {
				ys := y32[blk*inner : (blk+1)*inner : (blk+1)*inner]
				affineVec(ys, x32[blk*inner:(blk+1)*inner:(blk+1)*inner], a[blk%c], b[blk%c])
				if r != nil {
					sumVec(ys, ys, as32(r)[blk*inner:(blk+1)*inner])
				}
				if relu {
					reluVec(ys, ys)
				}
			}
		})
		return
	}
	ParallelFor(n*c, 2*len(x), func(lo, hi int) {
		for blk := lo; blk < hi; blk++ {
			aj, bj := a[blk%c], b[blk%c]
			xs := x[blk*inner : (blk+1)*inner : (blk+1)*inner]
			ys := y[blk*inner : (blk+1)*inner : (blk+1)*inner][:len(xs)]
			affineGo(ys, xs, aj, bj)
			if r != nil {
				sumGo(ys, ys, r[blk*inner:(blk+1)*inner])
			}
			if relu {
				reluGo(ys, ys)
			}
		}
	})
}

// bnAffine returns BatchNorm's map y = a·x + b per channel: a = γ/σ,
// b = β − a·mean, in float64. The fused ReLU's gate recomputes it.
func bnAffine[T float32 | float64](gamma, beta []T, mean, variance []float64, eps float64) (a, b []float64) {
	a = invStd(variance, eps)
	b = make([]float64, len(a))
	for j := range a {
		a[j] *= float64(gamma[j])
		b[j] = float64(beta[j]) - a[j]*mean[j]
	}
	return a, b
}

// vecBlocks reports whether blocks of inner elements of T go to the vector
// kernels: T is float32, the CPU has them, and the blocks are long enough to
// repay a call ((N, C) data, of one-element blocks, stays with the Go loops,
// which inline).
func vecBlocks[T float32 | float64](inner int) bool {
	return useAVX512 && is32[T]() && inner >= shortBlock
}

// is32 reports whether T is float32.
func is32[T float32 | float64]() bool {
	var z T
	_, ok := any(z).(float32)
	return ok
}

// as32 returns s, of T float32, as a []float32.
func as32[T float32 | float64](s []T) []float32 { return any(s).([]float32) }

// affineGo writes y = T(a·x + b), elementwise in float64: BatchNorm's block
// loop, which affineVec reproduces bit for bit.
func affineGo[T float32 | float64](y, x []T, a, b float64) {
	y = y[:len(x)]
	for k, v := range x {
		y[k] = T(a*float64(v) + b)
	}
}

// NormSums returns Σ dy and Σ dy·x̂ per channel, x̂ = (x − mean)/√(variance + eps),
// in one pass over x and dy. With relu (a batch norm fused with a ReLU,
// of scale γ and shift β) the ReLU gates dy: see gate.
func NormSums[T float32 | float64](x, dy []T, relu bool, gamma, beta []T, mean, variance []float64, eps float64, n, c, inner int) (sumDy, sumDyXhat []float64) {
	sumDy, sumDyXhat = make([]float64, c), make([]float64, c)
	inv := invStd(variance, eps)
	var a, b []float64
	if relu {
		a, b = bnAffine(gamma, beta, mean, variance, eps)
	}
	span := inner // the values a gate holds at once: a block, or a short sample
	if inner < shortBlock {
		span = c * inner
	}
	sums := sampleGroups(n, 2*c, 2*len(x), make([]float64, 2*c), func(i0, i1 int, acc []float64) {
		g := newGate[T](a, b, c, inner, span)
		defer g.release()
		s1, s2 := acc[:c], acc[c:]
		for i := i0; i < i1; i++ {
			if inner < shortBlock {
				lo, hi := i*c*inner, (i+1)*c*inner
				xs, dys := x[lo:hi], g.apply(x, dy, lo, hi)
				for j := range c {
					o := j * inner
					for k, v := range xs[o : o+inner] {
						g := float64(dys[o+k])
						s1[j] += g
						s2[j] += g * (float64(v) - mean[j])
					}
				}
				continue
			}
			for j := range c {
				off := (i*c + j) * inner
				s, p := centeredDots(normBlock(x, i, j, c, inner), g.apply(x, dy, off, off+inner), mean[j])
				s1[j] += s
				s2[j] += p
			}
		}
	})
	for j := range sumDy {
		sumDy[j], sumDyXhat[j] = sums[j], sums[c+j]*inv[j]
	}
	return sumDy, sumDyXhat
}

// centeredDots returns Σ g and Σ g·(v − mu) over the pairs (v, g) of x and dy
// (of equal length): float32 goes to the vector kernel where the CPU has one
// (agreeing with centeredDotsGo to float64's rounding, as shiftedSums).
func centeredDots[T float32 | float64](x, dy []T, mu float64) (sum, dot float64) {
	if useAVX512 && is32[T]() {
		return centeredDotsVec(as32(x), as32(dy), mu)
	}
	return centeredDotsGo(x, dy, mu)
}

// centeredDotsGo is centeredDots in Go, in two independent float64 lanes
// (four spill registers and run slower).
func centeredDotsGo[T float32 | float64](x, dy []T, mu float64) (sum, dot float64) {
	var s0, s1, p0, p1 float64
	dy = dy[:len(x)]
	i := 0
	for ; i+2 <= len(x); i += 2 {
		v, g := x[i:i+2:i+2], dy[i:i+2:i+2]
		g0, g1 := float64(g[0]), float64(g[1])
		s0, s1 = s0+g0, s1+g1
		p0 += g0 * (float64(v[0]) - mu)
		p1 += g1 * (float64(v[1]) - mu)
	}
	if i < len(x) {
		g := float64(dy[i])
		s0 += g
		p0 += g * (float64(x[i]) - mu)
	}
	return s0 + s1, p0 + p1
}

// BatchNormInputGrad writes dx, the gradient of BatchNorm with respect to x
// for the output gradient dy. σ = √(variance + eps), x̂ = (x − mean)/σ.
//
// With sums (training: mean and variance are this batch's, functions of x;
// sumDy and sumDyXhat are NormSums of x and dy) the gradient also flows
// through the statistics:
//
//	dx = (γ/σ)·(dy − mean(dy) − x̂·mean(dy·x̂)), means over the channel's m elements.
//
// With nil sums (inference: the statistics are constants) it is dx = (γ/σ)·dy.
// With relu the fused ReLU (shift β) gates dy first, as in NormSums.
func BatchNormInputGrad[T float32 | float64](dx, x, dy []T, relu bool, gamma, beta []T, mean, variance []float64, eps float64, sumDy, sumDyXhat []float64, n, c, inner int) {
	// Per channel, dx = A·dy + B·x + C in float64: A = γ/σ, and with sums
	// B = −A·mean(dy·x̂)/σ and C = −A·mean(dy) − B·mean (as BatchNorm's
	// b, rounding far below T's unless |mean|/σ nears 1e8).
	m := float64(n * inner)
	coef := invStd(variance, eps)
	for j := range coef {
		coef[j] *= float64(gamma[j])
	}
	var coefB, coefC []float64
	if sumDy != nil {
		coefB, coefC = make([]float64, c), make([]float64, c)
		inv := invStd(variance, eps)
		for j, a := range coef {
			coefB[j] = -a * inv[j] * (sumDyXhat[j] / m)
			coefC[j] = -a*(sumDy[j]/m) - coefB[j]*mean[j]
		}
	}
	vec := vecBlocks[T](inner)
	var ga, gb []float64
	if relu {
		ga, gb = bnAffine(gamma, beta, mean, variance, eps)
	}
	ParallelFor(n*c, 3*len(x), func(lo, hi int) {
		g := newGate[T](ga, gb, c, inner, inner)
		defer g.release()
		for blk := lo; blk < hi; blk++ {
			a := coef[blk%c]
			dys := g.apply(x, dy, blk*inner, (blk+1)*inner)
			dxs := dx[blk*inner : (blk+1)*inner : (blk+1)*inner][:len(dys)]
			switch {
			case sumDy == nil && vec:
				// a·g + (−0) is a·g for every g, −0 and NaN included (+0
				// would turn a −0 product into +0): affineVec scales.
				affineVec(as32(dxs), as32(dys), a, math.Copysign(0, -1))
				continue
			case sumDy == nil:
				scaleGo(dxs, dys, a)
				continue
			}
			b, cc := coefB[blk%c], coefC[blk%c]
			xs := x[blk*inner : (blk+1)*inner : (blk+1)*inner][:len(dys)]
			if vec {
				affine2Vec(as32(dxs), as32(dys), as32(xs), a, b, cc)
				continue
			}
			affine2Go(dxs, dys, xs, a, b, cc)
		}
	})
}

// scaleGo writes dx = T(a·g) for g in dy: the input gradient's block loop
// with given statistics.
func scaleGo[T float32 | float64](dx, dy []T, a float64) {
	dx = dx[:len(dy)]
	for k, g := range dy {
		dx[k] = T(a * float64(g))
	}
}

// affine2Go writes dx = T(a·g + b·v + c) for g in dy and v in x, in float64
// evaluated ((a·g) + (b·v)) + c: the input gradient's block loop with batch
// statistics, which affine2Vec reproduces bit for bit.
func affine2Go[T float32 | float64](dx, dy, x []T, a, b, c float64) {
	dx, x = dx[:len(dy)], x[:len(dy)]
	for k, g := range dy {
		dx[k] = T(a*float64(g) + b*float64(x[k]) + c)
	}
}

// BatchNormChannelGrads returns the gradients of BatchNorm with respect to
// the given statistics mean and variance, for an output gradient whose
// NormSums are sumDy and sumDyXhat:
//
//	dmean = −(γ/σ)·Σ dy,   dvariance = −(γ/(2σ²))·Σ dy·x̂.
//
// (dγ = Σ dy·x̂ and dβ = Σ dy are the sums themselves; dγ holds for batch
// statistics too: γ does not move them.)
func BatchNormChannelGrads[T float32 | float64](gamma []T, variance []float64, eps float64, sumDy, sumDyXhat []float64) (dMean, dVariance []float64) {
	dMean, dVariance = make([]float64, len(gamma)), make([]float64, len(gamma))
	for j, inv := range invStd(variance, eps) {
		g := float64(gamma[j])
		dMean[j] = -g * inv * sumDy[j]
		dVariance[j] = -0.5 * g * inv * inv * sumDyXhat[j]
	}
	return dMean, dVariance
}

// MomentGrad writes dx, the gradient of a channel statistic for its gradient
// dy (C): of the mean (variance false), dx = dy[c]/m; of the biased variance
// (variance true), dx = 2·(x − mean[c])·dy[c]/m. The variance's dependence on
// the mean adds nothing: Σ (x − mean) = 0.
func MomentGrad[T float32 | float64](dx, x, dy []T, mean []float64, variance bool, n, c, inner int) {
	m := float64(n * inner)
	ParallelFor(n*c, 2*len(dx), func(lo, hi int) {
		for b := lo; b < hi; b++ {
			j := b % c
			g := float64(dy[j]) / m
			dxs := dx[b*inner : (b+1)*inner : (b+1)*inner]
			if !variance {
				v := T(g)
				for k := range dxs {
					dxs[k] = v
				}
				continue
			}
			mu := mean[j]
			for k, v := range x[b*inner : (b+1)*inner : (b+1)*inner] {
				dxs[k] = T(2 * (float64(v) - mu) * g)
			}
		}
	})
}
