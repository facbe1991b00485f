#include "textflag.h"

// AVX-512 kernels that split rows into their even and odd elements and put
// them back together, for the phases of strided convolutions
// (conv_lower.go's deinterleave2 and interleave2 on float32, and whole
// planes of rows at once). Each row has n pairs, 16 per iteration, then one
// masked iteration for the last n mod 16, whose masked-off lanes are
// neither read nor written.

DATA evenIdx<>+0(SB)/4, $0
DATA evenIdx<>+4(SB)/4, $2
DATA evenIdx<>+8(SB)/4, $4
DATA evenIdx<>+12(SB)/4, $6
DATA evenIdx<>+16(SB)/4, $8
DATA evenIdx<>+20(SB)/4, $10
DATA evenIdx<>+24(SB)/4, $12
DATA evenIdx<>+28(SB)/4, $14
DATA evenIdx<>+32(SB)/4, $16
DATA evenIdx<>+36(SB)/4, $18
DATA evenIdx<>+40(SB)/4, $20
DATA evenIdx<>+44(SB)/4, $22
DATA evenIdx<>+48(SB)/4, $24
DATA evenIdx<>+52(SB)/4, $26
DATA evenIdx<>+56(SB)/4, $28
DATA evenIdx<>+60(SB)/4, $30
GLOBL evenIdx<>(SB), RODATA|NOPTR, $64

DATA oddIdx<>+0(SB)/4, $1
DATA oddIdx<>+4(SB)/4, $3
DATA oddIdx<>+8(SB)/4, $5
DATA oddIdx<>+12(SB)/4, $7
DATA oddIdx<>+16(SB)/4, $9
DATA oddIdx<>+20(SB)/4, $11
DATA oddIdx<>+24(SB)/4, $13
DATA oddIdx<>+28(SB)/4, $15
DATA oddIdx<>+32(SB)/4, $17
DATA oddIdx<>+36(SB)/4, $19
DATA oddIdx<>+40(SB)/4, $21
DATA oddIdx<>+44(SB)/4, $23
DATA oddIdx<>+48(SB)/4, $25
DATA oddIdx<>+52(SB)/4, $27
DATA oddIdx<>+56(SB)/4, $29
DATA oddIdx<>+60(SB)/4, $31
GLOBL oddIdx<>(SB), RODATA|NOPTR, $64

DATA loIdx<>+0(SB)/4, $0
DATA loIdx<>+4(SB)/4, $16
DATA loIdx<>+8(SB)/4, $1
DATA loIdx<>+12(SB)/4, $17
DATA loIdx<>+16(SB)/4, $2
DATA loIdx<>+20(SB)/4, $18
DATA loIdx<>+24(SB)/4, $3
DATA loIdx<>+28(SB)/4, $19
DATA loIdx<>+32(SB)/4, $4
DATA loIdx<>+36(SB)/4, $20
DATA loIdx<>+40(SB)/4, $5
DATA loIdx<>+44(SB)/4, $21
DATA loIdx<>+48(SB)/4, $6
DATA loIdx<>+52(SB)/4, $22
DATA loIdx<>+56(SB)/4, $7
DATA loIdx<>+60(SB)/4, $23
GLOBL loIdx<>(SB), RODATA|NOPTR, $64

DATA hiIdx<>+0(SB)/4, $8
DATA hiIdx<>+4(SB)/4, $24
DATA hiIdx<>+8(SB)/4, $9
DATA hiIdx<>+12(SB)/4, $25
DATA hiIdx<>+16(SB)/4, $10
DATA hiIdx<>+20(SB)/4, $26
DATA hiIdx<>+24(SB)/4, $11
DATA hiIdx<>+28(SB)/4, $27
DATA hiIdx<>+32(SB)/4, $12
DATA hiIdx<>+36(SB)/4, $28
DATA hiIdx<>+40(SB)/4, $13
DATA hiIdx<>+44(SB)/4, $29
DATA hiIdx<>+48(SB)/4, $14
DATA hiIdx<>+52(SB)/4, $30
DATA hiIdx<>+56(SB)/4, $15
DATA hiIdx<>+60(SB)/4, $31
GLOBL hiIdx<>(SB), RODATA|NOPTR, $64

// PAIRMASKS sets, for CX = r < 16 pairs, K1 and K2 to the low 2r bits
// split into the two vectors of a row's 2r values, and K3 to the low r
// bits. It clobbers AX, CX and R8.
#define PAIRMASKS \
	MOVQ  CX, R8; \
	ADDQ  CX, CX; \
	MOVL  $1, AX; \
	SHLL  CX, AX; \
	DECL  AX; \
	KMOVW AX, K1; \
	SHRL  $16, AX; \
	KMOVW AX, K2; \
	MOVQ  R8, CX; \
	MOVL  $1, AX; \
	SHLL  CX, AX; \
	DECL  AX; \
	KMOVW AX, K3

// SPLIT permutes the 32 values in Z0, Z1 into their even (Z2) and odd (Z3)
// elements.
#define SPLIT \
	VMOVAPS   Z14, Z2; \
	VPERMI2PS Z1, Z0, Z2; \
	VMOVAPS   Z15, Z3; \
	VPERMI2PS Z1, Z0, Z3

// func deinterleave2RowsAVX512(even, odd, src *float32, n, rows, ldEven, ldOdd, ldSrc int)
//
// even[r·ldEven + j] = src[r·ldSrc + 2j], odd[r·ldOdd + j] = src[r·ldSrc + 2j+1]
// for j < n, r < rows (strides in elements).
TEXT ·deinterleave2RowsAVX512(SB), NOSPLIT, $0-64
	MOVQ      rows+32(FP), R9
	TESTQ     R9, R9
	JEQ       deinterleaveDone
	MOVQ      even+0(FP), R10
	MOVQ      odd+8(FP), R11
	MOVQ      src+16(FP), R12
	VMOVDQU32 evenIdx<>(SB), Z14
	VMOVDQU32 oddIdx<>(SB), Z15

deinterleaveRow:
	MOVQ R10, DI
	MOVQ R11, DX
	MOVQ R12, SI
	MOVQ n+24(FP), CX
	CMPQ CX, $16
	JLT  deinterleaveTail

deinterleaveLoop:
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z1
	SPLIT
	VMOVUPS Z2, (DI)
	VMOVUPS Z3, (DX)
	ADDQ    $128, SI
	ADDQ    $64, DI
	ADDQ    $64, DX
	SUBQ    $16, CX
	CMPQ    CX, $16
	JGE     deinterleaveLoop

deinterleaveTail:
	TESTQ     CX, CX
	JEQ       deinterleaveNext
	PAIRMASKS
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS.Z 64(SI), K2, Z1
	SPLIT
	VMOVUPS   Z2, K3, (DI)
	VMOVUPS   Z3, K3, (DX)

deinterleaveNext:
	MOVQ ldEven+40(FP), AX
	LEAQ (R10)(AX*4), R10
	MOVQ ldOdd+48(FP), AX
	LEAQ (R11)(AX*4), R11
	MOVQ ldSrc+56(FP), AX
	LEAQ (R12)(AX*4), R12
	DECQ R9
	JNZ  deinterleaveRow

deinterleaveDone:
	VZEROUPPER
	RET

// MERGE interleaves the 16 values in Z0 (even) and Z1 (odd) into Z2 (the
// first 32 values' low half) and Z3.
#define MERGE \
	VMOVAPS   Z12, Z2; \
	VPERMI2PS Z1, Z0, Z2; \
	VMOVAPS   Z13, Z3; \
	VPERMI2PS Z1, Z0, Z3

// func interleave2RowsAVX512(dst, even, odd *float32, n, rows, ldDst, ldEven, ldOdd int)
//
// dst[r·ldDst + 2j] = even[r·ldEven + j], dst[r·ldDst + 2j+1] = odd[r·ldOdd + j]
// for j < n, r < rows.
TEXT ·interleave2RowsAVX512(SB), NOSPLIT, $0-64
	MOVQ      rows+32(FP), R9
	TESTQ     R9, R9
	JEQ       interleaveDone
	MOVQ      dst+0(FP), R10
	MOVQ      even+8(FP), R11
	MOVQ      odd+16(FP), R12
	VMOVDQU32 loIdx<>(SB), Z12
	VMOVDQU32 hiIdx<>(SB), Z13

interleaveRow:
	MOVQ R10, DI
	MOVQ R11, SI
	MOVQ R12, DX
	MOVQ n+24(FP), CX
	CMPQ CX, $16
	JLT  interleaveTail

interleaveLoop:
	VMOVUPS (SI), Z0
	VMOVUPS (DX), Z1
	MERGE
	VMOVUPS Z2, (DI)
	VMOVUPS Z3, 64(DI)
	ADDQ    $64, SI
	ADDQ    $64, DX
	ADDQ    $128, DI
	SUBQ    $16, CX
	CMPQ    CX, $16
	JGE     interleaveLoop

interleaveTail:
	TESTQ     CX, CX
	JEQ       interleaveNext
	PAIRMASKS
	VMOVUPS.Z (SI), K3, Z0
	VMOVUPS.Z (DX), K3, Z1
	MERGE
	VMOVUPS   Z2, K1, (DI)
	VMOVUPS   Z3, K2, 64(DI)

interleaveNext:
	MOVQ ldDst+40(FP), AX
	LEAQ (R10)(AX*4), R10
	MOVQ ldEven+48(FP), AX
	LEAQ (R11)(AX*4), R11
	MOVQ ldOdd+56(FP), AX
	LEAQ (R12)(AX*4), R12
	DECQ R9
	JNZ  interleaveRow

interleaveDone:
	VZEROUPPER
	RET
