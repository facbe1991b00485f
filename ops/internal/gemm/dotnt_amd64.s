#include "textflag.h"

// ROW4 adds the products of A row a (Z16+i) with the four B rows (Z20-Z23)
// to the accumulators c0-c3.
#define ROW4(a, c0, c1, c2, c3) \
	VFMADD231PS Z20, a, c0 \
	VFMADD231PS Z21, a, c1 \
	VFMADD231PS Z22, a, c2 \
	VFMADD231PS Z23, a, c3

// TILE multiplies the 4×4 rows whose next 16 lanes Z16-Z19 (A) and Z20-Z23
// (B) hold.
#define TILE \
	ROW4(Z16, Z0, Z1, Z2, Z3) \
	ROW4(Z17, Z4, Z5, Z6, Z7) \
	ROW4(Z18, Z8, Z9, Z10, Z11) \
	ROW4(Z19, Z12, Z13, Z14, Z15)

// FOLD folds the accumulators c0-c3 of one row of C to their four sums and
// adds them to that row at DX: 512 → 256 → 128 bits, then two rounds of
// horizontal adds leave [Σc0, Σc1, Σc2, Σc3] in c0's low lane.
#define FOLD(c0, c1, c2, c3, y0, y1, y2, y3, x0, x1, x2, x3) \
	VEXTRACTF64X4 $1, c0, Y16 \
	VADDPS Y16, y0, y0 \
	VEXTRACTF64X4 $1, c1, Y17 \
	VADDPS Y17, y1, y1 \
	VEXTRACTF64X4 $1, c2, Y18 \
	VADDPS Y18, y2, y2 \
	VEXTRACTF64X4 $1, c3, Y19 \
	VADDPS Y19, y3, y3 \
	VEXTRACTF32X4 $1, y0, X16 \
	VADDPS X16, x0, x0 \
	VEXTRACTF32X4 $1, y1, X17 \
	VADDPS X17, x1, x1 \
	VEXTRACTF32X4 $1, y2, X18 \
	VADDPS X18, x2, x2 \
	VEXTRACTF32X4 $1, y3, X19 \
	VADDPS X19, x3, x3 \
	VHADDPS x1, x0, x0 \
	VHADDPS x3, x2, x2 \
	VHADDPS x2, x0, x0 \
	VADDPS (DX), x0, x0 \
	VMOVUPS x0, (DX)

// func dotNT4x4F32AVX512(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int)
//
// C[i][j] += Σ_p A[i][p]·B[j][p] for i, j < 4: four rows of A against four
// rows of B, all contiguous along p, read in place. Z0-Z15 accumulate the 16
// products 16 lanes of p at a time (Z(4i+j) for A row i, B row j); a masked
// step takes the last k mod 16 (masked lanes are neither read nor summed);
// each row of 4 accumulators is then folded and added to C. lda, ldb and ldc
// count elements. A rows: SI, R11-R13; B rows: DI, R8, BX, AX; R9 is the
// byte offset along p. Needs AVX-512F and VL (the folds' 256/128-bit EVEX forms).
TEXT ·dotNT4x4F32AVX512(SB), NOSPLIT, $0-56
	MOVQ a+8(FP), SI
	MOVQ lda+16(FP), R10
	SHLQ $2, R10
	LEAQ (SI)(R10*1), R11
	LEAQ (R11)(R10*1), R12
	LEAQ (R12)(R10*1), R13
	MOVQ b+24(FP), DI
	MOVQ ldb+32(FP), R10
	SHLQ $2, R10
	LEAQ (DI)(R10*1), R8
	LEAQ (R8)(R10*1), BX
	LEAQ (BX)(R10*1), AX
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12
	VPXORD Z13, Z13, Z13
	VPXORD Z14, Z14, Z14
	VPXORD Z15, Z15, Z15
	XORQ R9, R9
	MOVQ k+0(FP), CX
	SHRQ $4, CX
	JZ tail

loop:
	VMOVUPS (SI)(R9*1), Z16
	VMOVUPS (R11)(R9*1), Z17
	VMOVUPS (R12)(R9*1), Z18
	VMOVUPS (R13)(R9*1), Z19
	VMOVUPS (DI)(R9*1), Z20
	VMOVUPS (R8)(R9*1), Z21
	VMOVUPS (BX)(R9*1), Z22
	VMOVUPS (AX)(R9*1), Z23
	TILE
	ADDQ $64, R9
	DECQ CX
	JNZ  loop

tail:
	MOVQ k+0(FP), CX
	ANDQ $15, CX
	JZ   reduce
	MOVL $1, R10
	SHLL CX, R10
	DECL R10
	KMOVW R10, K1 // the k mod 16 lanes left
	VMOVUPS.Z (SI)(R9*1), K1, Z16
	VMOVUPS.Z (R11)(R9*1), K1, Z17
	VMOVUPS.Z (R12)(R9*1), K1, Z18
	VMOVUPS.Z (R13)(R9*1), K1, Z19
	VMOVUPS.Z (DI)(R9*1), K1, Z20
	VMOVUPS.Z (R8)(R9*1), K1, Z21
	VMOVUPS.Z (BX)(R9*1), K1, Z22
	VMOVUPS.Z (AX)(R9*1), K1, Z23
	TILE

reduce:
	MOVQ c+40(FP), DX
	MOVQ ldc+48(FP), R10
	SHLQ $2, R10
	FOLD(Z0, Z1, Z2, Z3, Y0, Y1, Y2, Y3, X0, X1, X2, X3)
	ADDQ R10, DX
	FOLD(Z4, Z5, Z6, Z7, Y4, Y5, Y6, Y7, X4, X5, X6, X7)
	ADDQ R10, DX
	FOLD(Z8, Z9, Z10, Z11, Y8, Y9, Y10, Y11, X8, X9, X10, X11)
	ADDQ R10, DX
	FOLD(Z12, Z13, Z14, Z15, Y12, Y13, Y14, Y15, X12, X13, X14, X15)
	VZEROUPPER
	RET
