#include "textflag.h"

// AVX-512 plane transforms of Winograd's F(2×2, 3×3) (winograd_amd64.go
// declares them; winograd_planes.go defines them in Go). Each call does one
// channel plane; a zmm vector holds 16 consecutive tiles t = ty·tw + tx, as
// the streams do:
//
//   - tw = 8: two tile rows per vector (lanes 0-7 and 8-15),
//   - tw = 4: four tile rows per vector (lanes 4k … 4k+3),
//   - any other tw: one tile row per vector, in blocks of 16 tiles (the
//     last one masked), column blocks outside and tile rows inside.
//
// On the image side, a tile row's values are loaded with masked loads (the
// halves or quarters of a vector coming from different rows for tw = 8 and
// 4) and split into even and odd columns with VPERMT2PS; outputs are
// interleaved back the same way and written with masked stores. Rows
// outside the plane are read from a zero row (input, gradient) or written
// to a scratch row in the frame (output): a CMOV picks the row's
// pointer, so that the loops have no branches but their own. Columns
// outside the plane are masked off, so the planes are read and written
// within their rows only.
//
// A masked access whose masked-off lanes fall on a page that is not
// present (never touched, or given back to the OS) takes a microcode
// assist, some 500 cycles on the machine measured, each time. The vectors
// at an operand's ends (a plane's first and last rows, the streams' last
// partial vector) reach up to 40 bytes before it and 136 after: with planes
// and streams inside larger buffers that is the buffers' own memory, but
// for the first and last planes of a tensor, where a call may cost that
// much more. (A masked store whose 64 bytes cross a page costs some 20
// cycles more, present or not; in planes aligned as in a tensor, the
// stores' windows stay within their rows, or pairs of rows for tw = 4.)
//
// The input transform computes h = d B once per input row: a tile row's
// rows 2 and 3 are the next one's rows 0 and 1; with tw = 8 and 4 those
// are assembled from this vector's and the next one's h vectors by
// VALIGND.
//
// The arithmetic is that of the Go loops, operation for operation (no FMA,
// no reassociation), so the results are the same bits; negation flips the
// sign bit, as Go's does. Where two NaNs meet in an addition, which payload
// survives may differ from the Go code (the operands of a commutative
// addition are not always in the order the compiler emits).
//
// The kernels use AVX-512F instructions only (and base x86-64).

// winoIdx holds the VPERMT2PS index vectors: the even lanes of a pair of
// vectors (A, B), their odd lanes, and the low and high halves of the
// interleaving of a pair (E, O).
DATA winoIdx<>+0(SB)/8, $0x0000000200000000
DATA winoIdx<>+8(SB)/8, $0x0000000600000004
DATA winoIdx<>+16(SB)/8, $0x0000000a00000008
DATA winoIdx<>+24(SB)/8, $0x0000000e0000000c
DATA winoIdx<>+32(SB)/8, $0x0000001200000010
DATA winoIdx<>+40(SB)/8, $0x0000001600000014
DATA winoIdx<>+48(SB)/8, $0x0000001a00000018
DATA winoIdx<>+56(SB)/8, $0x0000001e0000001c
DATA winoIdx<>+64(SB)/8, $0x0000000300000001
DATA winoIdx<>+72(SB)/8, $0x0000000700000005
DATA winoIdx<>+80(SB)/8, $0x0000000b00000009
DATA winoIdx<>+88(SB)/8, $0x0000000f0000000d
DATA winoIdx<>+96(SB)/8, $0x0000001300000011
DATA winoIdx<>+104(SB)/8, $0x0000001700000015
DATA winoIdx<>+112(SB)/8, $0x0000001b00000019
DATA winoIdx<>+120(SB)/8, $0x0000001f0000001d
DATA winoIdx<>+128(SB)/8, $0x0000001000000000
DATA winoIdx<>+136(SB)/8, $0x0000001100000001
DATA winoIdx<>+144(SB)/8, $0x0000001200000002
DATA winoIdx<>+152(SB)/8, $0x0000001300000003
DATA winoIdx<>+160(SB)/8, $0x0000001400000004
DATA winoIdx<>+168(SB)/8, $0x0000001500000005
DATA winoIdx<>+176(SB)/8, $0x0000001600000006
DATA winoIdx<>+184(SB)/8, $0x0000001700000007
DATA winoIdx<>+192(SB)/8, $0x0000001800000008
DATA winoIdx<>+200(SB)/8, $0x0000001900000009
DATA winoIdx<>+208(SB)/8, $0x0000001a0000000a
DATA winoIdx<>+216(SB)/8, $0x0000001b0000000b
DATA winoIdx<>+224(SB)/8, $0x0000001c0000000c
DATA winoIdx<>+232(SB)/8, $0x0000001d0000000d
DATA winoIdx<>+240(SB)/8, $0x0000001e0000000e
DATA winoIdx<>+248(SB)/8, $0x0000001f0000000f
GLOBL winoIdx<>(SB), RODATA|NOPTR, $256

// ROWPTR sets dst to the pointer of the next row and steps to the row
// after: base + R8 if R8 (the row's offset in bytes, row · R10) is in
// [0, R9), else R11 (the zero or scratch row). R8 += R10.
#define ROWPTR(base, dst) \
	LEAQ    (base)(R8*1), dst; \
	CMPQ    R8, R9; \
	CMOVQCC R11, dst; \
	ADDQ    R10, R8

// winoZero holds the zero row, the row that rows outside the plane are
// read from (input, gradient): a window of 168 bytes of it, from 32 before
// the row's pointer to 136 after, as far as the loads reach.
GLOBL winoZero<>(SB), NOPTR, $512

// ZEROROW points R11 at the zero row: 32 bytes into a window of winoZero
// that lies on one page. A masked load whose masked-off lanes fall on a
// page that is not present costs a microcode assist (see above); the
// window's page is present once any load has read from it, and the other
// lanes stay on it. (A zero row in the frame would do as well, but loads
// right after the stores that zero it stall.)
#define ZEROROW \
	LEAQ winoZero<>(SB), R11; \
	LEAQ 168(R11), AX; \
	XORQ R11, AX; \
	SHRQ $12, AX; \
	JEQ  3(PC); \
	ADDQ $4095, R11; \
	ANDQ $-4096, R11; \
	ADDQ $32, R11

// LOWBITS sets dst to the CX low bits (0 ≤ CX ≤ 63).
#define LOWBITS(dst) \
	MOVQ $1, dst; \
	SHLQ CX, dst; \
	DECQ dst

// STEPMASK sets K5 to the min(BX, 16) low bits: the lanes of this vector
// that hold tiles. AX and CX are scratch.
#define STEPMASK \
	MOVQ    $16, CX; \
	CMPQ    BX, CX; \
	CMOVQLT BX, CX; \
	LOWBITS(AX); \
	KMOVW   AX, K5

// NEXT16 steps to the next vector of 16 tiles (BX left, streams at q), or
// jumps to done when none is left.
#define NEXT16(q, done) \
	SUBQ $16, BX; \
	JLE  done; \
	ADDQ $64, q; \
	STEPMASK

// STORE4 stores Z16 … Z19 to the four streams at q, q + DX, q + 2·DX and
// q + 3·DX (R12 = 3·DX) under K5.
#define STORE4(q) \
	VMOVUPS Z16, K5, (q); \
	VMOVUPS Z17, K5, (q)(DX*1); \
	VMOVUPS Z18, K5, (q)(DX*2); \
	VMOVUPS Z19, K5, (q)(R12*1)

// COMBINE4 sets Z16 … Z19 to a_j op b_j.
#define COMBINE4(op, a0, a1, a2, a3, b0, b1, b2, b3) \
	op b0, a0, Z16; \
	op b1, a1, Z17; \
	op b2, a2, Z18; \
	op b3, a3, Z19

// HSPLIT splits the even and odd lanes of (A, B) into d0, d1 and those of
// (A2, B2) into d2, d3, and sets h0 … h3 to h = d B: {d0 − d2, d1 + d2,
// d2 − d1, d1 − d3}. A and A2 are clobbered.
#define HSPLIT(A, B, A2, B2, h0, h1, h2, h3) \
	VMOVAPS   A, h1; \
	VPERMT2PS B, Z30, A; \
	VPERMT2PS B, Z31, h1; \
	VMOVAPS   A2, h3; \
	VPERMT2PS B2, Z30, A2; \
	VPERMT2PS B2, Z31, h3; \
	VSUBPS    A2, A, h0; \
	VSUBPS    h3, h1, h3; \
	VSUBPS    h1, A2, h2; \
	VADDPS    A2, h1, h1

// INSTORE writes V = Bᵀ d B to the 16 streams at DI under K5, from the h
// vectors of the tiles' rows 0 (a), 1 (b), 2 (c) and 3 (e): streams 0-3
// get h0 − h2, 4-7 h2 + h1, 8-11 h2 − h1, 12-15 h1 − h3. AX is scratch.
#define INSTORE(a0, a1, a2, a3, b0, b1, b2, b3, c0, c1, c2, c3, e0, e1, e2, e3) \
	COMBINE4(VSUBPS, a0, a1, a2, a3, c0, c1, c2, c3); \
	STORE4(DI); \
	LEAQ     (DI)(DX*4), AX; \
	COMBINE4(VADDPS, c0, c1, c2, c3, b0, b1, b2, b3); \
	STORE4(AX); \
	LEAQ     (AX)(DX*4), AX; \
	COMBINE4(VSUBPS, c0, c1, c2, c3, b0, b1, b2, b3); \
	STORE4(AX); \
	LEAQ     (AX)(DX*4), AX; \
	COMBINE4(VSUBPS, b0, b1, b2, b3, e0, e1, e2, e3); \
	STORE4(AX)

// ALIGN8 sets Z20 … Z27 to the vectors of rows 2 and 3 from those of rows
// 0 (c0 …) and 1 (c4 …) of this vector and the next (n0 …): the top
// 16 − sh lanes of this vector's, then the low sh lanes of the next's.
#define ALIGN8(sh, c0, c1, c2, c3, c4, c5, c6, c7, n0, n1, n2, n3, n4, n5, n6, n7) \
	VALIGND sh, c0, n0, Z20; \
	VALIGND sh, c1, n1, Z21; \
	VALIGND sh, c2, n2, Z22; \
	VALIGND sh, c3, n3, Z23; \
	VALIGND sh, c4, n4, Z24; \
	VALIGND sh, c5, n5, Z25; \
	VALIGND sh, c6, n6, Z26; \
	VALIGND sh, c7, n7, Z27

// IN1ROW sets h0 … h3 to h of the next input row (ROWPTR) for 16 tiles of
// one tile row: values p[0 … 34) of the row, masks K1: [0, 16), K2:
// [16, 32), K3: [2, 18), K4: [18, 34). Z20-Z23 are scratch.
#define IN1ROW(h0, h1, h2, h3) \
	ROWPTR(SI, R13); \
	VMOVUPS.Z (R13), K1, Z20; \
	VMOVUPS.Z 64(R13), K2, Z21; \
	VMOVUPS.Z 8(R13), K3, Z22; \
	VMOVUPS.Z 72(R13), K4, Z23; \
	HSPLIT(Z20, Z21, Z22, Z23, h0, h1, h2, h3)

// IN2ROWS sets a0 … a3 and b0 … b3 to h of rows 0 and 1 of two tile rows,
// the next four input rows (r, r + 1 for the first tile row, r + 2, r + 3
// for the second), 18 values p[0 … 18) of each: K1: [0, 16), K3: [2, 18).
// Z20-Z27 are scratch.
#define IN2ROWS(a0, a1, a2, a3, b0, b1, b2, b3) \
	ROWPTR(SI, R13); \
	VMOVUPS.Z (R13), K1, Z20; \
	VMOVUPS.Z 8(R13), K3, Z22; \
	ROWPTR(SI, R13); \
	VMOVUPS.Z (R13), K1, Z24; \
	VMOVUPS.Z 8(R13), K3, Z26; \
	ROWPTR(SI, R13); \
	VMOVUPS.Z (R13), K1, Z21; \
	VMOVUPS.Z 8(R13), K3, Z23; \
	ROWPTR(SI, R13); \
	VMOVUPS.Z (R13), K1, Z25; \
	VMOVUPS.Z 8(R13), K3, Z27; \
	HSPLIT(Z20, Z21, Z22, Z23, a0, a1, a2, a3); \
	HSPLIT(Z24, Z25, Z26, Z27, b0, b1, b2, b3)

// IN4ROWS is IN2ROWS for four tile rows, the next eight input rows, 10
// values p[0 … 10) of each: the low 8 lanes of a vector (K1: [0, 8), K3:
// [2, 10)) from one row, the high 8 (K2 = K1 << 8, K4 = K3 << 8, loaded
// 8 lanes back) from the row two further.
#define IN4ROWS(a0, a1, a2, a3, b0, b1, b2, b3) \
	ROWPTR(SI, R13); \
	VMOVUPS.Z (R13), K1, Z20; \
	VMOVUPS.Z 8(R13), K3, Z22; \
	ROWPTR(SI, R13); \
	VMOVUPS.Z (R13), K1, Z24; \
	VMOVUPS.Z 8(R13), K3, Z26; \
	ROWPTR(SI, R13); \
	VMOVUPS   -32(R13), K2, Z20; \
	VMOVUPS   -24(R13), K4, Z22; \
	ROWPTR(SI, R13); \
	VMOVUPS   -32(R13), K2, Z24; \
	VMOVUPS   -24(R13), K4, Z26; \
	ROWPTR(SI, R13); \
	VMOVUPS.Z (R13), K1, Z21; \
	VMOVUPS.Z 8(R13), K3, Z23; \
	ROWPTR(SI, R13); \
	VMOVUPS.Z (R13), K1, Z25; \
	VMOVUPS.Z 8(R13), K3, Z27; \
	ROWPTR(SI, R13); \
	VMOVUPS   -32(R13), K2, Z21; \
	VMOVUPS   -24(R13), K4, Z23; \
	ROWPTR(SI, R13); \
	VMOVUPS   -32(R13), K2, Z25; \
	VMOVUPS   -24(R13), K4, Z27; \
	HSPLIT(Z20, Z21, Z22, Z23, a0, a1, a2, a3); \
	HSPLIT(Z24, Z25, Z26, Z27, b0, b1, b2, b3)

// INLAST is IN2ROWS and IN4ROWS for the last vector, whose next one only
// lends the low lanes of its h vectors to this one's rows 2 and 3: only
// those lanes are set, from the next two input rows (a from the first, b
// from the second; K1: [0, …), K3: [2, …)), the high lanes are garbage.
// Z20-Z23 are scratch.
#define INLAST(a0, a1, a2, a3, b0, b1, b2, b3) \
	ROWPTR(SI, R13); \
	VMOVUPS.Z (R13), K1, Z20; \
	VMOVUPS.Z 8(R13), K3, Z21; \
	ROWPTR(SI, R13); \
	VMOVUPS.Z (R13), K1, Z22; \
	VMOVUPS.Z 8(R13), K3, Z23; \
	HSPLIT1(Z20, Z21, a0, a1, a2, a3); \
	HSPLIT1(Z22, Z23, b0, b1, b2, b3)

// HSPLIT1 is HSPLIT of (A, A) and (A2, A2): its low 8 lanes are those of
// (A, B) and (A2, B2) for any B, B2.
#define HSPLIT1(A, A2, h0, h1, h2, h3) \
	VPERMPS A, Z30, h0; \
	VPERMPS A, Z31, h1; \
	VPERMPS A2, Z30, A; \
	VPERMPS A2, Z31, h3; \
	VSUBPS  A, h0, h0; \
	VSUBPS  h3, h1, h3; \
	VSUBPS  h1, A, h2; \
	VADDPS  A, h1, h1

// INSETUP starts the paths of several tile rows a vector: SI = x − pl,
// R8 at row −pt, DI = v, BX = th·tw tiles, K5; AX = M, bit k (k < 34) for
// column k − pl in [0, w).
#define INSETUP \
	MOVQ  x+0(FP), SI; \
	MOVQ  pl+32(FP), CX; \
	SHLQ  $2, CX; \
	SUBQ  CX, SI; \
	MOVQ  pt+24(FP), R8; \
	IMULQ R10, R8; \
	NEGQ  R8; \
	MOVQ  v+56(FP), DI; \
	MOVQ  th+40(FP), BX; \
	IMULQ tw+48(FP), BX; \
	STEPMASK; \
	MOVQ  w+16(FP), CX; \
	ADDQ  pl+32(FP), CX; \
	CMPQ  CX, $34; \
	JLE   2(PC); \
	MOVQ  $34, CX; \
	LOWBITS(R13); \
	MOVQ  pl+32(FP), CX; \
	LOWBITS(AX); \
	NOTQ  AX; \
	ANDQ  R13, AX

// func winoInputPlaneAVX512(x *float32, h, w, pt, pl, th, tw int, v *float32, ldv int)
//
// V = Bᵀ d B of the th × tw tiles of the plane x (h × w), padded by pt rows
// above and pl columns to the left, zero outside: d[i][j] =
// x[2ty + i − pt][2tx + j − pl], V[i][j] to v[(4i + j)·ldv + ty·tw + tx].
// Requires h, w, th, tw ≥ 1 and 0 ≤ pt, pl ≤ 2; the tiles may reach past
// the plane on any side. x is read within [0, h·w) only, v written at the
// tiles' indices of the 16 streams only.
//
// Registers: SI the row base (x − pl), R8 the row offset (row · R10,
// negative above the plane), R9 = h·w·4, R10 = w·4, R11 the zero row,
// R13 a row's pointer, DI the streams, DX = ldv·4, R12 = 3·DX, BX the tiles
// left (the tile rows left in the general path), Z30, Z31 the even and odd
// index vectors. The frame holds the column block of the general path.
TEXT ·winoInputPlaneAVX512(SB), NOSPLIT, $8-72
	MOVQ      ldv+64(FP), DX
	SHLQ      $2, DX
	LEAQ      (DX)(DX*2), R12
	MOVQ      w+16(FP), R10
	SHLQ      $2, R10
	MOVQ      h+8(FP), R9
	IMULQ     R10, R9
	ZEROROW
	VMOVDQU32 winoIdx<>+0(SB), Z30
	VMOVDQU32 winoIdx<>+64(SB), Z31
	MOVQ      tw+48(FP), AX
	CMPQ      AX, $8
	JEQ       in8
	CMPQ      AX, $4
	JEQ       in4
	MOVQ      $0, 0(SP)

inBlock:
	// Column block 0(SP) of 16 tiles: BX = the tiles in it (done when
	// none), K5 their lanes.
	MOVQ 0(SP), CX
	SHLQ $4, CX
	MOVQ tw+48(FP), BX
	SUBQ CX, BX
	JLE  inDone
	STEPMASK

	// c0 = 32·block − pl, its first column; SI = x + c0.
	MOVQ 0(SP), AX
	SHLQ $5, AX
	SUBQ pl+32(FP), AX
	MOVQ x+0(FP), SI
	LEAQ (SI)(AX*4), SI

	// Load masks: bit k of M (k < 34) for column c0 + k in [0, w).
	MOVQ  w+16(FP), CX
	SUBQ  AX, CX
	CMPQ  CX, $34
	JLE   2(PC)
	MOVQ  $34, CX
	TESTQ CX, CX
	JGT   2(PC)
	XORL  CX, CX
	LOWBITS(R13)
	MOVQ  AX, CX
	NEGQ  CX
	TESTQ CX, CX
	JGT   2(PC)
	XORL  CX, CX
	LOWBITS(AX)
	NOTQ  AX
	ANDQ  AX, R13
	KMOVW R13, K1
	SHRQ  $2, R13
	KMOVW R13, K3
	SHRQ  $14, R13
	KMOVW R13, K2
	SHRQ  $2, R13
	KMOVW R13, K4

	// R8 at row −pt, DI at the block's first tile, BX tile rows, CX =
	// tw·4 (a tile row of the streams).
	MOVQ  pt+24(FP), R8
	IMULQ R10, R8
	NEGQ  R8
	MOVQ  0(SP), AX
	SHLQ  $6, AX
	MOVQ  v+56(FP), DI
	ADDQ  AX, DI
	MOVQ  th+40(FP), BX
	MOVQ  tw+48(FP), CX
	SHLQ  $2, CX

	IN1ROW(Z0, Z1, Z2, Z3)
	IN1ROW(Z4, Z5, Z6, Z7)

inLoop:
	IN1ROW(Z8, Z9, Z10, Z11)
	IN1ROW(Z12, Z13, Z14, Z15)
	INSTORE(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15)
	DECQ BX
	JEQ  inNextBlock
	ADDQ CX, DI
	IN1ROW(Z0, Z1, Z2, Z3)
	IN1ROW(Z4, Z5, Z6, Z7)
	INSTORE(Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15, Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7)
	DECQ BX
	JEQ  inNextBlock
	ADDQ CX, DI
	JMP  inLoop

inNextBlock:
	INCQ 0(SP)
	JMP  inBlock

in8:
	// Two tile rows a vector: K1, K3 for columns −pl + [0, 16) and
	// −pl + [2, 18).
	INSETUP
	KMOVW AX, K1
	SHRQ  $2, AX
	KMOVW AX, K3
	IN2ROWS(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7)

in8Loop:
	CMPQ BX, $16
	JLE  in8LastA
	IN2ROWS(Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15)
	ALIGN8($8, Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15)
	INSTORE(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z20, Z21, Z22, Z23, Z24, Z25, Z26, Z27)
	NEXT16(DI, inDone)
	CMPQ BX, $16
	JLE  in8LastB
	IN2ROWS(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7)
	ALIGN8($8, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15, Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7)
	INSTORE(Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15, Z20, Z21, Z22, Z23, Z24, Z25, Z26, Z27)
	NEXT16(DI, inDone)
	JMP in8Loop

in8LastA:
	INLAST(Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15)
	ALIGN8($8, Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15)
	INSTORE(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z20, Z21, Z22, Z23, Z24, Z25, Z26, Z27)
	JMP inDone

in8LastB:
	INLAST(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7)
	ALIGN8($8, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15, Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7)
	INSTORE(Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15, Z20, Z21, Z22, Z23, Z24, Z25, Z26, Z27)
	JMP inDone

in4:
	// Four tile rows a vector: K1, K3 for columns −pl + [0, 8) and
	// −pl + [2, 10), K2, K4 the same in the high 8 lanes.
	INSETUP
	MOVQ  AX, CX
	ANDQ  $0xff, CX
	KMOVW CX, K1
	SHLQ  $8, CX
	KMOVW CX, K2
	SHRQ  $2, AX
	ANDQ  $0xff, AX
	KMOVW AX, K3
	SHLQ  $8, AX
	KMOVW AX, K4
	IN4ROWS(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7)

in4Loop:
	CMPQ BX, $16
	JLE  in4LastA
	IN4ROWS(Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15)
	ALIGN8($4, Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15)
	INSTORE(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z20, Z21, Z22, Z23, Z24, Z25, Z26, Z27)
	NEXT16(DI, inDone)
	CMPQ BX, $16
	JLE  in4LastB
	IN4ROWS(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7)
	ALIGN8($4, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15, Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7)
	INSTORE(Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15, Z20, Z21, Z22, Z23, Z24, Z25, Z26, Z27)
	NEXT16(DI, inDone)
	JMP in4Loop

in4LastA:
	INLAST(Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15)
	ALIGN8($4, Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15)
	INSTORE(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z20, Z21, Z22, Z23, Z24, Z25, Z26, Z27)
	JMP inDone

in4LastB:
	INLAST(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7)
	ALIGN8($4, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15, Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7)
	INSTORE(Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15, Z20, Z21, Z22, Z23, Z24, Z25, Z26, Z27)
	JMP inDone

inDone:
	VZEROUPPER
	RET

// OUTLOAD loads M[i][j] of 16 tiles into Z(4i + j) from the streams at SI
// under K5 (zero past the tiles). AX is scratch.
#define OUTLOAD \
	VMOVUPS.Z (SI), K5, Z0; \
	VMOVUPS.Z (SI)(DX*1), K5, Z1; \
	VMOVUPS.Z (SI)(DX*2), K5, Z2; \
	VMOVUPS.Z (SI)(R12*1), K5, Z3; \
	LEAQ      (SI)(DX*4), AX; \
	VMOVUPS.Z (AX), K5, Z4; \
	VMOVUPS.Z (AX)(DX*1), K5, Z5; \
	VMOVUPS.Z (AX)(DX*2), K5, Z6; \
	VMOVUPS.Z (AX)(R12*1), K5, Z7; \
	LEAQ      (AX)(DX*4), AX; \
	VMOVUPS.Z (AX), K5, Z8; \
	VMOVUPS.Z (AX)(DX*1), K5, Z9; \
	VMOVUPS.Z (AX)(DX*2), K5, Z10; \
	VMOVUPS.Z (AX)(R12*1), K5, Z11; \
	LEAQ      (AX)(DX*4), AX; \
	VMOVUPS.Z (AX), K5, Z12; \
	VMOVUPS.Z (AX)(DX*1), K5, Z13; \
	VMOVUPS.Z (AX)(DX*2), K5, Z14; \
	VMOVUPS.Z (AX)(R12*1), K5, Z15

// OUTEO sets lo and hi to one output row of 16 tiles from s = that row of
// Aᵀ M: E = (s0 + s1) + s2 in the even columns, O = (s1 − s2) − s3 in the
// odd ones, interleaved (lo: tiles 0-7, hi: tiles 8-15). Z29 is scratch.
#define OUTEO(s0, s1, s2, s3, lo, hi) \
	VADDPS    s1, s0, lo; \
	VADDPS    s2, lo, lo; \
	VSUBPS    s2, s1, Z29; \
	VSUBPS    s3, Z29, Z29; \
	VMOVAPS   lo, hi; \
	VPERMT2PS Z29, Z30, lo; \
	VPERMT2PS Z29, Z31, hi

// OUTROWS sets Z24, Z25 (row 0) and Z26, Z27 (row 1) to the interleaved
// outputs of the tiles in Z0-Z15: s0 = (m0 + m1) + m2 (Z16-Z19), s1 =
// (m1 − m2) − m3 (Z20-Z23), m_i the vectors of M's row i.
#define OUTROWS \
	VADDPS Z4, Z0, Z16; \
	VADDPS Z5, Z1, Z17; \
	VADDPS Z6, Z2, Z18; \
	VADDPS Z7, Z3, Z19; \
	VADDPS Z8, Z16, Z16; \
	VADDPS Z9, Z17, Z17; \
	VADDPS Z10, Z18, Z18; \
	VADDPS Z11, Z19, Z19; \
	VSUBPS Z8, Z4, Z20; \
	VSUBPS Z9, Z5, Z21; \
	VSUBPS Z10, Z6, Z22; \
	VSUBPS Z11, Z7, Z23; \
	VSUBPS Z12, Z20, Z20; \
	VSUBPS Z13, Z21, Z21; \
	VSUBPS Z14, Z22, Z22; \
	VSUBPS Z15, Z23, Z23; \
	OUTEO(Z16, Z17, Z18, Z19, Z24, Z25); \
	OUTEO(Z20, Z21, Z22, Z23, Z26, Z27)

// func winoOutputPlaneAVX512(m *float32, ldm, th, tw int, y *float32, oh, ow int)
//
// Y = Aᵀ M A of the th × tw tiles, M[i][j] = m[(4i + j)·ldm + ty·tw + tx],
// to y[2ty + a][2tx + b] (the plane y is oh × ow) where 2ty + a < oh and
// 2tx + b < ow. Requires th, tw ≥ 1 (the callers pass th = ⌈oh/2⌉ and
// tw = ⌈ow/2⌉). y is written at those positions only and never read; m is
// read at the tiles' indices only.
//
// Registers: DI the rows' base (y, plus the column block's offset), R8 the
// row offset (row · R10), R9 = min(oh, 2·th)·ow·4, R10 = ow·4, R11 the
// scratch row in the frame, R13 a row's pointer, SI the streams, DX =
// ldm·4, R12 = 3·DX, BX the tiles left (tile rows in the general path),
// Z30, Z31 the interleaving index vectors. The frame holds the column
// block, min(ow, 2·tw) and the scratch row 16(SP) … 208(SP) (written from
// R11 − 32 to R11 + 128).
TEXT ·winoOutputPlaneAVX512(SB), NOSPLIT, $208-56
	MOVQ      ldm+8(FP), DX
	SHLQ      $2, DX
	LEAQ      (DX)(DX*2), R12
	MOVQ      ow+48(FP), R10
	SHLQ      $2, R10
	MOVQ      th+16(FP), R9
	SHLQ      $1, R9
	MOVQ      oh+40(FP), AX
	CMPQ      AX, R9
	CMOVQLT   AX, R9
	IMULQ     R10, R9
	LEAQ      48(SP), R11
	VMOVDQU32 winoIdx<>+128(SB), Z30
	VMOVDQU32 winoIdx<>+192(SB), Z31
	XORL      R8, R8

	// CX = min(ow, 2·tw), the columns written.
	MOVQ    tw+24(FP), CX
	SHLQ    $1, CX
	MOVQ    ow+48(FP), AX
	CMPQ    AX, CX
	CMOVQLT AX, CX
	MOVQ    tw+24(FP), AX
	CMPQ    AX, $8
	JEQ     out8
	CMPQ    AX, $4
	JEQ     out4
	MOVQ    CX, 8(SP)
	MOVQ    $0, 0(SP)

outBlock:
	// Column block 0(SP) of 16 tiles: BX = the tiles in it (done when
	// none), K5 their lanes; K2, K3 its columns 32·block + [0, 32) below
	// 8(SP).
	MOVQ  0(SP), CX
	SHLQ  $4, CX
	MOVQ  tw+24(FP), BX
	SUBQ  CX, BX
	JLE   outDone
	STEPMASK
	MOVQ  0(SP), AX
	SHLQ  $5, AX
	MOVQ  8(SP), CX
	SUBQ  AX, CX
	CMPQ  CX, $32
	JLE   2(PC)
	MOVQ  $32, CX
	TESTQ CX, CX
	JGT   2(PC)
	XORL  CX, CX
	LOWBITS(R13)
	KMOVW R13, K2
	SHRQ  $16, R13
	KMOVW R13, K3

	// DI at the block's first column, SI at its first tile, R8 at row 0,
	// BX tile rows, CX = tw·4.
	MOVQ y+32(FP), DI
	LEAQ (DI)(AX*4), DI
	MOVQ 0(SP), AX
	SHLQ $6, AX
	MOVQ m+0(FP), SI
	ADDQ AX, SI
	XORL R8, R8
	MOVQ th+16(FP), BX
	MOVQ tw+24(FP), CX
	SHLQ $2, CX

outLoop:
	OUTLOAD
	OUTROWS
	ROWPTR(DI, R13)
	VMOVUPS Z24, K2, (R13)
	VMOVUPS Z25, K3, 64(R13)
	ROWPTR(DI, R13)
	VMOVUPS Z26, K2, (R13)
	VMOVUPS Z27, K3, 64(R13)
	DECQ    BX
	JEQ     outNextBlock
	ADDQ    CX, SI
	JMP     outLoop

outNextBlock:
	INCQ 0(SP)
	JMP  outBlock

out8:
	// Two tile rows a vector: row 2ty + a from the low interleaving of
	// row a, row 2ty + 2 + a from the high one; K2 for the columns.
	CMPQ  CX, $16
	JLE   2(PC)
	MOVQ  $16, CX
	LOWBITS(AX)
	KMOVW AX, K2
	MOVQ  m+0(FP), SI
	MOVQ  y+32(FP), DI
	MOVQ  th+16(FP), BX
	IMULQ tw+24(FP), BX
	STEPMASK

out8Loop:
	OUTLOAD
	OUTROWS
	ROWPTR(DI, R13)
	VMOVUPS Z24, K2, (R13)
	ROWPTR(DI, R13)
	VMOVUPS Z26, K2, (R13)
	ROWPTR(DI, R13)
	VMOVUPS Z25, K2, (R13)
	ROWPTR(DI, R13)
	VMOVUPS Z27, K2, (R13)
	NEXT16(SI, outDone)
	JMP     out8Loop

out4:
	// Four tile rows a vector: each interleaving holds two output rows
	// (the low 8 lanes under K2, the high 8 under K3 = K2 << 8, stored 8
	// lanes back).
	CMPQ  CX, $8
	JLE   2(PC)
	MOVQ  $8, CX
	LOWBITS(AX)
	KMOVW AX, K2
	SHLQ  $8, AX
	KMOVW AX, K3
	MOVQ  m+0(FP), SI
	MOVQ  y+32(FP), DI
	MOVQ  th+16(FP), BX
	IMULQ tw+24(FP), BX
	STEPMASK

out4Loop:
	OUTLOAD
	OUTROWS
	ROWPTR(DI, R13)
	VMOVUPS Z24, K2, (R13)
	ROWPTR(DI, R13)
	VMOVUPS Z26, K2, (R13)
	ROWPTR(DI, R13)
	VMOVUPS Z24, K3, -32(R13)
	ROWPTR(DI, R13)
	VMOVUPS Z26, K3, -32(R13)
	ROWPTR(DI, R13)
	VMOVUPS Z25, K2, (R13)
	ROWPTR(DI, R13)
	VMOVUPS Z27, K2, (R13)
	ROWPTR(DI, R13)
	VMOVUPS Z25, K3, -32(R13)
	ROWPTR(DI, R13)
	VMOVUPS Z27, K3, -32(R13)
	NEXT16(SI, outDone)
	JMP     out4Loop

outDone:
	VZEROUPPER
	RET

// SPLIT sets e0 to the even lanes of (A, B) and A to the odd ones.
#define SPLIT(A, B, e0) \
	VMOVAPS   A, e0; \
	VPERMT2PS B, Z30, e0; \
	VPERMT2PS B, Z31, A

// GRADSTORE writes dM = A dY Aᵀ of 16 tiles to the streams at DI under K5,
// from dY's rows (p, q) and (r, s) (the even and odd columns): g_a =
// {e0, e0 + e1, e0 − e1, −e1} (row 0 in p, Z5-Z7, row 1 in r, Z8-Z10),
// streams 0-3 get g0, 4-7 g0 + g1, 8-11 g0 − g1, 12-15 −g1. Z29 holds the
// sign bits; AX is scratch.
#define GRADSTORE(p, q, r, s) \
	VADDPS  q, p, Z5; \
	VSUBPS  q, p, Z6; \
	VPXORD  Z29, q, Z7; \
	VADDPS  s, r, Z8; \
	VSUBPS  s, r, Z9; \
	VPXORD  Z29, s, Z10; \
	VMOVUPS p, K5, (DI); \
	VMOVUPS Z5, K5, (DI)(DX*1); \
	VMOVUPS Z6, K5, (DI)(DX*2); \
	VMOVUPS Z7, K5, (DI)(R12*1); \
	LEAQ    (DI)(DX*4), AX; \
	COMBINE4(VADDPS, p, Z5, Z6, Z7, r, Z8, Z9, Z10); \
	STORE4(AX); \
	LEAQ    (AX)(DX*4), AX; \
	COMBINE4(VSUBPS, p, Z5, Z6, Z7, r, Z8, Z9, Z10); \
	STORE4(AX); \
	LEAQ    (AX)(DX*4), AX; \
	VPXORD  Z29, r, Z16; \
	VPXORD  Z29, Z8, Z17; \
	VPXORD  Z29, Z9, Z18; \
	VPXORD  Z29, Z10, Z19; \
	STORE4(AX)

// func winoGradPlaneAVX512(dy *float32, oh, ow, th, tw int, out *float32, ldo int)
//
// dM = A dY Aᵀ of the th × tw tiles, dY[a][b] = dy[2ty + a][2tx + b] (the
// plane dy is oh × ow; zero past it), dM[i][j] to out[(4i + j)·ldo +
// ty·tw + tx]. Requires th, tw ≥ 1 (the callers pass th = ⌈oh/2⌉ and
// tw = ⌈ow/2⌉). dy is read at its positions within the tiles only; out is
// written at the tiles' indices only.
//
// Registers: SI the rows' base (dy, plus the column block's offset), R8
// the row offset (row · R10), R9 = oh·ow·4, R10 = ow·4, R11 the zero row,
// R13 a row's pointer, DI the streams, DX = ldo·4, R12 = 3·DX, BX the tiles
// left (tile rows in the general path), Z30, Z31 the even and odd index
// vectors, Z29 the sign bits. The frame holds the column block and
// min(ow, 2·tw).
TEXT ·winoGradPlaneAVX512(SB), NOSPLIT, $16-56
	MOVQ         ldo+48(FP), DX
	SHLQ         $2, DX
	LEAQ         (DX)(DX*2), R12
	MOVQ         ow+16(FP), R10
	SHLQ         $2, R10
	MOVQ         oh+8(FP), R9
	IMULQ        R10, R9
	ZEROROW
	VMOVDQU32    winoIdx<>+0(SB), Z30
	VMOVDQU32    winoIdx<>+64(SB), Z31
	MOVL         $0x80000000, AX
	VPBROADCASTD AX, Z29
	XORL         R8, R8

	// CX = min(ow, 2·tw), the columns read.
	MOVQ    tw+32(FP), CX
	SHLQ    $1, CX
	MOVQ    ow+16(FP), AX
	CMPQ    AX, CX
	CMOVQLT AX, CX
	MOVQ    tw+32(FP), AX
	CMPQ    AX, $8
	JEQ     grad8
	CMPQ    AX, $4
	JEQ     grad4
	MOVQ    CX, 8(SP)
	MOVQ    $0, 0(SP)

gradBlock:
	// Column block 0(SP) of 16 tiles: BX = the tiles in it (done when
	// none), K5 their lanes; K1, K2 its columns 32·block + [0, 32) below
	// 8(SP).
	MOVQ  0(SP), CX
	SHLQ  $4, CX
	MOVQ  tw+32(FP), BX
	SUBQ  CX, BX
	JLE   gradDone
	STEPMASK
	MOVQ  0(SP), AX
	SHLQ  $5, AX
	MOVQ  8(SP), CX
	SUBQ  AX, CX
	CMPQ  CX, $32
	JLE   2(PC)
	MOVQ  $32, CX
	TESTQ CX, CX
	JGT   2(PC)
	XORL  CX, CX
	LOWBITS(R13)
	KMOVW R13, K1
	SHRQ  $16, R13
	KMOVW R13, K2

	// SI at the block's first column, DI at its first tile, R8 at row 0,
	// BX tile rows, CX = tw·4.
	MOVQ dy+0(FP), SI
	LEAQ (SI)(AX*4), SI
	MOVQ 0(SP), AX
	SHLQ $6, AX
	MOVQ out+40(FP), DI
	ADDQ AX, DI
	XORL R8, R8
	MOVQ th+24(FP), BX
	MOVQ tw+32(FP), CX
	SHLQ $2, CX

gradLoop:
	ROWPTR(SI, R13)
	VMOVUPS.Z (R13), K1, Z20
	VMOVUPS.Z 64(R13), K2, Z21
	ROWPTR(SI, R13)
	VMOVUPS.Z (R13), K1, Z22
	VMOVUPS.Z 64(R13), K2, Z23
	SPLIT(Z20, Z21, Z0)
	SPLIT(Z22, Z23, Z2)
	GRADSTORE(Z0, Z20, Z2, Z22)
	DECQ      BX
	JEQ       gradNextBlock
	ADDQ      CX, DI
	JMP       gradLoop

gradNextBlock:
	INCQ 0(SP)
	JMP  gradBlock

grad8:
	// Two tile rows a vector: row a of the first from dy row 2ty + a, of
	// the second from row 2ty + 2 + a; K1 for the columns.
	CMPQ  CX, $16
	JLE   2(PC)
	MOVQ  $16, CX
	LOWBITS(AX)
	KMOVW AX, K1
	MOVQ  dy+0(FP), SI
	MOVQ  out+40(FP), DI
	MOVQ  th+24(FP), BX
	IMULQ tw+32(FP), BX
	STEPMASK

grad8Loop:
	ROWPTR(SI, R13)
	VMOVUPS.Z (R13), K1, Z20
	ROWPTR(SI, R13)
	VMOVUPS.Z (R13), K1, Z22
	ROWPTR(SI, R13)
	VMOVUPS.Z (R13), K1, Z21
	ROWPTR(SI, R13)
	VMOVUPS.Z (R13), K1, Z23
	SPLIT(Z20, Z21, Z0)
	SPLIT(Z22, Z23, Z2)
	GRADSTORE(Z0, Z20, Z2, Z22)
	NEXT16(DI, gradDone)
	JMP       grad8Loop

grad4:
	// Four tile rows a vector: the low 8 lanes of a pair (K1) from one
	// dy row, the high 8 (K2 = K1 << 8, loaded 8 lanes back) from the row
	// two further.
	CMPQ  CX, $8
	JLE   2(PC)
	MOVQ  $8, CX
	LOWBITS(AX)
	KMOVW AX, K1
	SHLQ  $8, AX
	KMOVW AX, K2
	MOVQ  dy+0(FP), SI
	MOVQ  out+40(FP), DI
	MOVQ  th+24(FP), BX
	IMULQ tw+32(FP), BX
	STEPMASK

grad4Loop:
	ROWPTR(SI, R13)
	VMOVUPS.Z (R13), K1, Z20
	ROWPTR(SI, R13)
	VMOVUPS.Z (R13), K1, Z22
	ROWPTR(SI, R13)
	VMOVUPS   -32(R13), K2, Z20
	ROWPTR(SI, R13)
	VMOVUPS   -32(R13), K2, Z22
	ROWPTR(SI, R13)
	VMOVUPS.Z (R13), K1, Z21
	ROWPTR(SI, R13)
	VMOVUPS.Z (R13), K1, Z23
	ROWPTR(SI, R13)
	VMOVUPS   -32(R13), K2, Z21
	ROWPTR(SI, R13)
	VMOVUPS   -32(R13), K2, Z23
	SPLIT(Z20, Z21, Z0)
	SPLIT(Z22, Z23, Z2)
	GRADSTORE(Z0, Z20, Z2, Z22)
	NEXT16(DI, gradDone)
	JMP       grad4Loop

gradDone:
	VZEROUPPER
	RET
