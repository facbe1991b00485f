package kernels

import "math"

// LogSumExp returns m = max_j x_j and l = log Σ_j exp(x_j − m), so that
// log Σ_j exp(x_j) = m + l. Shifting by the max keeps every exponent ≤ 0 (no
// overflow at x = 1000) and makes one term exp(0) = 1 (the sum never
// underflows to 0). The two parts are returned apart because callers want
// x_j − m − l: subtracting m first is exact-ish, while m + l rounds l away
// when m is large. It accumulates in float64 whatever T is.
func LogSumExp[T float32 | float64](x []T) (m, l float64) {
	m = math.Inf(-1)
	for _, v := range x {
		m = math.Max(m, float64(v))
	}
	var s float64
	for _, v := range x {
		s += math.Exp(float64(v) - m)
	}
	return m, math.Log(s)
}

// Softmax writes, row by row over the rows of width k of x,
// y = softmax(x) = exp(x − m − l), or with logOut y = log softmax(x) = x − m − l
// (m, l from LogSumExp of the row). Both share this one pass.
func Softmax[T float32 | float64](y, x []T, k int, logOut bool) {
	if k < 1 {
		return
	}
	for r := 0; r+k <= len(x); r += k {
		row, out := x[r:r+k], y[r:r+k]
		m, l := LogSumExp(row)
		for j, v := range row {
			z := float64(v) - m - l
			if !logOut {
				z = math.Exp(z)
			}
			out[j] = T(z)
		}
	}
}

// SoftmaxGrad writes dx, row by row, from the output y of Softmax and its
// gradient dy:
//
//	softmax:     dx = y ⊙ (dy − Σ_j dy_j·y_j)
//	log-softmax: dx = dy − exp(y)·Σ_j dy_j    (exp(y) is the softmax)
//
// It reads only y, not x: the output holds everything the gradient needs.
func SoftmaxGrad[T float32 | float64](dx, y, dy []T, k int, logOut bool) {
	if k < 1 {
		return
	}
	for r := 0; r+k <= len(y); r += k {
		yr, dyr, dxr := y[r:r+k], dy[r:r+k], dx[r:r+k]
		var s float64
		for j, g := range dyr {
			if logOut {
				s += float64(g)
			} else {
				s += float64(g) * float64(yr[j])
			}
		}
		for j, g := range dyr {
			if logOut {
				dxr[j] = T(float64(g) - math.Exp(float64(yr[j]))*s)
			} else {
				dxr[j] = T(float64(yr[j]) * (float64(g) - s))
			}
		}
	}
}

// SoftmaxXent returns the mean over the rows of width k of x of
// −log softmax(x_i)[labels[i]] = m_i + l_i − x_i[labels[i]], in float64.
// Every label must lie in [0, k): the caller checks.
func SoftmaxXent[T float32 | float64](x []T, labels []int, k int) float64 {
	var sum float64
	for i, c := range labels {
		row := x[i*k : (i+1)*k]
		m, l := LogSumExp(row)
		sum += l - (float64(row[c]) - m)
	}
	return sum / float64(len(labels))
}

// SoftmaxXentGrad writes dx = (softmax(x) − onehot(labels))·scale, row by
// row: the gradient of SoftmaxXent is this with scale = dy/N. The
// subtraction happens in float64, before rounding to T: in float32 a
// confident softmax of 1 − 1e-8 would round to 1 and lose its gradient.
// Every label must lie in [0, k).
func SoftmaxXentGrad[T float32 | float64](dx, x []T, labels []int, k int, scale float64) {
	for i, c := range labels {
		row, out := x[i*k:(i+1)*k], dx[i*k:(i+1)*k]
		m, l := LogSumExp(row)
		for j, v := range row {
			p := math.Exp(float64(v) - m - l)
			if j == c {
				p--
			}
			out[j] = T(p * scale)
		}
	}
}
