#include "textflag.h"

// The AVX-512 col2im gather (col2im_gather.go): each row of x, 16 columns
// at a time, adds up the kw taps of one kernel row in a register and is
// read and written once. A tap's lanes are those whose source column
// j = iw + pl − k lies in [0, ow) (one unsigned compare of j against ow)
// and whose iw lies in [0, w); the others are masked off, so neither read
// (even where their address lies before the row) nor added.

DATA gatherIota<>+0(SB)/4, $0
DATA gatherIota<>+4(SB)/4, $1
DATA gatherIota<>+8(SB)/4, $2
DATA gatherIota<>+12(SB)/4, $3
DATA gatherIota<>+16(SB)/4, $4
DATA gatherIota<>+20(SB)/4, $5
DATA gatherIota<>+24(SB)/4, $6
DATA gatherIota<>+28(SB)/4, $7
DATA gatherIota<>+32(SB)/4, $8
DATA gatherIota<>+36(SB)/4, $9
DATA gatherIota<>+40(SB)/4, $10
DATA gatherIota<>+44(SB)/4, $11
DATA gatherIota<>+48(SB)/4, $12
DATA gatherIota<>+52(SB)/4, $13
DATA gatherIota<>+56(SB)/4, $14
DATA gatherIota<>+60(SB)/4, $15
GLOBL gatherIota<>(SB), RODATA|NOPTR, $64

// func gatherTapsAVX512(x *float32, ldx, w int, src *float32, ldTap, ldRow, ow, kw, pl, rows int)
//
// x[r·ldx + iw] += Σ_k src[k·ldTap + r·ldRow + iw + pl − k] for r < rows,
// iw < w, over the taps k < kw whose column iw + pl − k lies in [0, ow),
// summed in tap order from +0 (strides in elements; the wrapper keeps
// w + pl, ow and kw below 2³⁰ so the columns fit in int32 lanes).
TEXT ·gatherTapsAVX512(SB), NOSPLIT, $0-80
	MOVQ         rows+72(FP), R13
	TESTQ        R13, R13
	JLE          gatherDone
	MOVQ         x+0(FP), DI
	MOVQ         ldx+8(FP), R8
	SHLQ         $2, R8                    // x row stride, bytes
	MOVQ         w+16(FP), DX
	MOVQ         src+24(FP), SI
	MOVQ         ldTap+32(FP), R9
	LEAQ         -4(R9*4), R9              // next tap, one column left: (ldTap − 1)·4
	MOVQ         ldRow+40(FP), R10
	SHLQ         $2, R10                   // src row stride, bytes
	MOVQ         ow+48(FP), AX
	VPBROADCASTD AX, Z30                   // ow in every lane
	MOVQ         kw+56(FP), R11
	MOVQ         pl+64(FP), R12
	VMOVDQU32    gatherIota<>(SB), Z31
	MOVL         $1, AX
	VPBROADCASTD AX, Z29                   // 1 in every lane
	MOVL         $0xffff, AX
	KMOVW        AX, K7                    // all 16 lanes

gatherRow:
	XORQ BX, BX // iw0

gatherBlock:
	// K1: the lanes iw0 + l < w.
	KMOVW K7, K1
	MOVQ  DX, CX
	SUBQ  BX, CX
	CMPQ  CX, $16
	JGE   gatherFull
	MOVL  $1, AX
	SHLL  CX, AX
	DECL  AX
	KMOVW AX, K1

gatherFull:
	// Z1: the lanes' columns j = iw0 + l + pl − k, from k = 0; AX: the
	// address of column iw0 + pl − k of tap k's row r.
	LEAQ         (BX)(R12*1), AX
	VPBROADCASTD AX, Z1
	VPADDD       Z31, Z1, Z1
	LEAQ         (SI)(AX*4), AX
	VXORPS       Z0, Z0, Z0                // acc = +0
	MOVQ         R11, CX
	TESTQ        CX, CX
	JLE          gatherAdd

gatherTap:
	VPCMPUD $1, Z30, Z1, K1, K2 // K2: lanes in [0, w) with 0 ≤ j < ow
	VADDPS  (AX), Z0, K2, Z0    // acc += tap on K2; the other lanes keep acc
	ADDQ    R9, AX
	VPSUBD  Z29, Z1, Z1
	DECQ    CX
	JNZ     gatherTap

gatherAdd:
	VMOVUPS.Z (DI)(BX*4), K1, Z2
	VADDPS    Z0, Z2, Z2         // x + acc
	VMOVUPS   Z2, K1, (DI)(BX*4)
	ADDQ      $16, BX
	CMPQ      BX, DX
	JLT       gatherBlock

	ADDQ R8, DI
	ADDQ R10, SI
	DECQ R13
	JNZ  gatherRow

gatherDone:
	VZEROUPPER
	RET
