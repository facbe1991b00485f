package kernels

import "testing"

// The models' max pools: AlexNet's first (batch 16, 64 channels of 55×55,
// 3×3 windows at stride 2, overlapping, 27×27 out) and LeNet-5's first
// (batch 64, 6 channels of 28×28, 2×2 windows).
var (
	alexPool  = PoolGeom{Planes: 16 * 64, H: 55, W: 55, OH: 27, OW: 27, KH: 3, KW: 3, SH: 2, SW: 2}
	lenetPool = PoolGeom{Planes: 64 * 6, H: 28, W: 28, OH: 14, OW: 14, KH: 2, KW: 2, SH: 2, SW: 2}
)

func BenchmarkMaxPool3x3(b *testing.B)     { benchMaxPool(b, alexPool, false) }
func BenchmarkMaxPool3x3Grad(b *testing.B) { benchMaxPool(b, alexPool, true) }
func BenchmarkMaxPool2x2(b *testing.B)     { benchMaxPool(b, lenetPool, false) }
func BenchmarkMaxPool2x2Grad(b *testing.B) { benchMaxPool(b, lenetPool, true) }

// benchMaxPool times MaxPool2D, or with grad MaxPool2DGrad into a cleared
// dx (as the op adapter clears it), on float32 data.
func benchMaxPool(b *testing.B, g PoolGeom, grad bool) {
	x, y := normData[float32](g.Planes*g.H*g.W, 0, 1, 1), normData[float32](g.Planes*g.OH*g.OW, 0, 1, 2)
	dx := make([]float32, len(x))
	b.SetBytes(int64(4 * len(x)))
	for b.Loop() {
		if !grad {
			MaxPool2D(y, x, g)
			continue
		}
		clear(dx)
		MaxPool2DGrad(dx, x, y, g)
	}
}
