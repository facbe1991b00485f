#include "textflag.h"

// func copyRows128AVX(rows int, src unsafe.Pointer, stride int, dst unsafe.Pointer)
//
// Copies rows rows of 128 bytes, stride bytes apart in src, to adjacent
// rows of dst: one packed micro-panel of an untransposed B.
TEXT ·copyRows128AVX(SB), NOSPLIT, $0-32
	MOVQ rows+0(FP), CX
	MOVQ src+8(FP), SI
	MOVQ stride+16(FP), R8
	MOVQ dst+24(FP), DI
	TESTQ CX, CX
	JEQ  done128

loop128:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ R8, SI
	ADDQ $128, DI
	DECQ CX
	JNE  loop128

done128:
	VZEROUPPER
	RET

// func copyRows64AVX(rows int, src unsafe.Pointer, stride int, dst unsafe.Pointer)
//
// copyRows128AVX for rows of 64 bytes.
TEXT ·copyRows64AVX(SB), NOSPLIT, $0-32
	MOVQ rows+0(FP), CX
	MOVQ src+8(FP), SI
	MOVQ stride+16(FP), R8
	MOVQ dst+24(FP), DI
	TESTQ CX, CX
	JEQ  done64

loop64:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	ADDQ R8, SI
	ADDQ $64, DI
	DECQ CX
	JNE  loop64

done64:
	VZEROUPPER
	RET
