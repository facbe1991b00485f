#include "textflag.h"

// AVX-512 plane transforms of Winograd's F(4×4, 3×3) (winograd_amd64.go
// declares them; winograd4_planes.go defines them in Go). As those of
// F(2×2, 3×3) in winograd_amd64.s, each call does one channel plane, a zmm
// vector holds 16 consecutive tiles t = ty·tw + tx, as the 36 streams do:
//
//   - tw = 8: two tile rows per vector (lanes 0-7 and 8-15),
//   - tw = 4: four tile rows per vector (lanes 4k … 4k+3),
//   - any other tw: one tile row per vector, in blocks of 16 tiles (the
//     last one masked), column blocks outside and tile rows inside.
//
// On the image side, one row of the vector's tiles (4·16 columns of one
// plane row, or 4·8 of two, or 4·4 of four) is loaded with masked loads,
// four vectors V0 … V3, and split by column mod 4 with two layers of
// shuffles:
// VPERMT2PS gathers columns 0 and 1 (2 and 3) of (V0, V1) into the halves
// of a vector, and so of (V2, V3); VSHUFF32X4 pairs the halves into d0 … d3.
// The tiles' columns 4 and 5, d4 and d5, are d0 and d1 one tile on: one
// VPERMT2PS each, with the last tile of each tile row's from a fifth
// vector E (columns 64 and 65, or 32, 33 of each row, or 16, 17), loaded
// under a mask. The outputs are interleaved back by the same two layers,
// the other way round, and written with masked stores. Rows outside the
// plane are read from a zero row (input, gradient) or written to a scratch
// row in the frame (output): a CMOV picks the row's pointer. Columns
// outside the plane are masked off, so the planes are read and written
// within their rows only. (Masked-off lanes that fall on a page that is not
// present cost a microcode assist: see winograd_amd64.s. The vectors here
// reach up to 320 bytes past a row's first column.)
//
// The input transform computes h = d B of each input row once, to the
// frame: 24 vectors, h of the tiles' rows 0 … 3, for a vector of tiles, in
// one of two sets. The next vector's rows 0 and 1 are this one's rows 4
// and 5 (tw = 8, 4: shifted by a tile row, by VALIGND), so each iteration
// computes the next vector's rows 0 and 1, then the columns of this one
// (Bᵀ h, to the streams), then the next vector's rows 2 and 3.
//
// The arithmetic is that of the Go loops, operation for operation (no FMA,
// no reassociation; products by 4 and 8 are VMULPS, by 2 an addition), so
// the results are the same bits; which NaN payload survives where two
// meet may differ. (VMULPS with subnormal operands takes a slow path on the
// AMD EPYC measured: a tenth of a plane's values subnormal doubles the
// input transform's time, which multiplies its inputs directly.)
//
// The kernels use AVX-512F instructions only (and base x86-64).

// wino4Tab holds the VPERMT2PS index vectors and the constants 4 and 8.
// +0: of the 32 values of (A, B), columns 4l (j = 0, tiles l = 0 … 7) to
// lanes 0-7, columns 4l + 1 (j = 1) to lanes 8-15
DATA wino4Tab<>+0(SB)/8, $0x0000000400000000
DATA wino4Tab<>+8(SB)/8, $0x0000000c00000008
DATA wino4Tab<>+16(SB)/8, $0x0000001400000010
DATA wino4Tab<>+24(SB)/8, $0x0000001c00000018
DATA wino4Tab<>+32(SB)/8, $0x0000000500000001
DATA wino4Tab<>+40(SB)/8, $0x0000000d00000009
DATA wino4Tab<>+48(SB)/8, $0x0000001500000011
DATA wino4Tab<>+56(SB)/8, $0x0000001d00000019
// +64: columns 4l + 2 (j = 2), then 4l + 3 (j = 3)
DATA wino4Tab<>+64(SB)/8, $0x0000000600000002
DATA wino4Tab<>+72(SB)/8, $0x0000000e0000000a
DATA wino4Tab<>+80(SB)/8, $0x0000001600000012
DATA wino4Tab<>+88(SB)/8, $0x0000001e0000001a
DATA wino4Tab<>+96(SB)/8, $0x0000000700000003
DATA wino4Tab<>+104(SB)/8, $0x0000000f0000000b
DATA wino4Tab<>+112(SB)/8, $0x0000001700000013
DATA wino4Tab<>+120(SB)/8, $0x0000001f0000001b
// +128: d4 of (d0, E), one tile row a vector: lane t from d0[t + 1], lane 15
// from E[0]
DATA wino4Tab<>+128(SB)/8, $0x0000000200000001
DATA wino4Tab<>+136(SB)/8, $0x0000000400000003
DATA wino4Tab<>+144(SB)/8, $0x0000000600000005
DATA wino4Tab<>+152(SB)/8, $0x0000000800000007
DATA wino4Tab<>+160(SB)/8, $0x0000000a00000009
DATA wino4Tab<>+168(SB)/8, $0x0000000c0000000b
DATA wino4Tab<>+176(SB)/8, $0x0000000e0000000d
DATA wino4Tab<>+184(SB)/8, $0x000000100000000f
// +192: d5 of (d1, E): the same, lane 15 from E[1]
DATA wino4Tab<>+192(SB)/8, $0x0000000200000001
DATA wino4Tab<>+200(SB)/8, $0x0000000400000003
DATA wino4Tab<>+208(SB)/8, $0x0000000600000005
DATA wino4Tab<>+216(SB)/8, $0x0000000800000007
DATA wino4Tab<>+224(SB)/8, $0x0000000a00000009
DATA wino4Tab<>+232(SB)/8, $0x0000000c0000000b
DATA wino4Tab<>+240(SB)/8, $0x0000000e0000000d
DATA wino4Tab<>+248(SB)/8, $0x000000110000000f
// +256: d4, tw = 8: lanes 7 and 15 from E[0] and E[8]
DATA wino4Tab<>+256(SB)/8, $0x0000000200000001
DATA wino4Tab<>+264(SB)/8, $0x0000000400000003
DATA wino4Tab<>+272(SB)/8, $0x0000000600000005
DATA wino4Tab<>+280(SB)/8, $0x0000001000000007
DATA wino4Tab<>+288(SB)/8, $0x0000000a00000009
DATA wino4Tab<>+296(SB)/8, $0x0000000c0000000b
DATA wino4Tab<>+304(SB)/8, $0x0000000e0000000d
DATA wino4Tab<>+312(SB)/8, $0x000000180000000f
// +320: d5, tw = 8: from E[1] and E[9]
DATA wino4Tab<>+320(SB)/8, $0x0000000200000001
DATA wino4Tab<>+328(SB)/8, $0x0000000400000003
DATA wino4Tab<>+336(SB)/8, $0x0000000600000005
DATA wino4Tab<>+344(SB)/8, $0x0000001100000007
DATA wino4Tab<>+352(SB)/8, $0x0000000a00000009
DATA wino4Tab<>+360(SB)/8, $0x0000000c0000000b
DATA wino4Tab<>+368(SB)/8, $0x0000000e0000000d
DATA wino4Tab<>+376(SB)/8, $0x000000190000000f
// +384: d4, tw = 4: lanes 4q + 3 from E[4q]
DATA wino4Tab<>+384(SB)/8, $0x0000000200000001
DATA wino4Tab<>+392(SB)/8, $0x0000001000000003
DATA wino4Tab<>+400(SB)/8, $0x0000000600000005
DATA wino4Tab<>+408(SB)/8, $0x0000001400000007
DATA wino4Tab<>+416(SB)/8, $0x0000000a00000009
DATA wino4Tab<>+424(SB)/8, $0x000000180000000b
DATA wino4Tab<>+432(SB)/8, $0x0000000e0000000d
DATA wino4Tab<>+440(SB)/8, $0x0000001c0000000f
// +448: d5, tw = 4: from E[4q + 1]
DATA wino4Tab<>+448(SB)/8, $0x0000000200000001
DATA wino4Tab<>+456(SB)/8, $0x0000001100000003
DATA wino4Tab<>+464(SB)/8, $0x0000000600000005
DATA wino4Tab<>+472(SB)/8, $0x0000001500000007
DATA wino4Tab<>+480(SB)/8, $0x0000000a00000009
DATA wino4Tab<>+488(SB)/8, $0x000000190000000b
DATA wino4Tab<>+496(SB)/8, $0x0000000e0000000d
DATA wino4Tab<>+504(SB)/8, $0x0000001d0000000f
// +512: the interleaving of (Y0.lo | Y1.lo, Y2.lo | Y3.lo), columns b of
// tiles 0-3 at 4t + b
DATA wino4Tab<>+512(SB)/8, $0x0000000800000000
DATA wino4Tab<>+520(SB)/8, $0x0000001800000010
DATA wino4Tab<>+528(SB)/8, $0x0000000900000001
DATA wino4Tab<>+536(SB)/8, $0x0000001900000011
DATA wino4Tab<>+544(SB)/8, $0x0000000a00000002
DATA wino4Tab<>+552(SB)/8, $0x0000001a00000012
DATA wino4Tab<>+560(SB)/8, $0x0000000b00000003
DATA wino4Tab<>+568(SB)/8, $0x0000001b00000013
// +576: tiles 4-7 of them
DATA wino4Tab<>+576(SB)/8, $0x0000000c00000004
DATA wino4Tab<>+584(SB)/8, $0x0000001c00000014
DATA wino4Tab<>+592(SB)/8, $0x0000000d00000005
DATA wino4Tab<>+600(SB)/8, $0x0000001d00000015
DATA wino4Tab<>+608(SB)/8, $0x0000000e00000006
DATA wino4Tab<>+616(SB)/8, $0x0000001e00000016
DATA wino4Tab<>+624(SB)/8, $0x0000000f00000007
DATA wino4Tab<>+632(SB)/8, $0x0000001f00000017
// +640: 4 and 8 (float32)
DATA wino4Tab<>+640(SB)/4, $0x40800000
DATA wino4Tab<>+644(SB)/4, $0x41000000
GLOBL wino4Tab<>(SB), RODATA|NOPTR, $648

// wino4Zero holds the zero row that rows outside the plane are read from
// (input, gradient): a window of 320 bytes of it, all on one page, as far
// as the vectors reach (see W4ZEROROW).
GLOBL wino4Zero<>(SB), NOPTR, $1024

// W4ZEROROW points R11 at the zero row: the start of wino4Zero, or of the
// page it crosses into if the window would cross one. AX is scratch.
#define W4ZEROROW \
	LEAQ wino4Zero<>(SB), R11; \
	LEAQ 320(R11), AX; \
	XORQ R11, AX; \
	SHRQ $12, AX; \
	JEQ  3(PC); \
	ADDQ $4095, R11; \
	ANDQ $-4096, R11

// W4ROWAT sets dst to the pointer of the row at byte offset off (row · R10)
// from base: base + off if off is in [0, R9), else R11 (the zero or scratch
// row).
#define W4ROWAT(base, off, dst) \
	LEAQ    (base)(off*1), dst; \
	CMPQ    off, R9; \
	CMOVQCC R11, dst

// W4LOWBITS sets dst to the CX low bits (0 ≤ CX ≤ 63).
#define W4LOWBITS(dst) \
	MOVQ $1, dst; \
	SHLQ CX, dst; \
	DECQ dst

// W4LOWBITS64 is W4LOWBITS for 0 ≤ CX ≤ 64. R13 is scratch.
#define W4LOWBITS64(dst) \
	W4LOWBITS(dst); \
	MOVQ    $-1, R13; \
	CMPQ    CX, $64; \
	CMOVQEQ R13, dst

// W4CLAMP clamps CX to [0, hi]. R13 is scratch.
#define W4CLAMP(hi) \
	XORL    R13, R13; \
	CMPQ    CX, R13; \
	CMOVQLT R13, CX; \
	MOVQ    hi, R13; \
	CMPQ    CX, R13; \
	CMOVQGT R13, CX

// W4STEPMASK sets K5 to the min(BX, 16) low bits: the lanes of this vector
// that hold tiles. AX and CX are scratch.
#define W4STEPMASK \
	MOVQ    $16, CX; \
	CMPQ    BX, CX; \
	CMOVQLT BX, CX; \
	W4LOWBITS(AX); \
	KMOVW   AX, K5

// W4NEXT16 steps to the next vector of 16 tiles (BX left, streams at q),
// or jumps to done when none is left.
#define W4NEXT16(q, done) \
	SUBQ $16, BX; \
	JLE  done; \
	ADDQ $64, q; \
	W4STEPMASK

// W4STORE6 stores o0 … o5 under K5 to the streams 6i + j (i = 0 … 5) of a
// column j at AX (AX + 6i·R12; DX = 6·R12), and steps AX to column j + 1.
// CX is scratch.
#define W4STORE6(o0, o1, o2, o3, o4, o5) \
	VMOVUPS o0, K5, (AX); \
	VMOVUPS o1, K5, (AX)(DX*1); \
	VMOVUPS o2, K5, (AX)(DX*2); \
	LEAQ    (AX)(DX*2), CX; \
	ADDQ    DX, CX; \
	VMOVUPS o3, K5, (CX); \
	VMOVUPS o4, K5, (CX)(DX*1); \
	VMOVUPS o5, K5, (CX)(DX*2); \
	ADDQ    R12, AX

// W4LOAD6 is W4STORE6's loads, zero past the tiles, to Z24 … Z29.
#define W4LOAD6 \
	VMOVUPS.Z (AX), K5, Z24; \
	VMOVUPS.Z (AX)(DX*1), K5, Z25; \
	VMOVUPS.Z (AX)(DX*2), K5, Z26; \
	LEAQ      (AX)(DX*2), CX; \
	ADDQ      DX, CX; \
	VMOVUPS.Z (CX), K5, Z27; \
	VMOVUPS.Z (CX)(DX*1), K5, Z28; \
	VMOVUPS.Z (CX)(DX*2), K5, Z29; \
	ADDQ      R12, AX

// W4SPLIT sets d0 … d3 to the columns 4t + j (j = 0 … 3) of the 64 values
// in V0 … V3 (column c of the vector's 16 tiles at Vc/16, lane c%16), by
// the index vectors T01 and T23. V0 and V2 are clobbered, B and D scratch.
#define W4SPLIT(T01, T23, V0, V1, V2, V3, B, D, d0, d1, d2, d3) \
	VMOVAPS    V0, B; \
	VPERMT2PS  V1, T01, V0; \
	VPERMT2PS  V1, T23, B; \
	VMOVAPS    V2, D; \
	VPERMT2PS  V3, T01, V2; \
	VPERMT2PS  V3, T23, D; \
	VSHUFF32X4 $0x44, V2, V0, d0; \
	VSHUFF32X4 $0xee, V2, V0, d1; \
	VSHUFF32X4 $0x44, D, B, d2; \
	VSHUFF32X4 $0xee, D, B, d3

// W4IN sets o0 … o5 to Bᵀ d of d0 … d5 (wino4In), keeping the d's; X and
// Y are scratch, Z27 holds 4.
#define W4IN(d0, d1, d2, d3, d4, d5, o0, o1, o2, o3, o4, o5, X, Y) \
	VSUBPS d2, d4, X; \
	VSUBPS d1, d3, Y; \
	VADDPS Y, Y, Y; \
	VADDPS Y, X, o3; \
	VSUBPS Y, X, o4; \
	VMULPS Z27, d0, o0; \
	VMULPS Z27, d2, Y; \
	VSUBPS Y, o0, o0; \
	VADDPS X, o0, o0; \
	VADDPS d2, d1, X; \
	VMULPS Z27, X, X; \
	VADDPS d4, d3, o1; \
	VSUBPS X, o1, o1; \
	VSUBPS d2, d1, X; \
	VMULPS Z27, X, X; \
	VSUBPS d3, d4, o2; \
	VADDPS X, o2, o2; \
	VMULPS Z27, d1, X; \
	VMULPS Z27, d3, Y; \
	VSUBPS Y, X, X; \
	VSUBPS d3, d5, o5; \
	VADDPS o5, X, o5

// W4HROW writes h = d B of one row of the vector's tiles to the frame at
// off(R14) … off+320(R14), from its columns in Z0 … Z3 (as W4SPLIT's) and
// E in Z4: columns 4 and 5 of the last tile of each tile row, at the lanes
// the tables in Z30 and Z31 (d4, d5 = d0, d1 one tile on) take them from.
#define W4HROW(off) \
	W4SPLIT(Z28, Z29, Z0, Z1, Z2, Z3, Z5, Z6, Z7, Z8, Z9, Z10); \
	VMOVAPS   Z7, Z11; \
	VPERMT2PS Z4, Z30, Z11; \
	VMOVAPS   Z8, Z12; \
	VPERMT2PS Z4, Z31, Z12; \
	W4IN(Z7, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15, Z16, Z17, Z18, Z19, Z20); \
	VMOVAPS   Z13, (off)(R14); \
	VMOVAPS   Z14, (off+64)(R14); \
	VMOVAPS   Z15, (off+128)(R14); \
	VMOVAPS   Z16, (off+192)(R14); \
	VMOVAPS   Z17, (off+256)(R14); \
	VMOVAPS   Z18, (off+320)(R14)

// W4GHROW is W4HROW of the input row at offset CX (one tile row a vector:
// columns [0, 64) of SI under K1 … K4, E = [64, 66) under K6), and steps CX
// to the next row.
#define W4GHROW(off) \
	W4ROWAT(SI, CX, R13); \
	ADDQ      R10, CX; \
	VMOVUPS.Z (R13), K1, Z0; \
	VMOVUPS.Z 64(R13), K2, Z1; \
	VMOVUPS.Z 128(R13), K3, Z2; \
	VMOVUPS.Z 192(R13), K4, Z3; \
	VMOVUPS.Z 256(R13), K6, Z4; \
	W4HROW(off)

// W4H8ROW is W4HROW for two tile rows a vector, from the input rows at
// offsets CX and CX + 4 rows: columns [0, 32) of each under K1, K2, E
// lanes 0, 1 from columns 32, 33 of the first (K3), 8, 9 of the second
// (K4 = K3 << 8).
#define W4H8ROW(off) \
	W4ROWAT(SI, CX, R13); \
	VMOVUPS.Z (R13), K1, Z0; \
	VMOVUPS.Z 64(R13), K2, Z1; \
	VMOVUPS.Z 128(R13), K3, Z4; \
	LEAQ      (CX)(R10*4), AX; \
	W4ROWAT(SI, AX, R13); \
	VMOVUPS.Z (R13), K1, Z2; \
	VMOVUPS.Z 64(R13), K2, Z3; \
	VMOVUPS   96(R13), K4, Z4; \
	ADDQ      R10, CX; \
	W4HROW(off)

// W4H4ROW is W4HROW for four tile rows a vector, from the input rows at
// offsets CX + 4q rows (q = 0 … 3): columns [0, 16) of each under K1, E
// lanes 4q, 4q + 1 from columns 16, 17 of row q (K3, K4, K6, K7 = the
// two bits shifted by 4q).
#define W4H4ROW(off) \
	W4ROWAT(SI, CX, R13); \
	VMOVUPS.Z (R13), K1, Z0; \
	VMOVUPS.Z 64(R13), K3, Z4; \
	LEAQ      (CX)(R10*4), AX; \
	W4ROWAT(SI, AX, R13); \
	VMOVUPS.Z (R13), K1, Z1; \
	VMOVUPS   48(R13), K4, Z4; \
	LEAQ      (AX)(R10*4), AX; \
	W4ROWAT(SI, AX, R13); \
	VMOVUPS.Z (R13), K1, Z2; \
	VMOVUPS   32(R13), K6, Z4; \
	LEAQ      (AX)(R10*4), AX; \
	W4ROWAT(SI, AX, R13); \
	VMOVUPS.Z (R13), K1, Z3; \
	VMOVUPS   16(R13), K7, Z4; \
	ADDQ      R10, CX; \
	W4HROW(off)

// The rows 0 and 1 (…01) or 2 and 3 (…23) of the vector of tiles whose
// first input row is at offset R8, to the set of h vectors at set(R14) (a
// set: 4 rows of 6 vectors); …23 steps R8 to the next vector's first row.
#define W4GROWS01(set) \
	MOVQ R8, CX; \
	W4GHROW(set); \
	W4GHROW(set+384)

#define W4GROWS23(set) \
	LEAQ (R8)(R10*2), CX; \
	W4GHROW(set+768); \
	W4GHROW(set+1152); \
	LEAQ (R8)(R10*4), R8

#define W4H8ROWS01(set) \
	MOVQ R8, CX; \
	W4H8ROW(set); \
	W4H8ROW(set+384)

#define W4H8ROWS23(set) \
	LEAQ (R8)(R10*2), CX; \
	W4H8ROW(set+768); \
	W4H8ROW(set+1152); \
	LEAQ (R8)(R10*8), R8

#define W4H4ROWS01(set) \
	MOVQ R8, CX; \
	W4H4ROW(set); \
	W4H4ROW(set+384)

#define W4H4ROWS23(set) \
	LEAQ (R8)(R10*2), CX; \
	W4H4ROW(set+768); \
	W4H4ROW(set+1152); \
	LEAQ (R8)(R10*8), R8; \
	LEAQ (R8)(R10*8), R8

// W4INCOL loads column j of h rows 0 … 3 from the set cur to Z0 … Z3.
#define W4INCOL(cur, j) \
	VMOVAPS (cur+j*64)(R14), Z0; \
	VMOVAPS (cur+384+j*64)(R14), Z1; \
	VMOVAPS (cur+768+j*64)(R14), Z2; \
	VMOVAPS (cur+1152+j*64)(R14), Z3

// W4INCOLEND writes Bᵀ h of column j (rows in Z0 … Z5) to its streams.
#define W4INCOLEND \
	W4IN(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11, Z12, Z13); \
	W4STORE6(Z6, Z7, Z8, Z9, Z10, Z11)

// W4INCOLG is column j of a vector, one tile row a vector: rows 4 and 5
// are rows 0 and 1 of the next vector's, in the set nxt.
#define W4INCOLG(cur, nxt, j) \
	W4INCOL(cur, j); \
	VMOVAPS (nxt+j*64)(R14), Z4; \
	VMOVAPS (nxt+384+j*64)(R14), Z5; \
	W4INCOLEND

// W4INCOLA is W4INCOLG for sh = 8 (tw = 8) or 4 (tw = 4) tiles a tile row:
// rows 4 and 5 are rows 0 and 1 a tile row on, the top 16 − sh lanes of
// this vector's, then the low sh lanes of the next's.
#define W4INCOLA(sh, cur, nxt, j) \
	W4INCOL(cur, j); \
	VMOVAPS (nxt+j*64)(R14), Z4; \
	VALIGND sh, Z0, Z4, Z4; \
	VMOVAPS (nxt+384+j*64)(R14), Z5; \
	VALIGND sh, Z1, Z5, Z5; \
	W4INCOLEND

#define W4INCOLSG(cur, nxt) \
	MOVQ DI, AX; \
	W4INCOLG(cur, nxt, 0); \
	W4INCOLG(cur, nxt, 1); \
	W4INCOLG(cur, nxt, 2); \
	W4INCOLG(cur, nxt, 3); \
	W4INCOLG(cur, nxt, 4); \
	W4INCOLG(cur, nxt, 5)

#define W4INCOLSA(sh, cur, nxt) \
	MOVQ DI, AX; \
	W4INCOLA(sh, cur, nxt, 0); \
	W4INCOLA(sh, cur, nxt, 1); \
	W4INCOLA(sh, cur, nxt, 2); \
	W4INCOLA(sh, cur, nxt, 3); \
	W4INCOLA(sh, cur, nxt, 4); \
	W4INCOLA(sh, cur, nxt, 5)

// W4INSETUP starts the paths of several tile rows a vector: SI = x − pl,
// DI = v, BX = th·tw tiles, K5; AX = bit k (k < cap) for column k − pl in
// [0, w).
#define W4INSETUP(cap) \
	MOVQ  x+0(FP), SI; \
	MOVQ  pl+32(FP), CX; \
	SHLQ  $2, CX; \
	SUBQ  CX, SI; \
	MOVQ  v+56(FP), DI; \
	MOVQ  th+40(FP), BX; \
	IMULQ tw+48(FP), BX; \
	W4STEPMASK; \
	MOVQ  w+16(FP), CX; \
	ADDQ  pl+32(FP), CX; \
	W4CLAMP(cap); \
	W4LOWBITS(AX); \
	MOVQ  pl+32(FP), CX; \
	W4LOWBITS(R13); \
	NOTQ  R13; \
	ANDQ  R13, AX

// func winoInputPlane4AVX512(x *float32, h, w, pt, pl, th, tw int, v *float32, ldv int)
//
// V = Bᵀ d B of the th × tw tiles of the plane x (h × w), padded by pt rows
// above and pl columns to the left, zero outside: d[i][j] =
// x[4ty + i − pt][4tx + j − pl], V[i][j] to v[(6i + j)·ldv + ty·tw + tx].
// Requires h, w, th, tw ≥ 1 and 0 ≤ pt, pl ≤ 2; the tiles may reach past
// the plane on any side. x is read within [0, h·w) only, v written at the
// tiles' indices of the 36 streams only.
//
// Registers: SI the row base (x − pl, plus the column block's offset), R8
// the vector's first row's offset (row · R10, negative above the plane),
// CX the row's, R9 = h·w·4, R10 = w·4, R11 the zero row, R13 a row's
// pointer, DI the vector's streams, R12 = ldv·4, DX = 6·R12, BX the tiles
// left (the tile rows left in the general path), R14 the two sets of h
// vectors in the frame (64-byte aligned), Z27 = 4, Z28 … Z31 the index
// vectors. The frame also holds the column block of the general path.
TEXT ·winoInputPlane4AVX512(SB), 0, $3144-72
	MOVQ         ldv+64(FP), R12
	SHLQ         $2, R12
	LEAQ         (R12)(R12*2), DX
	ADDQ         DX, DX
	MOVQ         w+16(FP), R10
	SHLQ         $2, R10
	MOVQ         h+8(FP), R9
	IMULQ        R10, R9
	W4ZEROROW
	LEAQ         72(SP), R14
	ANDQ         $-64, R14
	MOVL         $0x40800000, AX
	VPBROADCASTD AX, Z27
	VMOVDQU32    wino4Tab<>+0(SB), Z28
	VMOVDQU32    wino4Tab<>+64(SB), Z29
	MOVQ         pt+24(FP), R8
	IMULQ        R10, R8
	NEGQ         R8
	MOVQ         tw+48(FP), AX
	CMPQ         AX, $8
	JEQ          in8
	CMPQ         AX, $4
	JEQ          in4
	VMOVDQU32    wino4Tab<>+128(SB), Z30
	VMOVDQU32    wino4Tab<>+192(SB), Z31
	MOVQ         $0, 0(SP)

inBlock:
	// Column block 0(SP) of 16 tiles: BX = the tiles in it (done when
	// none), K5 their lanes.
	MOVQ 0(SP), CX
	SHLQ $4, CX
	MOVQ tw+48(FP), BX
	SUBQ CX, BX
	JLE  inDone
	W4STEPMASK

	// AX = c0 = 64·block − pl, its first column; SI = x + c0.
	MOVQ 0(SP), AX
	SHLQ $6, AX
	SUBQ pl+32(FP), AX
	MOVQ x+0(FP), SI
	LEAQ (SI)(AX*4), SI

	// K6: columns c0 + 64, 65 in [0, w); K1 … K4: c0 + [0, 64).
	MOVQ  w+16(FP), CX
	SUBQ  AX, CX
	SUBQ  $64, CX
	W4CLAMP($2)
	W4LOWBITS(BX)
	KMOVW BX, K6
	MOVQ  w+16(FP), CX
	SUBQ  AX, CX
	W4CLAMP($64)
	W4LOWBITS64(BX)
	MOVQ  AX, CX
	NEGQ  CX
	W4CLAMP($2)
	W4LOWBITS(AX)
	NOTQ  AX
	ANDQ  AX, BX
	KMOVW BX, K1
	SHRQ  $16, BX
	KMOVW BX, K2
	SHRQ  $16, BX
	KMOVW BX, K3
	SHRQ  $16, BX
	KMOVW BX, K4

	// R8 at row −pt, DI at the block's first tile, BX tile rows.
	MOVQ  pt+24(FP), R8
	IMULQ R10, R8
	NEGQ  R8
	MOVQ  0(SP), AX
	SHLQ  $6, AX
	MOVQ  v+56(FP), DI
	ADDQ  AX, DI
	MOVQ  th+40(FP), BX
	W4GROWS01(0)
	W4GROWS23(0)

inLoop:
	W4GROWS01(1536)
	W4INCOLSG(0, 1536)
	DECQ BX
	JEQ  inNextBlock
	MOVQ tw+48(FP), AX
	LEAQ (DI)(AX*4), DI
	W4GROWS23(1536)
	W4GROWS01(0)
	W4INCOLSG(1536, 0)
	DECQ BX
	JEQ  inNextBlock
	MOVQ tw+48(FP), AX
	LEAQ (DI)(AX*4), DI
	W4GROWS23(0)
	JMP  inLoop

inNextBlock:
	INCQ 0(SP)
	JMP  inBlock

in8:
	// Two tile rows a vector: K1, K2 for columns −pl + [0, 32), K3 for
	// −pl + 32, 33, K4 = K3 << 8.
	W4INSETUP($34)
	KMOVW     AX, K1
	SHRQ      $16, AX
	KMOVW     AX, K2
	SHRQ      $16, AX
	KMOVW     AX, K3
	SHLQ      $8, AX
	KMOVW     AX, K4
	VMOVDQU32 wino4Tab<>+256(SB), Z30
	VMOVDQU32 wino4Tab<>+320(SB), Z31
	W4H8ROWS01(0)
	W4H8ROWS23(0)

in8Loop:
	W4H8ROWS01(1536)
	W4INCOLSA($8, 0, 1536)
	W4NEXT16(DI, inDone)
	W4H8ROWS23(1536)
	W4H8ROWS01(0)
	W4INCOLSA($8, 1536, 0)
	W4NEXT16(DI, inDone)
	W4H8ROWS23(0)
	JMP in8Loop

in4:
	// Four tile rows a vector: K1 for columns −pl + [0, 16), K3 for
	// −pl + 16, 17, K4, K6, K7 the same shifted by 4, 8, 12.
	W4INSETUP($18)
	KMOVW     AX, K1
	SHRQ      $16, AX
	KMOVW     AX, K3
	SHLQ      $4, AX
	KMOVW     AX, K4
	SHLQ      $4, AX
	KMOVW     AX, K6
	SHLQ      $4, AX
	KMOVW     AX, K7
	VMOVDQU32 wino4Tab<>+384(SB), Z30
	VMOVDQU32 wino4Tab<>+448(SB), Z31
	W4H4ROWS01(0)
	W4H4ROWS23(0)

in4Loop:
	W4H4ROWS01(1536)
	W4INCOLSA($4, 0, 1536)
	W4NEXT16(DI, inDone)
	W4H4ROWS23(1536)
	W4H4ROWS01(0)
	W4INCOLSA($4, 1536, 0)
	W4NEXT16(DI, inDone)
	W4H4ROWS23(0)
	JMP in4Loop

inDone:
	VZEROUPPER
	RET

// W4OUT sets o0 … o3 to Aᵀ m of m0 … m5 (wino4Out); m1 … m4 are
// clobbered, the o's must be other registers.
#define W4OUT(m0, m1, m2, m3, m4, m5, o0, o1, o2, o3) \
	VADDPS      m2, m1, o2; \
	VSUBPS      m2, m1, m1; \
	VADDPS      m4, m3, m2; \
	VSUBPS      m4, m3, m3; \
	VADDPS      o2, m0, o0; \
	VADDPS      m2, o0, o0; \
	VADDPS      m3, m3, m4; \
	VADDPS      m4, m1, o1; \
	VMULPS.BCST wino4Tab<>+640(SB), m2, m2; \
	VADDPS      m2, o2, o2; \
	VMULPS.BCST wino4Tab<>+644(SB), m3, m3; \
	VADDPS      m3, m1, m3; \
	VADDPS      m5, m3, o3

// W4OUTCOL sets s0 … s3 to Aᵀ M of column j of M, the streams at AX, and
// steps AX to column j + 1.
#define W4OUTCOL(s0, s1, s2, s3) \
	W4LOAD6; \
	W4OUT(Z24, Z25, Z26, Z27, Z28, Z29, s0, s1, s2, s3)

// W4OUTCOLS sets Z(6a + j) to s[a][j] = (Aᵀ M)[a][j] of the vector's tiles
// (streams at SI).
#define W4OUTCOLS \
	MOVQ SI, AX; \
	W4OUTCOL(Z0, Z6, Z12, Z18); \
	W4OUTCOL(Z1, Z7, Z13, Z19); \
	W4OUTCOL(Z2, Z8, Z14, Z20); \
	W4OUTCOL(Z3, Z9, Z15, Z21); \
	W4OUTCOL(Z4, Z10, Z16, Z22); \
	W4OUTCOL(Z5, Z11, Z17, Z23)

// W4OUTROW sets Z28, s0, Z29, s1 to output row a of the vector's tiles
// (columns [0, 16), [16, 32), … of its 64), from s[a][·] in s0 … s5: each
// row of s by wino4Out (Y0 … Y3 in Z24 … Z27), interleaved by the tables
// in Z30, Z31.
#define W4OUTROW(s0, s1, s2, s3, s4, s5) \
	W4OUT(s0, s1, s2, s3, s4, s5, Z24, Z25, Z26, Z27); \
	VSHUFF32X4 $0x44, Z25, Z24, s0; \
	VSHUFF32X4 $0xee, Z25, Z24, s1; \
	VSHUFF32X4 $0x44, Z27, Z26, s2; \
	VSHUFF32X4 $0xee, Z27, Z26, s3; \
	VMOVAPS    s0, Z28; \
	VPERMT2PS  s2, Z30, Z28; \
	VPERMT2PS  s2, Z31, s0; \
	VMOVAPS    s1, Z29; \
	VPERMT2PS  s3, Z30, Z29; \
	VPERMT2PS  s3, Z31, s1

// W4OROWG writes output row a (at offset CX; one tile row a vector: 64
// columns under K1 … K4) and steps CX to the next row.
#define W4OROWG(s0, s1, s2, s3, s4, s5) \
	W4OUTROW(s0, s1, s2, s3, s4, s5); \
	W4ROWAT(DI, CX, R13); \
	VMOVUPS Z28, K1, (R13); \
	VMOVUPS s0, K2, 64(R13); \
	VMOVUPS Z29, K3, 128(R13); \
	VMOVUPS s1, K4, 192(R13); \
	ADDQ    R10, CX

// W4OROW8 is W4OROWG for two tile rows a vector: 32 columns (K1, K2) to
// the row at CX and the one 4 rows on.
#define W4OROW8(s0, s1, s2, s3, s4, s5) \
	W4OUTROW(s0, s1, s2, s3, s4, s5); \
	W4ROWAT(DI, CX, R13); \
	VMOVUPS Z28, K1, (R13); \
	VMOVUPS s0, K2, 64(R13); \
	LEAQ    (CX)(R10*4), AX; \
	W4ROWAT(DI, AX, R13); \
	VMOVUPS Z29, K1, (R13); \
	VMOVUPS s1, K2, 64(R13); \
	ADDQ    R10, CX

// W4OROW4 is W4OROWG for four tile rows a vector: 16 columns (K1) to the
// rows at CX + 4q rows.
#define W4OROW4(s0, s1, s2, s3, s4, s5) \
	W4OUTROW(s0, s1, s2, s3, s4, s5); \
	W4ROWAT(DI, CX, R13); \
	VMOVUPS Z28, K1, (R13); \
	LEAQ    (CX)(R10*4), AX; \
	W4ROWAT(DI, AX, R13); \
	VMOVUPS s0, K1, (R13); \
	LEAQ    (AX)(R10*4), AX; \
	W4ROWAT(DI, AX, R13); \
	VMOVUPS Z29, K1, (R13); \
	LEAQ    (AX)(R10*4), AX; \
	W4ROWAT(DI, AX, R13); \
	VMOVUPS s1, K1, (R13); \
	ADDQ    R10, CX

// func winoOutputPlane4AVX512(m *float32, ldm, th, tw int, y *float32, oh, ow int)
//
// Y = Aᵀ M A of the th × tw tiles, M[i][j] = m[(6i + j)·ldm + ty·tw + tx],
// to y[4ty + a][4tx + b] (the plane y is oh × ow) where 4ty + a < oh and
// 4tx + b < ow. Requires th, tw ≥ 1 (the callers pass th = ⌈oh/4⌉ and
// tw = ⌈ow/4⌉). y is written at those positions only and never read; m is
// read at the tiles' indices only.
//
// Registers: DI the rows' base (y, plus the column block's offset), R8 the
// vector's first row's offset (row · R10), CX the row's, R9 =
// min(oh, 4·th)·ow·4, R10 = ow·4, R11 the scratch row in the frame, R13 a
// row's pointer, SI the vector's streams, R12 = ldm·4, DX = 6·R12, BX the
// tiles left (tile rows in the general path), Z30, Z31 the interleaving
// index vectors. The frame holds the column block, min(ow, 4·tw) and the
// scratch row (256 bytes from R11, 64-byte aligned).
TEXT ·winoOutputPlane4AVX512(SB), NOSPLIT, $336-56
	MOVQ      ldm+8(FP), R12
	SHLQ      $2, R12
	LEAQ      (R12)(R12*2), DX
	ADDQ      DX, DX
	MOVQ      ow+48(FP), R10
	SHLQ      $2, R10
	MOVQ      th+16(FP), R9
	SHLQ      $2, R9
	MOVQ      oh+40(FP), AX
	CMPQ      AX, R9
	CMOVQLT   AX, R9
	IMULQ     R10, R9
	LEAQ      79(SP), R11
	ANDQ      $-64, R11
	VMOVDQU32 wino4Tab<>+512(SB), Z30
	VMOVDQU32 wino4Tab<>+576(SB), Z31
	XORL      R8, R8

	// CX = min(ow, 4·tw), the columns written.
	MOVQ    tw+24(FP), CX
	SHLQ    $2, CX
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
	// none), K5 their lanes; K1 … K4 its columns 64·block + [0, 64) below
	// 8(SP).
	MOVQ  0(SP), CX
	SHLQ  $4, CX
	MOVQ  tw+24(FP), BX
	SUBQ  CX, BX
	JLE   outDone
	W4STEPMASK
	MOVQ  0(SP), AX
	SHLQ  $6, AX
	MOVQ  8(SP), CX
	SUBQ  AX, CX
	W4CLAMP($64)
	W4LOWBITS64(BX)
	KMOVW BX, K1
	SHRQ  $16, BX
	KMOVW BX, K2
	SHRQ  $16, BX
	KMOVW BX, K3
	SHRQ  $16, BX
	KMOVW BX, K4

	// DI at the block's first column, SI at its first tile, R8 at row 0,
	// BX tile rows.
	MOVQ y+32(FP), DI
	LEAQ (DI)(AX*4), DI
	MOVQ m+0(FP), SI
	ADDQ AX, SI
	XORL R8, R8
	MOVQ th+16(FP), BX

outLoop:
	W4OUTCOLS
	MOVQ    R8, CX
	W4OROWG(Z0, Z1, Z2, Z3, Z4, Z5)
	W4OROWG(Z6, Z7, Z8, Z9, Z10, Z11)
	W4OROWG(Z12, Z13, Z14, Z15, Z16, Z17)
	W4OROWG(Z18, Z19, Z20, Z21, Z22, Z23)
	DECQ    BX
	JEQ     outNextBlock
	MOVQ    tw+24(FP), AX
	LEAQ    (SI)(AX*4), SI
	LEAQ    (R8)(R10*4), R8
	JMP     outLoop

outNextBlock:
	INCQ 0(SP)
	JMP  outBlock

out8:
	// Two tile rows a vector: K1, K2 for the columns.
	W4CLAMP($32)
	W4LOWBITS(AX)
	KMOVW AX, K1
	SHRQ  $16, AX
	KMOVW AX, K2
	MOVQ  m+0(FP), SI
	MOVQ  y+32(FP), DI
	MOVQ  th+16(FP), BX
	IMULQ tw+24(FP), BX
	W4STEPMASK

out8Loop:
	W4OUTCOLS
	MOVQ    R8, CX
	W4OROW8(Z0, Z1, Z2, Z3, Z4, Z5)
	W4OROW8(Z6, Z7, Z8, Z9, Z10, Z11)
	W4OROW8(Z12, Z13, Z14, Z15, Z16, Z17)
	W4OROW8(Z18, Z19, Z20, Z21, Z22, Z23)
	W4NEXT16(SI, outDone)
	LEAQ    (R8)(R10*8), R8
	JMP     out8Loop

out4:
	// Four tile rows a vector: K1 for the columns.
	W4CLAMP($16)
	W4LOWBITS(AX)
	KMOVW AX, K1
	MOVQ  m+0(FP), SI
	MOVQ  y+32(FP), DI
	MOVQ  th+16(FP), BX
	IMULQ tw+24(FP), BX
	W4STEPMASK

out4Loop:
	W4OUTCOLS
	MOVQ    R8, CX
	W4OROW4(Z0, Z1, Z2, Z3, Z4, Z5)
	W4OROW4(Z6, Z7, Z8, Z9, Z10, Z11)
	W4OROW4(Z12, Z13, Z14, Z15, Z16, Z17)
	W4OROW4(Z18, Z19, Z20, Z21, Z22, Z23)
	W4NEXT16(SI, outDone)
	LEAQ    (R8)(R10*8), R8
	LEAQ    (R8)(R10*8), R8
	JMP     out4Loop

outDone:
	VZEROUPPER
	RET

// W4GRAD sets o1 … o4 to entries 1 … 4 of A e of e0 … e3 (wino4Grad;
// entries 0 and 5 are e0 and e3). Z24 … Z27 are scratch; o1 and o2 may be
// e1 and e2, o3 and o4 Z24 and Z25.
#define W4GRAD(e0, e1, e2, e3, o1, o2, o3, o4) \
	VADDPS      e2, e0, Z24; \
	VADDPS      e3, e1, Z25; \
	VMULPS.BCST wino4Tab<>+640(SB), e2, Z26; \
	VADDPS      Z26, e0, Z26; \
	VMULPS.BCST wino4Tab<>+640(SB), e3, Z27; \
	VADDPS      Z27, e1, Z27; \
	VADDPS      Z25, Z24, o1; \
	VSUBPS      Z25, Z24, o2; \
	VADDPS      Z27, Z27, Z27; \
	VADDPS      Z27, Z26, o3; \
	VSUBPS      Z27, Z26, o4

// W4GROW sets g0 … g5 to g[a] = dY[a] Aᵀ of the vector's tiles from the
// columns of row a in Z24 … Z27 (as W4SPLIT's).
#define W4GROW(g0, g1, g2, g3, g4, g5) \
	W4SPLIT(Z30, Z31, Z24, Z25, Z26, Z27, Z28, Z29, g0, g1, g2, g5); \
	W4GRAD(g0, g1, g2, g5, g1, g2, g3, g4)

// W4GROWG is W4GROW of dy's row at offset CX (one tile row a vector: 64
// columns under K1 … K4), and steps CX to the next row.
#define W4GROWG(g0, g1, g2, g3, g4, g5) \
	W4ROWAT(SI, CX, R13); \
	ADDQ      R10, CX; \
	VMOVUPS.Z (R13), K1, Z24; \
	VMOVUPS.Z 64(R13), K2, Z25; \
	VMOVUPS.Z 128(R13), K3, Z26; \
	VMOVUPS.Z 192(R13), K4, Z27; \
	W4GROW(g0, g1, g2, g3, g4, g5)

// W4GROW8 is W4GROWG for two tile rows a vector: 32 columns (K1, K2) of
// the row at CX and the one 4 rows on.
#define W4GROW8(g0, g1, g2, g3, g4, g5) \
	W4ROWAT(SI, CX, R13); \
	VMOVUPS.Z (R13), K1, Z24; \
	VMOVUPS.Z 64(R13), K2, Z25; \
	LEAQ      (CX)(R10*4), AX; \
	W4ROWAT(SI, AX, R13); \
	VMOVUPS.Z (R13), K1, Z26; \
	VMOVUPS.Z 64(R13), K2, Z27; \
	ADDQ      R10, CX; \
	W4GROW(g0, g1, g2, g3, g4, g5)

// W4GROW4 is W4GROWG for four tile rows a vector: 16 columns (K1) of the
// rows at CX + 4q rows.
#define W4GROW4(g0, g1, g2, g3, g4, g5) \
	W4ROWAT(SI, CX, R13); \
	VMOVUPS.Z (R13), K1, Z24; \
	LEAQ      (CX)(R10*4), AX; \
	W4ROWAT(SI, AX, R13); \
	VMOVUPS.Z (R13), K1, Z25; \
	LEAQ      (AX)(R10*4), AX; \
	W4ROWAT(SI, AX, R13); \
	VMOVUPS.Z (R13), K1, Z26; \
	LEAQ      (AX)(R10*4), AX; \
	W4ROWAT(SI, AX, R13); \
	VMOVUPS.Z (R13), K1, Z27; \
	ADDQ      R10, CX; \
	W4GROW(g0, g1, g2, g3, g4, g5)

// W4GCOL writes column j of dM = A g, from g[0 … 3][j] in G0 … G3, to its
// streams at AX, and steps AX to column j + 1.
#define W4GCOL(G0, G1, G2, G3) \
	W4GRAD(G0, G1, G2, G3, Z28, Z29, Z24, Z25); \
	W4STORE6(G0, Z28, Z29, Z24, Z25, G3)

#define W4GCOLS \
	MOVQ DI, AX; \
	W4GCOL(Z0, Z6, Z12, Z18); \
	W4GCOL(Z1, Z7, Z13, Z19); \
	W4GCOL(Z2, Z8, Z14, Z20); \
	W4GCOL(Z3, Z9, Z15, Z21); \
	W4GCOL(Z4, Z10, Z16, Z22); \
	W4GCOL(Z5, Z11, Z17, Z23)

// func winoGradPlane4AVX512(dy *float32, oh, ow, th, tw int, out *float32, ldo int)
//
// dM = A dY Aᵀ of the th × tw tiles, dY[a][b] = dy[4ty + a][4tx + b] (the
// plane dy is oh × ow; zero past it), dM[i][j] to out[(6i + j)·ldo +
// ty·tw + tx]. Requires th, tw ≥ 1 (the callers pass th = ⌈oh/4⌉ and
// tw = ⌈ow/4⌉). dy is read within its rows' columns [0, min(ow, 4·tw))
// only; out is written at the tiles' indices only.
//
// Registers: SI the rows' base (dy, plus the column block's offset), R8
// the vector's first row's offset (row · R10), CX the row's, R9 = oh·ow·4,
// R10 = ow·4, R11 the zero row, R13 a row's pointer, DI the vector's
// streams, R12 = ldo·4, DX = 6·R12, BX the tiles left (tile rows in the
// general path), Z30, Z31 the index vectors; g in Z0 … Z23. The frame
// holds the column block and min(ow, 4·tw).
TEXT ·winoGradPlane4AVX512(SB), NOSPLIT, $16-56
	MOVQ      ldo+48(FP), R12
	SHLQ      $2, R12
	LEAQ      (R12)(R12*2), DX
	ADDQ      DX, DX
	MOVQ      ow+16(FP), R10
	SHLQ      $2, R10
	MOVQ      oh+8(FP), R9
	IMULQ     R10, R9
	W4ZEROROW
	VMOVDQU32 wino4Tab<>+0(SB), Z30
	VMOVDQU32 wino4Tab<>+64(SB), Z31
	XORL      R8, R8

	// CX = min(ow, 4·tw), the columns read.
	MOVQ    tw+32(FP), CX
	SHLQ    $2, CX
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
	// none), K5 their lanes; K1 … K4 its columns 64·block + [0, 64) below
	// 8(SP).
	MOVQ  0(SP), CX
	SHLQ  $4, CX
	MOVQ  tw+32(FP), BX
	SUBQ  CX, BX
	JLE   gradDone
	W4STEPMASK
	MOVQ  0(SP), AX
	SHLQ  $6, AX
	MOVQ  8(SP), CX
	SUBQ  AX, CX
	W4CLAMP($64)
	W4LOWBITS64(BX)
	KMOVW BX, K1
	SHRQ  $16, BX
	KMOVW BX, K2
	SHRQ  $16, BX
	KMOVW BX, K3
	SHRQ  $16, BX
	KMOVW BX, K4

	// SI at the block's first column, DI at its first tile, R8 at row 0,
	// BX tile rows.
	MOVQ dy+0(FP), SI
	LEAQ (SI)(AX*4), SI
	MOVQ out+40(FP), DI
	ADDQ AX, DI
	XORL R8, R8
	MOVQ th+24(FP), BX

gradLoop:
	MOVQ    R8, CX
	W4GROWG(Z0, Z1, Z2, Z3, Z4, Z5)
	W4GROWG(Z6, Z7, Z8, Z9, Z10, Z11)
	W4GROWG(Z12, Z13, Z14, Z15, Z16, Z17)
	W4GROWG(Z18, Z19, Z20, Z21, Z22, Z23)
	W4GCOLS
	DECQ    BX
	JEQ     gradNextBlock
	MOVQ    tw+32(FP), AX
	LEAQ    (DI)(AX*4), DI
	LEAQ    (R8)(R10*4), R8
	JMP     gradLoop

gradNextBlock:
	INCQ 0(SP)
	JMP  gradBlock

grad8:
	// Two tile rows a vector: K1, K2 for the columns.
	W4CLAMP($32)
	W4LOWBITS(AX)
	KMOVW AX, K1
	SHRQ  $16, AX
	KMOVW AX, K2
	MOVQ  dy+0(FP), SI
	MOVQ  out+40(FP), DI
	MOVQ  th+24(FP), BX
	IMULQ tw+32(FP), BX
	W4STEPMASK

grad8Loop:
	MOVQ    R8, CX
	W4GROW8(Z0, Z1, Z2, Z3, Z4, Z5)
	W4GROW8(Z6, Z7, Z8, Z9, Z10, Z11)
	W4GROW8(Z12, Z13, Z14, Z15, Z16, Z17)
	W4GROW8(Z18, Z19, Z20, Z21, Z22, Z23)
	W4GCOLS
	W4NEXT16(DI, gradDone)
	LEAQ    (R8)(R10*8), R8
	JMP     grad8Loop

grad4:
	// Four tile rows a vector: K1 for the columns.
	W4CLAMP($16)
	W4LOWBITS(AX)
	KMOVW AX, K1
	MOVQ  dy+0(FP), SI
	MOVQ  out+40(FP), DI
	MOVQ  th+24(FP), BX
	IMULQ tw+32(FP), BX
	W4STEPMASK

grad4Loop:
	MOVQ    R8, CX
	W4GROW4(Z0, Z1, Z2, Z3, Z4, Z5)
	W4GROW4(Z6, Z7, Z8, Z9, Z10, Z11)
	W4GROW4(Z12, Z13, Z14, Z15, Z16, Z17)
	W4GROW4(Z18, Z19, Z20, Z21, Z22, Z23)
	W4GCOLS
	W4NEXT16(DI, gradDone)
	LEAQ    (R8)(R10*8), R8
	LEAQ    (R8)(R10*8), R8
	JMP     grad4Loop

gradDone:
	VZEROUPPER
	RET
