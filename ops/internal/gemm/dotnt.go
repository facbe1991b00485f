package gemm

import "fmt"

// DotNT computes C += A·Bᵀ for row-major A (m×k, row stride lda) and B
// (n×k, row stride ldb), both contiguous along k, and C (m×n, ldc): each
// entry of C gains the dot product of a row of A with a row of B.
//
// A filter gradient has exactly this form (dW += dy·colᵀ, both along the
// pixels), and Gemm would transpose both operands into its packed panels:
// on ResNet-20's first stage that packing cost as much as the arithmetic.
// Where the active kernel has a dot-product tile (AVX-512: 4 rows against
// 4 rows, 16 accumulators, the rows read in place), DotNT runs it over the
// whole blocks of 4 and finishes the edges with plain dot products;
// elsewhere it is GemmUnsplit(false, true, ..., beta = 1). It runs on the
// calling goroutine: its callers already split their work across cores.
func DotNT[T float32 | float64](m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("gemm: DotNT: negative size m=%d n=%d k=%d", m, n, k))
	}
	checkMatrix("a", a, m, k, lda)
	checkMatrix("b", b, n, k, ldb)
	checkMatrix("c", c, m, n, ldc)
	tile := kernelFor[T]().dotNT4x4
	if tile == nil || k == 0 {
		GemmUnsplit(false, true, m, n, k, 1, a, lda, b, ldb, 1, c, ldc)
		return
	}
	m4, n4 := m&^3, n&^3
	for i := 0; i < m4; i += 4 {
		for j := 0; j < n4; j += 4 {
			tile(k, &a[i*lda], lda, &b[j*ldb], ldb, &c[i*ldc+j], ldc)
		}
	}
	for i := range m { // the edges: rows past m4, and columns past n4 of the others
		j0 := n4
		if i >= m4 {
			j0 = 0
		}
		ai := a[i*lda : i*lda+k]
		for j := j0; j < n; j++ {
			c[i*ldc+j] += dot(ai, b[j*ldb:j*ldb+k])
		}
	}
}

// dot is Σ x[p]·y[p] in four independent sums.
func dot[T float32 | float64](x, y []T) T {
	y = y[:len(x)]
	var s0, s1, s2, s3 T
	p := 0
	for ; p+4 <= len(x); p += 4 {
		s0 += x[p] * y[p]
		s1 += x[p+1] * y[p+1]
		s2 += x[p+2] * y[p+2]
		s3 += x[p+3] * y[p+3]
	}
	for ; p < len(x); p++ {
		s0 += x[p] * y[p]
	}
	return (s0 + s1) + (s2 + s3)
}
