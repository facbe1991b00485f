package gemm

import "fmt"

// Gemm computes C = alpha·op(A)·op(B) + beta·C on row-major matrices, as
// BLAS ?gemm with CblasRowMajor; op(X) is X, or Xᵀ when transX is set.
// op(A) is m×k, so A is m×k (k×m when transA); op(B) is k×n, so B is k×n
// (n×k when transB); C is m×n. lda, ldb and ldc are the distances between
// consecutive rows of the stored A, B and C, at least their widths.
//
// beta = 0 overwrites C without reading it, so C may hold NaN or garbage.
// A call that is large enough is split over SetThreads goroutines.
func Gemm[T float32 | float64](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	gemm(true, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// GemmUnsplit is Gemm on the calling goroutine whatever the size, for
// callers that split their work across cores themselves: the conv passes
// run one image's products per call from every core at once, where
// splitting a product would only contend for the same workers.
func GemmUnsplit[T float32 | float64](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	gemm(false, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// gemm checks the arguments and runs the product, split across goroutines
// if split allows and the product is large enough.
func gemm[T float32 | float64](split, transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("gemm: negative size m=%d n=%d k=%d", m, n, k))
	}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	checkMatrix("a", a, ar, ac, lda)
	checkMatrix("b", b, br, bc, ldb)
	checkMatrix("c", c, m, n, ldc)
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || alpha == 0 {
		scale(m, n, beta, c, ldc)
		return
	}
	gemmParallel(kernelFor[T](), split, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// checkMatrix panics unless s can hold a rows×cols matrix with row stride ld.
func checkMatrix[T float32 | float64](name string, s []T, rows, cols, ld int) {
	if ld < max(1, cols) {
		panic(fmt.Sprintf("gemm: %s is %d×%d but its stride is %d", name, rows, cols, ld))
	}
	if rows > 0 && cols > 0 && len(s) < (rows-1)*ld+cols {
		panic(fmt.Sprintf("gemm: %s is %d×%d with stride %d, which needs %d elements, but has %d",
			name, rows, cols, ld, (rows-1)*ld+cols, len(s)))
	}
}

// scale sets C = beta·C; beta = 0 clears C, ignoring what it held.
func scale[T float32 | float64](m, n int, beta T, c []T, ldc int) {
	if beta == 1 {
		return
	}
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}
