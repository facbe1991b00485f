//go:build !amd64

package kernels

// useWinoAsm is false off amd64: the Go loops serve, and the kernels below
// are never reached.
var useWinoAsm = false

func winoInputPlaneAVX512(x *float32, h, w, pt, pl, th, tw int, v *float32, ldv int) {
	panic("kernels: no Winograd assembly on this architecture")
}

func winoOutputPlaneAVX512(m *float32, ldm, th, tw int, y *float32, oh, ow int) {
	panic("kernels: no Winograd assembly on this architecture")
}

func winoGradPlaneAVX512(dy *float32, oh, ow, th, tw int, out *float32, ldo int) {
	panic("kernels: no Winograd assembly on this architecture")
}

func winoInputPlane4AVX512(x *float32, h, w, pt, pl, th, tw int, v *float32, ldv int) {
	panic("kernels: no Winograd assembly on this architecture")
}

func winoOutputPlane4AVX512(m *float32, ldm, th, tw int, y *float32, oh, ow int) {
	panic("kernels: no Winograd assembly on this architecture")
}

func winoGradPlane4AVX512(dy *float32, oh, ow, th, tw int, out *float32, ldo int) {
	panic("kernels: no Winograd assembly on this architecture")
}

func prefetchAVX512(p *float32, n int) { panic("kernels: no Winograd assembly on this architecture") }
