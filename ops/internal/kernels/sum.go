package kernels

// Sum32 sets y = a + b elementwise (y may be a or b), split across the
// cores, with the AVX-512 kernel where the machine has it. gorgonia adds up
// the gradients of a node with several consumers (a residual block's input)
// through the tensor engine; ops' engine sends float32 sums here.
func Sum32(y, a, b []float32) {
	a, b = a[:len(y)], b[:len(y)]
	const block = 1 << 14 // values per task: 64 KiB of y
	ParallelFor((len(y)+block-1)/block, 3*len(y), func(lo, hi int) {
		y, a, b := y[lo*block:min(hi*block, len(y))], a[lo*block:min(hi*block, len(y))], b[lo*block:min(hi*block, len(y))]
		if useAVX512 {
			sumVec(y, a, b)
			return
		}
		sumGo(y, a, b)
	})
}

// sumGo is y = a + b, a the first operand; y may be a (y += b).
func sumGo[T float32 | float64](y, a, b []T) {
	a, b = a[:len(y)], b[:len(y)]
	for i := range y {
		y[i] = a[i] + b[i]
	}
}
