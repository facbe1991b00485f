package kernels

import "golang.org/x/sys/cpu"

// useAVX512 sends the float32 batch-norm and ReLU passes to the AVX-512
// kernels of vec_amd64.s; a variable so tests can force the Go loops.
var useAVX512 = cpu.X86.HasAVX512F

// The *Vec functions run the kernels on slices: x sets the length, and the
// other slices must be at least as long (checked here, as the Go loops'
// indexing would, before any pointer reaches the assembly).

// affineVec is affineGo for float32.
func affineVec(y, x []float32, a, b float64) {
	if len(x) > 0 {
		affineAVX512(&y[:len(x)][0], &x[0], len(x), a, b)
	}
}

// affine2Vec is affine2Go for float32.
func affine2Vec(dx, dy, x []float32, a, b, c float64) {
	if len(dy) > 0 {
		affine2AVX512(&dx[:len(dy)][0], &dy[0], &x[:len(dy)][0], len(dy), a, b, c)
	}
}

// shiftedSumsVec is shiftedSumsGo for float32, in another summation order.
func shiftedSumsVec(b []float32, k float64) (sum, sq float64) {
	if len(b) == 0 {
		return 0, 0
	}
	return shiftedSumsAVX512(&b[0], len(b), k)
}

// centeredDotsVec is centeredDotsGo for float32, in another summation order.
func centeredDotsVec(x, dy []float32, mu float64) (sum, dot float64) {
	if len(x) == 0 {
		return 0, 0
	}
	return centeredDotsAVX512(&x[0], &dy[:len(x)][0], len(x), mu)
}

// sumVec is sumGo for float32: y = a + b (y may be a: y += b).
func sumVec(y, a, b []float32) {
	if len(y) > 0 {
		sumAVX512(&y[0], &a[:len(y)][0], &b[:len(y)][0], len(y))
	}
}

// reluVec is reluGo for float32.
func reluVec(y, x []float32) {
	if len(x) > 0 {
		reluAVX512(&y[:len(x)][0], &x[0], len(x))
	}
}

// reluGradVec is reluGrad32.
func reluGradVec(dx, x, dy []float32) {
	if len(dx) > 0 {
		reluGradAVX512(&dx[0], &x[:len(dx)][0], &dy[:len(dx)][0], len(dx))
	}
}

//go:noescape
func affineAVX512(y, x *float32, n int, a, b float64)

//go:noescape
func affine2AVX512(dx, dy, x *float32, n int, a, b, c float64)

//go:noescape
func shiftedSumsAVX512(x *float32, n int, k float64) (sum, sq float64)

//go:noescape
func centeredDotsAVX512(x, dy *float32, n int, mu float64) (sum, dot float64)

//go:noescape
func reluAVX512(y, x *float32, n int)

//go:noescape
func reluGradAVX512(dx, x, dy *float32, n int)

//go:noescape
func sumAVX512(y, a, b *float32, n int)
