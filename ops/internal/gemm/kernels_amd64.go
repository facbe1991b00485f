package gemm

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

//go:generate go run gen_kernels.go

// The assembly micro-kernels (kern_*_amd64.s, written by gen_kernels.go).
// Each computes C = A·B + beta·C on one full tile; see kernel.fn.

//go:noescape
func kernF32AVX512(kc int, a, b *float32, ldb int, c *float32, ldc int, beta float32)

//go:noescape
func kernF64AVX512(kc int, a, b *float64, ldb int, c *float64, ldc int, beta float64)

//go:noescape
func kernF32AVX2(kc int, a, b *float32, ldb int, c *float32, ldc int, beta float32)

//go:noescape
func kernF64AVX2(kc int, a, b *float64, ldb int, c *float64, ldc int, beta float64)

// platformPaths returns the assembly paths this CPU supports, fastest first.
//
// Tiles: AVX-512 keeps an 8×2-vector tile in 16 of its 32 registers (8×32
// float32, 8×16 float64), so each k step issues 16 FMAs against 2 loads and
// 8 broadcasts, and 16 independent accumulators cover the FMA latency of
// both pipes. AVX2 has only 16 registers: a 6×2-vector tile uses 12 for
// accumulators, 2 for B and 2 for broadcasts.
//
// Blocking: kc·nr of B is 32 KiB (fits L1 with room for A), mc·kc of A
// is 512 KiB (half a Zen 4/5 L2), kc·nc of B is 4 MiB (L3).
func platformPaths() []*path {
	var ps []*path
	if cpu.X86.HasAVX512F {
		k32 := &kernel[float32]{name: "avx512", mr: 8, nr: 32, kc: 256, mc: 512, nc: 4096, fn: kernF32AVX512, transpose8: transpose8F32AVX, copyRows: copyRows128AVX}
		if cpu.X86.HasAVX512VL { // the fold of its sums uses 256- and 128-bit EVEX forms
			k32.dotNT4x4 = dotNT4x4F32AVX512
		}
		ps = append(ps, &path{"avx512", k32,
			&kernel[float64]{name: "avx512", mr: 8, nr: 16, kc: 256, mc: 256, nc: 2048, fn: kernF64AVX512, transpose8: transpose8F64AVX, copyRows: copyRows128AVX},
		})
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		ps = append(ps, &path{"avx2",
			&kernel[float32]{name: "avx2", mr: 6, nr: 16, kc: 256, mc: 510, nc: 4096, fn: kernF32AVX2, transpose8: transpose8F32AVX, copyRows: copyRows64AVX},
			&kernel[float64]{name: "avx2", mr: 6, nr: 8, kc: 256, mc: 252, nc: 2048, fn: kernF64AVX2, transpose8: transpose8F64AVX, copyRows: copyRows64AVX},
		})
	}
	return ps
}

// transpose8F32AVX sets dst[p*ldd+r] = alpha*src[r*lds+p] for r < 8 and
// p < n, n a multiple of 8 (transpose_amd64.s). It packs the panels that
// need a transpose, which a scalar loop does at under one value per cycle.
//
//go:noescape
func transpose8F32AVX(n int, src *float32, lds int, dst *float32, ldd int, alpha float32)

// transpose8F64AVX is transpose8F32AVX for float64.
//
//go:noescape
func transpose8F64AVX(n int, src *float64, lds int, dst *float64, ldd int, alpha float64)

// copyRows128AVX and copyRows64AVX copy rows rows of 128 or 64 bytes,
// stride bytes apart, to adjacent rows of dst (copy_amd64.s): a micro-panel
// of an untransposed B, without a memmove call per row, which costs as
// much as the copy at these lengths.
//
//go:noescape
func copyRows128AVX(rows int, src unsafe.Pointer, stride int, dst unsafe.Pointer)

//go:noescape
func copyRows64AVX(rows int, src unsafe.Pointer, stride int, dst unsafe.Pointer)

// dotNT4x4F32AVX512 adds to the 4×4 block of C at c (row stride ldc) the
// dot products of 4 rows of A (stride lda) with 4 rows of B (stride ldb)
// over k (dotnt_amd64.s); strides count elements.
//
//go:noescape
func dotNT4x4F32AVX512(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int)
