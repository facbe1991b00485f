#include "textflag.h"

// func transpose8F32AVX(n int, src *float32, lds int, dst *float32, ldd int, alpha float32)
//
// dst[p*ldd+r] = alpha*src[r*lds+p] for r < 8, p < n (a multiple of 8):
// the classic AVX 8×8 transpose (unpack, shuffle, lane permute), one
// 8×8 block per iteration. lds and ldd are in elements.
TEXT ·transpose8F32AVX(SB), NOSPLIT, $0-44
	MOVQ n+0(FP), CX
	MOVQ src+8(FP), SI
	MOVQ lds+16(FP), R8
	MOVQ dst+24(FP), DI
	MOVQ ldd+32(FP), DX
	VBROADCASTSS alpha+40(FP), Y15
	SHLQ $2, R8                // row stride of src in bytes
	SHLQ $2, DX                // row stride of dst in bytes
	LEAQ (R8)(R8*2), R9        // 3 rows
	LEAQ (SI)(R8*4), R10       // row 4
	LEAQ (DX)(DX*2), R11       // 3 dst rows
	SHRQ $3, CX
	JEQ  done

loop:
	VMULPS (SI), Y15, Y0
	VMULPS (SI)(R8*1), Y15, Y1
	VMULPS (SI)(R8*2), Y15, Y2
	VMULPS (SI)(R9*1), Y15, Y3
	VMULPS (R10), Y15, Y4
	VMULPS (R10)(R8*1), Y15, Y5
	VMULPS (R10)(R8*2), Y15, Y6
	VMULPS (R10)(R9*1), Y15, Y7

	VUNPCKLPS Y1, Y0, Y8  // r0p0 r1p0 r0p1 r1p1 | p4 p5
	VUNPCKHPS Y1, Y0, Y9  // r0p2 r1p2 r0p3 r1p3 | p6 p7
	VUNPCKLPS Y3, Y2, Y10
	VUNPCKHPS Y3, Y2, Y11
	VUNPCKLPS Y5, Y4, Y12
	VUNPCKHPS Y5, Y4, Y13
	VUNPCKLPS Y7, Y6, Y14
	VUNPCKHPS Y7, Y6, Y0

	VSHUFPS $0x44, Y10, Y8, Y1  // rows 0-3 of p0 | p4
	VSHUFPS $0xEE, Y10, Y8, Y2  // p1 | p5
	VSHUFPS $0x44, Y11, Y9, Y3  // p2 | p6
	VSHUFPS $0xEE, Y11, Y9, Y4  // p3 | p7
	VSHUFPS $0x44, Y14, Y12, Y5 // rows 4-7 of p0 | p4
	VSHUFPS $0xEE, Y14, Y12, Y6
	VSHUFPS $0x44, Y0, Y13, Y7
	VSHUFPS $0xEE, Y0, Y13, Y8

	VPERM2F128 $0x20, Y5, Y1, Y9
	VPERM2F128 $0x31, Y5, Y1, Y10
	VPERM2F128 $0x20, Y6, Y2, Y11
	VPERM2F128 $0x31, Y6, Y2, Y12
	VPERM2F128 $0x20, Y7, Y3, Y13
	VPERM2F128 $0x31, Y7, Y3, Y14
	VPERM2F128 $0x20, Y8, Y4, Y0
	VPERM2F128 $0x31, Y8, Y4, Y1

	VMOVUPS Y9, (DI)          // p0
	VMOVUPS Y11, (DI)(DX*1)   // p1
	VMOVUPS Y13, (DI)(DX*2)   // p2
	VMOVUPS Y0, (DI)(R11*1)   // p3
	LEAQ    (DI)(DX*4), DI
	VMOVUPS Y10, (DI)         // p4
	VMOVUPS Y12, (DI)(DX*1)   // p5
	VMOVUPS Y14, (DI)(DX*2)   // p6
	VMOVUPS Y1, (DI)(R11*1)   // p7
	LEAQ    (DI)(DX*4), DI

	ADDQ $32, SI
	ADDQ $32, R10
	DECQ CX
	JNE  loop

done:
	VZEROUPPER
	RET

// func transpose8F64AVX(n int, src *float64, lds int, dst *float64, ldd int, alpha float64)
//
// The float64 twin of transpose8F32AVX: two 4×4 transposes (unpack, lane
// permute) per 4 columns, for rows 0-3 and 4-7.
TEXT ·transpose8F64AVX(SB), NOSPLIT, $0-48
	MOVQ n+0(FP), CX
	MOVQ src+8(FP), SI
	MOVQ lds+16(FP), R8
	MOVQ dst+24(FP), DI
	MOVQ ldd+32(FP), DX
	VBROADCASTSD alpha+40(FP), Y15
	SHLQ $3, R8
	SHLQ $3, DX
	LEAQ (R8)(R8*2), R9
	LEAQ (SI)(R8*4), R10
	LEAQ (DX)(DX*2), R11
	SHRQ $2, CX
	JEQ  done64

loop64:
	VMULPD (SI), Y15, Y0
	VMULPD (SI)(R8*1), Y15, Y1
	VMULPD (SI)(R8*2), Y15, Y2
	VMULPD (SI)(R9*1), Y15, Y3
	VMULPD (R10), Y15, Y4
	VMULPD (R10)(R8*1), Y15, Y5
	VMULPD (R10)(R8*2), Y15, Y6
	VMULPD (R10)(R9*1), Y15, Y7

	VUNPCKLPD Y1, Y0, Y8  // r0p0 r1p0 | r0p2 r1p2
	VUNPCKHPD Y1, Y0, Y9  // r0p1 r1p1 | r0p3 r1p3
	VUNPCKLPD Y3, Y2, Y10
	VUNPCKHPD Y3, Y2, Y11
	VUNPCKLPD Y5, Y4, Y12
	VUNPCKHPD Y5, Y4, Y13
	VUNPCKLPD Y7, Y6, Y14
	VUNPCKHPD Y7, Y6, Y0

	VPERM2F128 $0x20, Y10, Y8, Y1 // rows 0-3 of p0
	VPERM2F128 $0x31, Y10, Y8, Y2 // p2
	VPERM2F128 $0x20, Y11, Y9, Y3 // p1
	VPERM2F128 $0x31, Y11, Y9, Y4 // p3
	VPERM2F128 $0x20, Y14, Y12, Y5 // rows 4-7 of p0
	VPERM2F128 $0x31, Y14, Y12, Y6
	VPERM2F128 $0x20, Y0, Y13, Y7
	VPERM2F128 $0x31, Y0, Y13, Y8

	VMOVUPD Y1, (DI)
	VMOVUPD Y5, 32(DI)
	VMOVUPD Y3, (DI)(DX*1)
	VMOVUPD Y7, 32(DI)(DX*1)
	VMOVUPD Y2, (DI)(DX*2)
	VMOVUPD Y6, 32(DI)(DX*2)
	VMOVUPD Y4, (DI)(R11*1)
	VMOVUPD Y8, 32(DI)(R11*1)
	LEAQ    (DI)(DX*4), DI

	ADDQ $32, SI
	ADDQ $32, R10
	DECQ CX
	JNE  loop64

done64:
	VZEROUPPER
	RET
