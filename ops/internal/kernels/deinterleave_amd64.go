package kernels

// deinterleave2Vec is deinterleave2's loop over the pairs for float32:
// even[j], odd[j] = src[2j], src[2j+1] for j < len(odd).
func deinterleave2Vec(even, odd, src []float32) {
	if n := len(odd); n > 0 {
		deinterleave2RowsAVX512(&even[:n][0], &odd[0], &src[:2*n][0], n, 1, 0, 0, 0)
	}
}

// interleave2Vec is interleave2's loop over the pairs for float32.
func interleave2Vec(dst, even, odd []float32) {
	if n := len(odd); n > 0 {
		interleave2RowsAVX512(&dst[:2*n][0], &even[:n][0], &odd[0], n, 1, 0, 0, 0)
	}
}

// deinterleave2RowsVec is deinterleave2Vec on rows rows of n pairs, the
// rows ldEven, ldOdd and ldSrc elements apart.
func deinterleave2RowsVec(even, odd, src []float32, n, rows, ldEven, ldOdd, ldSrc int) {
	if n > 0 && rows > 0 {
		last := rows - 1
		_, _, _ = even[last*ldEven+n-1], odd[last*ldOdd+n-1], src[last*ldSrc+2*n-1]
		deinterleave2RowsAVX512(&even[0], &odd[0], &src[0], n, rows, ldEven, ldOdd, ldSrc)
	}
}

// interleave2RowsVec is interleave2Vec on rows rows of n pairs, the rows
// ldDst, ldEven and ldOdd elements apart.
func interleave2RowsVec(dst, even, odd []float32, n, rows, ldDst, ldEven, ldOdd int) {
	if n > 0 && rows > 0 {
		last := rows - 1
		_, _, _ = dst[last*ldDst+2*n-1], even[last*ldEven+n-1], odd[last*ldOdd+n-1]
		interleave2RowsAVX512(&dst[0], &even[0], &odd[0], n, rows, ldDst, ldEven, ldOdd)
	}
}

//go:noescape
func deinterleave2RowsAVX512(even, odd, src *float32, n, rows, ldEven, ldOdd, ldSrc int)

//go:noescape
func interleave2RowsAVX512(dst, even, odd *float32, n, rows, ldDst, ldEven, ldOdd int)
