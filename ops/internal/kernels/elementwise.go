package kernels

// Elementwise and per-channel kernels, split across cores when large. The
// per-channel ones take (N, C, inner) layouts as the batch-norm kernels do.

// Add writes y = a + b, elementwise. y may be a or b.
func Add[T float32 | float64](y, a, b []T) {
	ParallelFor(len(y), 3*len(y), func(lo, hi int) {
		ys := y[lo:hi:hi]
		as, bs := a[lo:hi:hi][:len(ys)], b[lo:hi:hi][:len(ys)]
		for i := range ys {
			ys[i] = as[i] + bs[i]
		}
	})
}

// Mul writes y = a ⊙ b, elementwise. y may be a or b.
func Mul[T float32 | float64](y, a, b []T) {
	ParallelFor(len(y), 3*len(y), func(lo, hi int) {
		ys := y[lo:hi:hi]
		as, bs := a[lo:hi:hi][:len(ys)], b[lo:hi:hi][:len(ys)]
		for i := range ys {
			ys[i] = as[i] * bs[i]
		}
	})
}

// AddBias writes y[n, c, k] = x[n, c, k] + bias[c]. y may be x.
func AddBias[T float32 | float64](y, x, bias []T, n, c, inner int) {
	ParallelFor(n*c, 2*n*c*inner, func(lo, hi int) {
		for blk := lo; blk < hi; blk++ {
			v := bias[blk%c]
			ys := y[blk*inner : (blk+1)*inner : (blk+1)*inner]
			xs := x[blk*inner : (blk+1)*inner : (blk+1)*inner][:len(ys)]
			for k := range ys {
				ys[k] = xs[k] + v
			}
		}
	})
}

// ChannelSum writes y[c] = Σ over n and k of x[n, c, k], accumulated in
// float64 (so a float32 sum over a large batch stays within float32's
// rounding of the float64 one) and rounded once.
func ChannelSum[T float32 | float64](y, x []T, n, c, inner int) {
	ParallelFor(c, len(x), func(lo, hi int) {
		if inner < shortBlock { // sweep rows, one accumulator per channel
			acc := make([]float64, hi-lo)
			for i := 0; i < n; i++ {
				row := x[(i*c+lo)*inner : (i*c+hi)*inner]
				for j := range acc {
					for _, v := range row[j*inner : (j+1)*inner] {
						acc[j] += float64(v)
					}
				}
			}
			for j, s := range acc {
				y[lo+j] = T(s)
			}
			return
		}
		for j := lo; j < hi; j++ {
			var s float64
			for i := 0; i < n; i++ {
				s += sum4(normBlock(x, i, j, c, inner))
			}
			y[j] = T(s)
		}
	})
}

// sum4 is Σ b in four independent float64 lanes.
func sum4[T float32 | float64](b []T) float64 {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(b); i += 4 {
		v := b[i : i+4 : i+4]
		s0, s1, s2, s3 = s0+float64(v[0]), s1+float64(v[1]), s2+float64(v[2]), s3+float64(v[3])
	}
	for ; i < len(b); i++ {
		s0 += float64(b[i])
	}
	return (s0 + s1) + (s2 + s3)
}
