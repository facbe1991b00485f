//go:build !amd64

package kernels

// Never reached off amd64 (useAVX512 is false): the generic loops serve.

func deinterleave2Vec(even, odd, src []float32) { panic("kernels: no AVX-512") }
func interleave2Vec(dst, even, odd []float32)   { panic("kernels: no AVX-512") }
func deinterleave2RowsVec(even, odd, src []float32, n, rows, ldEven, ldOdd, ldSrc int) {
	panic("kernels: no AVX-512")
}
func interleave2RowsVec(dst, even, odd []float32, n, rows, ldDst, ldEven, ldOdd int) {
	panic("kernels: no AVX-512")
}
