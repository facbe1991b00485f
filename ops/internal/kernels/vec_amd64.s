#include "textflag.h"

// AVX-512 kernels of the float32 batch-norm and ReLU passes (vec_amd64.go
// declares them). Each takes pointers and a count n ≥ 0: full vectors of 16
// floats first (two per iteration where that helps), then one masked vector
// for the last n mod 16 values, whose masked-off lanes are neither read (no
// fault past the end) nor written.
//
// The elementwise kernels reproduce their Go loops bit for bit: the same
// float64 operations, unfused and in the same order, with the data operand
// first, as the compiler emits them (so which NaN wins matches too).

// TAILMASK sets K1 to the low CX bits (CX < 16) and K2 to bits 8-15 of K1
// shifted down: the masks of the upper half of a vector widened to float64.
#define TAILMASK \
	MOVL  $1, AX; \
	SHLL  CX, AX; \
	DECL  AX; \
	KMOVW AX, K1; \
	SHRL  $8, AX; \
	KMOVW AX, K2

// func affineAVX512(y, x *float32, n int, a, b float64)
//
// y[i] = float32(a*float64(x[i]) + b).
TEXT ·affineAVX512(SB), NOSPLIT, $0-40
	MOVQ         y+0(FP), DI
	MOVQ         x+8(FP), SI
	MOVQ         n+16(FP), CX
	VBROADCASTSD a+24(FP), Z14
	VBROADCASTSD b+32(FP), Z15
	CMPQ         CX, $16
	JLT          affineTail

affineLoop:
	VCVTPS2PD (SI), Z0
	VCVTPS2PD 32(SI), Z1
	VMULPD    Z14, Z0, Z0
	VMULPD    Z14, Z1, Z1
	VADDPD    Z15, Z0, Z0
	VADDPD    Z15, Z1, Z1
	VCVTPD2PS Z0, Y0
	VCVTPD2PS Z1, Y1
	VMOVUPS   Y0, (DI)
	VMOVUPS   Y1, 32(DI)
	ADDQ      $64, SI
	ADDQ      $64, DI
	SUBQ      $16, CX
	CMPQ      CX, $16
	JGE       affineLoop

affineTail:
	TESTQ         CX, CX
	JEQ           affineDone
	TAILMASK
	VMOVUPS.Z     (SI), K1, Z2
	VEXTRACTF64X4 $1, Z2, Y3
	VCVTPS2PD     Y2, Z0
	VCVTPS2PD     Y3, Z1
	VMULPD        Z14, Z0, Z0
	VMULPD        Z14, Z1, Z1
	VADDPD        Z15, Z0, Z0
	VADDPD        Z15, Z1, Z1
	VCVTPD2PS     Z0, Y0
	VCVTPD2PS     Z1, Y1
	VINSERTF64X4  $1, Y1, Z0, Z0
	VMOVUPS       Z0, K1, (DI)

affineDone:
	VZEROUPPER
	RET

// func affine2AVX512(dx, dy, x *float32, n int, a, b, c float64)
//
// dx[i] = float32(a*float64(dy[i]) + b*float64(x[i]) + c), evaluated as
// ((a·g) + (b·v)) + c.
TEXT ·affine2AVX512(SB), NOSPLIT, $0-56
	MOVQ         dx+0(FP), DI
	MOVQ         dy+8(FP), SI
	MOVQ         x+16(FP), DX
	MOVQ         n+24(FP), CX
	VBROADCASTSD a+32(FP), Z13
	VBROADCASTSD b+40(FP), Z14
	VBROADCASTSD c+48(FP), Z15
	CMPQ         CX, $16
	JLT          affine2Tail

affine2Loop:
	VCVTPS2PD (SI), Z0
	VCVTPS2PD 32(SI), Z1
	VCVTPS2PD (DX), Z2
	VCVTPS2PD 32(DX), Z3
	VMULPD    Z13, Z0, Z0
	VMULPD    Z13, Z1, Z1
	VMULPD    Z14, Z2, Z2
	VMULPD    Z14, Z3, Z3
	VADDPD    Z2, Z0, Z0
	VADDPD    Z3, Z1, Z1
	VADDPD    Z15, Z0, Z0
	VADDPD    Z15, Z1, Z1
	VCVTPD2PS Z0, Y0
	VCVTPD2PS Z1, Y1
	VMOVUPS   Y0, (DI)
	VMOVUPS   Y1, 32(DI)
	ADDQ      $64, SI
	ADDQ      $64, DX
	ADDQ      $64, DI
	SUBQ      $16, CX
	CMPQ      CX, $16
	JGE       affine2Loop

affine2Tail:
	TESTQ         CX, CX
	JEQ           affine2Done
	TAILMASK
	VMOVUPS.Z     (SI), K1, Z4
	VMOVUPS.Z     (DX), K1, Z5
	VEXTRACTF64X4 $1, Z4, Y6
	VEXTRACTF64X4 $1, Z5, Y7
	VCVTPS2PD     Y4, Z0
	VCVTPS2PD     Y6, Z1
	VCVTPS2PD     Y5, Z2
	VCVTPS2PD     Y7, Z3
	VMULPD        Z13, Z0, Z0
	VMULPD        Z13, Z1, Z1
	VMULPD        Z14, Z2, Z2
	VMULPD        Z14, Z3, Z3
	VADDPD        Z2, Z0, Z0
	VADDPD        Z3, Z1, Z1
	VADDPD        Z15, Z0, Z0
	VADDPD        Z15, Z1, Z1
	VCVTPD2PS     Z0, Y0
	VCVTPD2PS     Z1, Y1
	VINSERTF64X4  $1, Y1, Z0, Z0
	VMOVUPS       Z0, K1, (DI)

affine2Done:
	VZEROUPPER
	RET

// REDUCE8 sums the 8 float64 lanes of zr (ymm yr, xmm xr) into the low lane
// of xr, with yt/xt as scratch.
#define REDUCE8(zr, yr, xr, yt, xt) \
	VEXTRACTF64X4 $1, zr, yt; \
	VADDPD        yt, yr, yr; \
	VEXTRACTF128  $1, yr, xt; \
	VADDPD        xt, xr, xr; \
	VPERMILPD     $1, xr, xt; \
	VADDSD        xt, xr, xr

// func shiftedSumsAVX512(x *float32, n int, k float64) (sum, sq float64)
//
// sum = Σ (x[i] − k), sq = Σ (x[i] − k)², in float64: four independent
// lanes of 8 for each sum (32 values per iteration), so the add and FMA
// latencies overlap.
TEXT ·shiftedSumsAVX512(SB), NOSPLIT, $0-40
	MOVQ         x+0(FP), SI
	MOVQ         n+8(FP), CX
	VBROADCASTSD k+16(FP), Z15
	VPXORQ       Z4, Z4, Z4
	VPXORQ       Z5, Z5, Z5
	VPXORQ       Z6, Z6, Z6
	VPXORQ       Z7, Z7, Z7
	VPXORQ       Z8, Z8, Z8
	VPXORQ       Z9, Z9, Z9
	VPXORQ       Z10, Z10, Z10
	VPXORQ       Z11, Z11, Z11
	CMPQ         CX, $32
	JLT          ssHalf

ssLoop:
	VCVTPS2PD   (SI), Z0
	VCVTPS2PD   32(SI), Z1
	VCVTPS2PD   64(SI), Z2
	VCVTPS2PD   96(SI), Z3
	VSUBPD      Z15, Z0, Z0
	VSUBPD      Z15, Z1, Z1
	VSUBPD      Z15, Z2, Z2
	VSUBPD      Z15, Z3, Z3
	VADDPD      Z0, Z4, Z4
	VADDPD      Z1, Z5, Z5
	VADDPD      Z2, Z6, Z6
	VADDPD      Z3, Z7, Z7
	VFMADD231PD Z0, Z0, Z8
	VFMADD231PD Z1, Z1, Z9
	VFMADD231PD Z2, Z2, Z10
	VFMADD231PD Z3, Z3, Z11
	ADDQ        $128, SI
	SUBQ        $32, CX
	CMPQ        CX, $32
	JGE         ssLoop

ssHalf:
	CMPQ        CX, $16
	JLT         ssTail
	VCVTPS2PD   (SI), Z0
	VCVTPS2PD   32(SI), Z1
	VSUBPD      Z15, Z0, Z0
	VSUBPD      Z15, Z1, Z1
	VADDPD      Z0, Z4, Z4
	VADDPD      Z1, Z5, Z5
	VFMADD231PD Z0, Z0, Z8
	VFMADD231PD Z1, Z1, Z9
	ADDQ        $64, SI
	SUBQ        $16, CX

ssTail:
	TESTQ         CX, CX
	JEQ           ssReduce
	TAILMASK
	VMOVUPS.Z     (SI), K1, Z2
	VEXTRACTF64X4 $1, Z2, Y3
	VCVTPS2PD     Y2, Z0
	VCVTPS2PD     Y3, Z1

	// Masked-off lanes would add (0 − k): zero them after the shift.
	VSUBPD.Z    Z15, Z0, K1, Z0
	VSUBPD.Z    Z15, Z1, K2, Z1
	VADDPD      Z0, Z6, Z6
	VADDPD      Z1, Z7, Z7
	VFMADD231PD Z0, Z0, Z10
	VFMADD231PD Z1, Z1, Z11

ssReduce:
	VADDPD Z5, Z4, Z4
	VADDPD Z7, Z6, Z6
	VADDPD Z6, Z4, Z4
	VADDPD Z9, Z8, Z8
	VADDPD Z11, Z10, Z10
	VADDPD Z10, Z8, Z8
	REDUCE8(Z4, Y4, X4, Y0, X0)
	REDUCE8(Z8, Y8, X8, Y1, X1)
	VMOVSD X4, sum+24(FP)
	VMOVSD X8, sq+32(FP)
	VZEROUPPER
	RET

// func centeredDotsAVX512(x, dy *float32, n int, mu float64) (sum, dot float64)
//
// sum = Σ dy[i], dot = Σ dy[i]·(x[i] − mu), in float64, four lanes of 8
// for each as shiftedSumsAVX512.
TEXT ·centeredDotsAVX512(SB), NOSPLIT, $0-48
	MOVQ         x+0(FP), SI
	MOVQ         dy+8(FP), DX
	MOVQ         n+16(FP), CX
	VBROADCASTSD mu+24(FP), Z15
	VPXORQ       Z4, Z4, Z4
	VPXORQ       Z5, Z5, Z5
	VPXORQ       Z6, Z6, Z6
	VPXORQ       Z7, Z7, Z7
	VPXORQ       Z8, Z8, Z8
	VPXORQ       Z9, Z9, Z9
	VPXORQ       Z10, Z10, Z10
	VPXORQ       Z11, Z11, Z11
	CMPQ         CX, $32
	JLT          cdHalf

cdLoop:
	VCVTPS2PD   (SI), Z0
	VCVTPS2PD   32(SI), Z1
	VCVTPS2PD   64(SI), Z2
	VCVTPS2PD   96(SI), Z3
	VCVTPS2PD   (DX), Z16
	VCVTPS2PD   32(DX), Z17
	VCVTPS2PD   64(DX), Z18
	VCVTPS2PD   96(DX), Z19
	VSUBPD      Z15, Z0, Z0
	VSUBPD      Z15, Z1, Z1
	VSUBPD      Z15, Z2, Z2
	VSUBPD      Z15, Z3, Z3
	VADDPD      Z16, Z4, Z4
	VADDPD      Z17, Z5, Z5
	VADDPD      Z18, Z6, Z6
	VADDPD      Z19, Z7, Z7
	VFMADD231PD Z16, Z0, Z8
	VFMADD231PD Z17, Z1, Z9
	VFMADD231PD Z18, Z2, Z10
	VFMADD231PD Z19, Z3, Z11
	ADDQ        $128, SI
	ADDQ        $128, DX
	SUBQ        $32, CX
	CMPQ        CX, $32
	JGE         cdLoop

cdHalf:
	CMPQ        CX, $16
	JLT         cdTail
	VCVTPS2PD   (SI), Z0
	VCVTPS2PD   32(SI), Z1
	VCVTPS2PD   (DX), Z16
	VCVTPS2PD   32(DX), Z17
	VSUBPD      Z15, Z0, Z0
	VSUBPD      Z15, Z1, Z1
	VADDPD      Z16, Z4, Z4
	VADDPD      Z17, Z5, Z5
	VFMADD231PD Z16, Z0, Z8
	VFMADD231PD Z17, Z1, Z9
	ADDQ        $64, SI
	ADDQ        $64, DX
	SUBQ        $16, CX

cdTail:
	TESTQ         CX, CX
	JEQ           cdReduce
	TAILMASK
	VMOVUPS.Z     (SI), K1, Z2
	VMOVUPS.Z     (DX), K1, Z3
	VEXTRACTF64X4 $1, Z2, Y18
	VEXTRACTF64X4 $1, Z3, Y19
	VCVTPS2PD     Y2, Z0
	VCVTPS2PD     Y18, Z1
	VCVTPS2PD     Y3, Z16
	VCVTPS2PD     Y19, Z17

	// Masked-off lanes have g = 0 but would give 0·(0 − mu), NaN for an
	// infinite mu: zero them after the shift.
	VSUBPD.Z    Z15, Z0, K1, Z0
	VSUBPD.Z    Z15, Z1, K2, Z1
	VADDPD      Z16, Z6, Z6
	VADDPD      Z17, Z7, Z7
	VFMADD231PD Z16, Z0, Z10
	VFMADD231PD Z17, Z1, Z11

cdReduce:
	VADDPD Z5, Z4, Z4
	VADDPD Z7, Z6, Z6
	VADDPD Z6, Z4, Z4
	VADDPD Z9, Z8, Z8
	VADDPD Z11, Z10, Z10
	VADDPD Z10, Z8, Z8
	REDUCE8(Z4, Y4, X4, Y0, X0)
	REDUCE8(Z8, Y8, X8, Y1, X1)
	VMOVSD X4, sum+32(FP)
	VMOVSD X8, dot+40(FP)
	VZEROUPPER
	RET

// func reluAVX512(y, x *float32, n int)
//
// y[i] = max(x[i], 0) as Go's builtin compiles on amd64: x where x > 0,
// +0 for every other number (−0 included), and for a NaN the NaN with its
// sign cleared, payload and signalling bit kept. So K1 = !(x ≤ 0) (x > 0 or
// unordered), and y = x & 0x7fffffff under K1, +0 elsewhere.
TEXT ·reluAVX512(SB), NOSPLIT, $0-24
	MOVQ         y+0(FP), DI
	MOVQ         x+8(FP), SI
	MOVQ         n+16(FP), CX
	VPXORD       Z15, Z15, Z15
	MOVL         $0x7fffffff, AX
	VPBROADCASTD AX, Z14
	CMPQ         CX, $32
	JLT          reluHalf

reluLoop:
	VMOVUPS   (SI), Z0
	VMOVUPS   64(SI), Z1
	VCMPPS    $0x16, Z15, Z0, K3 // !(x <= 0) (NLE_UQ: true for NaN)
	VCMPPS    $0x16, Z15, Z1, K4
	VPANDD.Z  Z14, Z0, K3, Z0
	VPANDD.Z  Z14, Z1, K4, Z1
	VMOVUPS   Z0, (DI)
	VMOVUPS   Z1, 64(DI)
	ADDQ      $128, SI
	ADDQ      $128, DI
	SUBQ      $32, CX
	CMPQ      CX, $32
	JGE       reluLoop

reluHalf:
	CMPQ     CX, $16
	JLT      reluTail
	VMOVUPS  (SI), Z0
	VCMPPS   $0x16, Z15, Z0, K3
	VPANDD.Z Z14, Z0, K3, Z0
	VMOVUPS  Z0, (DI)
	ADDQ     $64, SI
	ADDQ     $64, DI
	SUBQ     $16, CX

reluTail:
	TESTQ     CX, CX
	JEQ       reluDone
	TAILMASK
	VMOVUPS.Z (SI), K1, Z0
	VCMPPS    $0x16, Z15, Z0, K3
	VPANDD.Z  Z14, Z0, K3, Z0
	VMOVUPS   Z0, K1, (DI)

reluDone:
	VZEROUPPER
	RET

// func reluGradAVX512(dx, x, dy *float32, n int)
//
// dx[i] = s·dy[i] with s = 1 where x[i] > 0 (ordered: not for NaN) and +0
// elsewhere, a product as in reluGrad32, so 0·dy keeps NaN, ∞ → NaN and
// the sign of zero, and a signalling NaN is quieted alike.
TEXT ·reluGradAVX512(SB), NOSPLIT, $0-32
	MOVQ         dx+0(FP), DI
	MOVQ         x+8(FP), SI
	MOVQ         dy+16(FP), DX
	MOVQ         n+24(FP), CX
	VPXORD       Z15, Z15, Z15
	MOVL         $0x3f800000, AX // 1.0
	VPBROADCASTD AX, Z14
	CMPQ         CX, $32
	JLT          rgHalf

rgLoop:
	VCMPPS    $0x11, (SI), Z15, K3 // 0 < x (LT_OQ: false for NaN)
	VCMPPS    $0x11, 64(SI), Z15, K4
	VMOVUPS.Z Z14, K3, Z0
	VMOVUPS.Z Z14, K4, Z1
	VMULPS    (DX), Z0, Z0
	VMULPS    64(DX), Z1, Z1
	VMOVUPS   Z0, (DI)
	VMOVUPS   Z1, 64(DI)
	ADDQ      $128, SI
	ADDQ      $128, DX
	ADDQ      $128, DI
	SUBQ      $32, CX
	CMPQ      CX, $32
	JGE       rgLoop

rgHalf:
	CMPQ      CX, $16
	JLT       rgTail
	VCMPPS    $0x11, (SI), Z15, K3
	VMOVUPS.Z Z14, K3, Z0
	VMULPS    (DX), Z0, Z0
	VMOVUPS   Z0, (DI)
	ADDQ      $64, SI
	ADDQ      $64, DX
	ADDQ      $64, DI
	SUBQ      $16, CX

rgTail:
	TESTQ     CX, CX
	JEQ       rgDone
	TAILMASK
	VMOVUPS.Z (SI), K1, Z1
	VMOVUPS.Z (DX), K1, Z2
	VCMPPS    $0x11, Z1, Z15, K3
	VMOVUPS.Z Z14, K3, Z0
	VMULPS    Z2, Z0, Z0
	VMOVUPS   Z0, K1, (DI)

rgDone:
	VZEROUPPER
	RET

// func sumAVX512(y, a, b *float32, n int)
//
// y[i] = a[i] + b[i], a the first operand as in the Go loop; y may be a
// (each vector is read before it is written), which makes it y += b.
TEXT ·sumAVX512(SB), NOSPLIT, $0-32
	MOVQ y+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ n+24(FP), CX
	CMPQ CX, $16
	JLT  sumTail

sumLoop:
	VMOVUPS (SI), Z0
	VADDPS  (DX), Z0, Z0
	VMOVUPS Z0, (DI)
	ADDQ    $64, SI
	ADDQ    $64, DX
	ADDQ    $64, DI
	SUBQ    $16, CX
	CMPQ    CX, $16
	JGE     sumLoop

sumTail:
	TESTQ     CX, CX
	JEQ       sumDone
	TAILMASK
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS.Z (DX), K1, Z1
	VADDPS    Z1, Z0, Z0
	VMOVUPS   Z0, K1, (DI)

sumDone:
	VZEROUPPER
	RET
