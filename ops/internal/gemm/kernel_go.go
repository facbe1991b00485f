package gemm

import "unsafe"

// goKernel is the portable micro-kernel: a 4×4 tile held in 16 scalar
// accumulators, which fit arm64's 32 floating-point registers. (On amd64,
// with 16, it spills a little; it runs there only for tests and on CPUs
// without AVX2.)
func goKernel[T float32 | float64]() *kernel[T] {
	var zero T
	if unsafe.Sizeof(zero) == 4 {
		return &kernel[T]{name: "go", mr: 4, nr: 4, kc: 256, mc: 256, nc: 2048, fn: goKern4x4[T]}
	}
	return &kernel[T]{name: "go", mr: 4, nr: 4, kc: 256, mc: 128, nc: 2048, fn: goKern4x4[T]}
}

// goKern4x4 computes a 4×4 tile; see kernel.fn.
func goKern4x4[T float32 | float64](kc int, a, b *T, ldb int, c *T, ldc int, beta T) {
	ap := unsafe.Slice(a, 4*kc)
	bp := unsafe.Slice(b, (kc-1)*ldb+4)
	var c00, c01, c02, c03, c10, c11, c12, c13 T
	var c20, c21, c22, c23, c30, c31, c32, c33 T
	for p := 0; p < kc; p++ {
		// B's row is loaded once and A's values one at a time, which keeps
		// 21 values live: all in registers on arm64, a few spills on amd64.
		bv, av := bp[p*ldb:p*ldb+4:p*ldb+4], ap[p*4:p*4+4:p*4+4]
		b0, b1, b2, b3 := bv[0], bv[1], bv[2], bv[3]
		a := av[0]
		c00 += a * b0
		c01 += a * b1
		c02 += a * b2
		c03 += a * b3
		a = av[1]
		c10 += a * b0
		c11 += a * b1
		c12 += a * b2
		c13 += a * b3
		a = av[2]
		c20 += a * b0
		c21 += a * b1
		c22 += a * b2
		c23 += a * b3
		a = av[3]
		c30 += a * b0
		c31 += a * b1
		c32 += a * b2
		c33 += a * b3
	}
	cs := unsafe.Slice(c, 3*ldc+4)
	rows := [4][4]T{
		{c00, c01, c02, c03},
		{c10, c11, c12, c13},
		{c20, c21, c22, c23},
		{c30, c31, c32, c33},
	}
	for i := range rows {
		row := cs[i*ldc : i*ldc+4 : i*ldc+4]
		if beta == 0 { // overwrite: C may hold NaN garbage
			copy(row, rows[i][:])
			continue
		}
		for j := range row {
			row[j] = rows[i][j] + beta*row[j]
		}
	}
}
