//go:build !amd64

package kernels

// useAVX512 is false off amd64: the Go loops serve, and the *Vec names below
// (never reached) only keep the callers portable.
var useAVX512 = false

func affineVec(y, x []float32, a, b float64)          { affineGo(y, x, a, b) }
func affine2Vec(dx, dy, x []float32, a, b, c float64) { affine2Go(dx, dy, x, a, b, c) }
func shiftedSumsVec(b []float32, k float64) (sum, sq float64) {
	return shiftedSumsGo(b, k)
}
func centeredDotsVec(x, dy []float32, mu float64) (sum, dot float64) {
	return centeredDotsGo(x, dy, mu)
}
func reluVec(y, x []float32)          { reluGo(y, x) }
func sumVec(y, a, b []float32)        { sumGo(y, a, b) }
func reluGradVec(dx, x, dy []float32) { reluGrad32Go(dx, x, dy) }
