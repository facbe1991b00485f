package kernels

import "golang.org/x/sys/cpu"

// useWinoAsm sends the Winograd plane transforms (winograd_dispatch.go) to
// the AVX-512 kernels of winograd_amd64.s; a variable so tests can force the
// Go loops. The kernels use AVX-512F instructions only.
var useWinoAsm = cpu.X86.HasAVX512F

// The kernels are winoInputPlaneGo, winoOutputPlaneGo and winoGradPlaneGo
// on pointers, with the same results (but for which NaN's payload survives
// where two meet). The dispatching wrappers check the slices' lengths; the
// kernels also require th, tw ≥ 1, and touch memory only where the Go loops
// would index it:
//
//   - winoInputPlaneAVX512: h, w ≥ 1 and 0 ≤ pt, pl ≤ 2; the tiles may reach
//     past the plane on any side (zero there). x is read within [0, h·w)
//     only; v is written at the tiles' indices [0, th·tw) of its 16 streams
//     only.
//   - winoOutputPlaneAVX512: y is written at its valid positions (row < oh,
//     column < ow, within a tile) only, and never read; m is read at the
//     tiles' indices only. The callers pass th = ⌈oh/2⌉, tw = ⌈ow/2⌉.
//   - winoGradPlaneAVX512: dy is read at its valid positions only, zero
//     elsewhere; out is written at the tiles' indices only. The callers
//     pass th = ⌈oh/2⌉, tw = ⌈ow/2⌉.
//
// The streams' stride (ldv, ldm, ldo) is at least th·tw, odd or even.

//go:noescape
func winoInputPlaneAVX512(x *float32, h, w, pt, pl, th, tw int, v *float32, ldv int)

//go:noescape
func winoOutputPlaneAVX512(m *float32, ldm, th, tw int, y *float32, oh, ow int)

//go:noescape
func winoGradPlaneAVX512(dy *float32, oh, ow, th, tw int, out *float32, ldo int)

//go:noescape
func prefetchAVX512(p *float32, n int)

// The F(4×4, 3×3) kernels of winograd4_amd64.s are winoInputPlane4Go,
// winoOutputPlane4Go and winoGradPlane4Go (winograd4_planes.go) on
// pointers, under the same terms as those above: 36 streams, tiles of 4×4
// outputs (6×6 inputs at stride 4), callers passing th = ⌈oh/4⌉,
// tw = ⌈ow/4⌉ to the output and gradient kernels.

//go:noescape
func winoInputPlane4AVX512(x *float32, h, w, pt, pl, th, tw int, v *float32, ldv int)

//go:noescape
func winoOutputPlane4AVX512(m *float32, ldm, th, tw int, y *float32, oh, ow int)

//go:noescape
func winoGradPlane4AVX512(dy *float32, oh, ow, th, tw int, out *float32, ldo int)
