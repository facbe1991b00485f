#include "textflag.h"

// func prefetchAVX512(p *float32, n int)
//
// Asks for the n bytes at p in the L2 cache (PREFETCHT1), one request per
// 64-byte line; touching nothing, it cannot fault.
TEXT ·prefetchAVX512(SB), NOSPLIT, $0-16
	MOVQ p+0(FP), SI
	MOVQ n+8(FP), CX
	ADDQ SI, CX

prefetchLoop:
	CMPQ        SI, CX
	JGE         prefetchDone
	PREFETCHT1  (SI)
	ADDQ        $64, SI
	JMP         prefetchLoop

prefetchDone:
	RET

