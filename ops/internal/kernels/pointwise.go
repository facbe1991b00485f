package kernels

import "math"

// Pointwise kernels: y[i] = f(x[i]) and its gradient, split across cores in
// contiguous chunks when large. The work each passes to ParallelFor is the
// elements it touches; Map and MapGrad count each call of f or df as 8, the
// cost of a call through a func value and a float64 function against a load.

// Map writes y[i] = f(x[i]), f taking and returning float64.
func Map[T float32 | float64](y, x []T, f func(float64) float64) {
	ParallelFor(len(x), 8*len(x), func(lo, hi int) {
		ys := y[lo:hi:hi]
		for i, v := range x[lo:hi:hi] {
			ys[i] = T(f(float64(v)))
		}
	})
}

// MapGrad writes dx[i] = T(df(x[i], y[i]))·dy[i], y being f(x).
func MapGrad[T float32 | float64](dx, x, y, dy []T, df func(x, y float64) float64) {
	ParallelFor(len(dx), 8*len(dx), func(lo, hi int) {
		xs, ys, dys := x[lo:hi:hi], y[lo:hi:hi], dy[lo:hi:hi]
		for i := range dx[lo:hi:hi] {
			dx[lo+i] = T(df(float64(xs[i]), float64(ys[i]))) * dys[i]
		}
	})
}

// ReLU writes y = max(x, 0), elementwise: math.Max(x, 0) exactly (the
// builtin max has its semantics: NaN stays NaN, −0 gives +0), without a call
// or a branch per element.
func ReLU[T float32 | float64](y, x []T) {
	vec := useAVX512 && is32[T]()
	ParallelFor(len(x), 2*len(x), func(lo, hi int) {
		if vec {
			reluVec(as32(y[lo:hi:hi]), as32(x[lo:hi:hi]))
			return
		}
		reluGo(y[lo:hi:hi], x[lo:hi:hi])
	})
}

// reluGo is ReLU's loop, which reluVec reproduces bit for bit (a NaN's bits
// included: the builtin max returns it with its sign cleared, on amd64).
func reluGo[T float32 | float64](y, x []T) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] = max(v, 0)
	}
}

// ReLUGrad writes dx = s·dy with s = 1 where x > 0 and 0 elsewhere (NaN
// included): relu'(0) = 0, and 0·dy keeps dy's NaN, ∞ and sign of zero as the
// generic product does. s is selected from bit patterns, not branched on:
// the sign of x is random in a network, which a branch would mispredict.
func ReLUGrad[T float32 | float64](dx, x, dy []T) {
	ParallelFor(len(dx), 3*len(dx), func(lo, hi int) {
		switch d := any(dx).(type) {
		case []float32:
			reluGrad32(d[lo:hi:hi], any(x).([]float32)[lo:hi:hi], any(dy).([]float32)[lo:hi:hi])
		case []float64:
			reluGrad64(d[lo:hi:hi], any(x).([]float64)[lo:hi:hi], any(dy).([]float64)[lo:hi:hi])
		}
	})
}

// reluGrad32 is ReLUGrad's float32 block (the batch-norm gate's too): the
// AVX-512 kernel where the CPU has it, else reluGrad32Go.
func reluGrad32(dx, x, dy []float32) {
	if useAVX512 {
		reluGradVec(dx, x, dy)
		return
	}
	reluGrad32Go(dx, x, dy)
}

// reluGrad32Go is reluGrad32 in Go, which reluGradVec reproduces bit for bit.
func reluGrad32Go(dx, x, dy []float32) {
	x, dy = x[:len(dx)], dy[:len(dx)]
	for i, v := range x {
		var one uint32
		if v > 0 {
			one = 0x3f800000 // 1.0
		}
		dx[i] = math.Float32frombits(one) * dy[i]
	}
}

func reluGrad64(dx, x, dy []float64) {
	x, dy = x[:len(dx)], dy[:len(dx)]
	for i, v := range x {
		var one uint64
		if v > 0 {
			one = 0x3ff0000000000000 // 1.0
		}
		dx[i] = math.Float64frombits(one) * dy[i]
	}
}
