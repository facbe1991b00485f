//go:build !amd64

package kernels

// Never reached off amd64 (useAVX512 is false): gatherTapsGo serves.
func gatherTapsAVX512(x *float32, ldx, w int, src *float32, ldTap, ldRow, ow, kw, pl, rows int) {
	panic("kernels: no AVX-512")
}
