package kernels

// deinterleave2Vec is deinterleave2's loop over the pairs for float32:
// even[j], odd[j] = src[2j], src[2j+1] for j < len(odd).
func deinterleave2Vec(even, odd, src []float32) {
	if n := len(odd); n > 0 {
		deinterleave2AVX512(&even[:n][0], &odd[0], &src[:2*n][0], n)
	}
}

// interleave2Vec is interleave2's loop over the pairs for float32.
func interleave2Vec(dst, even, odd []float32) {
	if n := len(odd); n > 0 {
		interleave2AVX512(&dst[:2*n][0], &even[:n][0], &odd[0], n)
	}
}

//go:noescape
func deinterleave2AVX512(even, odd, src *float32, n int)

//go:noescape
func interleave2AVX512(dst, even, odd *float32, n int)
