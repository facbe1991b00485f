package kernels

//go:noescape
func gatherTapsAVX512(x *float32, ldx, w int, src *float32, ldTap, ldRow, ow, kw, pl, rows int)
