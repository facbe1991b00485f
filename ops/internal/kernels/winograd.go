package kernels

import (
	"slices"
	"sync"

	"github.com/convgraph/convgraph/ops/internal/gemm"
)

// Winograd's F(2×2, 3×3) for the 3×3 unit-stride convolutions (Lavin and
// Gray, "Fast Algorithms for Convolutional Neural Networks", 2016).
//
// Cut the output into 2×2 tiles; each reads a 4×4 patch d of the padded
// input. Then y_tile = Aᵀ [ Σ_c (G w_kc Gᵀ) ⊙ (Bᵀ d_c B) ] A: 16 products
// per tile, channel pair and filter instead of 36. Gathered over the tiles
// t, the sum is 16 matrix products, one per entry ξ of the 4×4 transforms:
//
//	M[ξ] (K × T) = U[ξ] (K × C) · V[ξ] (C × T),   U = G w Gᵀ, V = Bᵀ d B,
//
// and the output transform is a few additions per tile. For the filter
// gradient the same V meets dM = A dY Aᵀ, the gradient of M:
//
//	dU[ξ] (K × C) = Σ_t dM[ξ] · V[ξ]ᵀ,   dw = Gᵀ dU G.
//
// The input gradient of a unit-stride convolution is itself one (the
// flipped filters over dy, conv_transposed.go), so it runs here too.
//
// Work is cut into items of a few whole images (enough tiles that the
// products are not thin); each goroutine transforms an item's images into
// buffers of its own, multiplies, and transforms back while they are in
// its caches. The transforms of a channel plane are winograd_planes.go's
// (in assembly where the machine has AVX-512: in scalar Go they cost more
// than the multiplications they save, so without it the direct convolution
// runs instead).
//
// Only float32: F(2×2, 3×3) loses about a bit of precision to the direct
// sum, harmless in float32 training but not what a float64 gradient check
// wants from a reference.

// winograd enables the Winograd passes; a var so tests and benchmarks can
// compare them with the direct convolution.
var winograd = func() bool { return useWinoAsm }

// winoMinChannels is the fewest input and output channels for which the
// Winograd passes run: with ResNet's first layer's 3 input channels the
// transforms cost more than the products save.
var winoMinChannels = 8

// winoBytes is about the most bytes an item's transformed streams take,
// those of its input and of its outputs (or their gradients): they should
// stay in the core's L2 cache (1 MiB here) between the transforms and the
// products, while the images stream through. Items hold whole images, at
// least one.
var winoBytes = 1 << 20

// winoGeom is the tiling of a convolution that fits F(2×2, 3×3).
type winoGeom struct {
	g      ConvGeom
	th, tw int // rows and columns of tiles
	tiles  int // per image
	batch  int // images per item
	ld     int // stride of the transformed streams' rows
}

// newWinoGeom returns the tiling of g, or false when g is not a 3×3 unit-stride convolution of enough channels in
// one group, or Winograd is off.
func newWinoGeom(g ConvGeom) (winoGeom, bool) {
	if !winograd() || g.KH != 3 || g.KW != 3 || g.SH != 1 || g.SW != 1 || g.DH != 1 || g.DW != 1 ||
		g.G != 1 || g.C < winoMinChannels || g.K < winoMinChannels || g.PadTop < 0 || g.PadLeft < 0 {
		return winoGeom{}, false
	}
	wg := winoGeom{g: g, th: (g.OH + 1) / 2, tw: (g.OW + 1) / 2}
	wg.tiles = wg.th * wg.tw
	wg.batch = min(max(winoBytes/(16*4*(g.C+g.K)*wg.tiles), 1), g.N)
	wg.ld = colStride(wg.batch * wg.tiles)
	return wg, true
}

// items is the number of items: batches of images.
func (wg *winoGeom) items() int { return (wg.g.N + wg.batch - 1) / wg.batch }

// images returns the first image of item i and how many it holds.
func (wg *winoGeom) images(i int) (first, n int) {
	first = i * wg.batch
	return first, min(wg.batch, wg.g.N-first)
}

// parallel runs body over the items, split across the cores.
func (wg *winoGeom) parallel(body func(lo, hi int)) {
	g := wg.g
	ParallelFor(wg.items(), g.N*g.K*g.C*g.OH*g.OW*9, body)
}

// transformInput writes V for the images [first, first+n) of x into v
// (16 streams of C rows each, row stride wg.ld: v[(ξ·C + c)·ld + t]).
// Each plane is fetched into the cache while the one before it is
// transformed: a 32×32 plane is one 4 KiB page, where the hardware's
// prefetchers stop, and the transforms waited on memory (ResNet-20's first
// stage: 8% faster on one core, 3% on two).
func (wg *winoGeom) transformInput(x, v []float32, first, n int) {
	g := wg.g
	plane := g.H * g.W
	for b := 0; b < n; b++ {
		for c := 0; c < g.C; c++ {
			prefetchPlane(x, ((first+b)*g.C+c+1)*plane, plane)
			winoInputPlane(x[((first+b)*g.C+c)*plane:][:plane], g.H, g.W, g.PadTop, g.PadLeft,
				wg.th, wg.tw, v[c*wg.ld+b*wg.tiles:], g.C*wg.ld)
		}
	}
}

// weights returns U = G w Gᵀ for every filter and channel, laid out as the
// 16 K × C matrices of the products: u[(ξ·K + k)·C + c].
func (wg *winoGeom) weights(w []float32) []float32 {
	kc := wg.g.K * wg.g.C
	u := getBuf[float32](16 * kc)
	ParallelFor(wg.g.K, 32*kc, func(lo, hi int) {
		for i := lo * wg.g.C; i < hi*wg.g.C; i++ {
			for xi, e := range winoFilter((*[9]float32)(w[9*i:])) {
				u[xi*kc+i] = e
			}
		}
	})
	return u
}

// winoFilter returns G f Gᵀ for a 3×3 filter f (row-major), row-major,
// G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1]: each column of f first (G f), then
// each row of the result.
func winoFilter(f *[9]float32) (u [16]float32) {
	var gf [4][3]float32
	for q := 0; q < 3; q++ {
		a, b, c := f[q], f[3+q], f[6+q]
		gf[0][q], gf[1][q], gf[2][q], gf[3][q] = a, (a+b+c)*0.5, (a-b+c)*0.5, c
	}
	for i, r := range gf {
		u[4*i], u[4*i+1], u[4*i+2], u[4*i+3] = r[0], (r[0]+r[1]+r[2])*0.5, (r[0]-r[1]+r[2])*0.5, r[2]
	}
	return u
}

// winoFilterGrad returns Gᵀ du G, the gradient of f from that of G f Gᵀ
// (both row-major): each row of du first (du G), then each column.
func winoFilterGrad(du *[16]float32) (df [9]float32) {
	var h [4][3]float32
	for i := range h {
		a, b, c, d := du[4*i], du[4*i+1], du[4*i+2], du[4*i+3]
		h[i] = [3]float32{a + (b+c)*0.5, (b - c) * 0.5, d + (b+c)*0.5}
	}
	for q := 0; q < 3; q++ {
		df[q] = h[0][q] + (h[1][q]+h[2][q])*0.5
		df[3+q] = (h[1][q] - h[2][q]) * 0.5
		df[6+q] = h[3][q] + (h[1][q]+h[2][q])*0.5
	}
	return df
}

// winogradForward computes y = w ⋆ x by F(2×2, 3×3) and reports true, or
// reports false, touching nothing, when g does not fit it (newWinoGeom) or
// T is float64.
func winogradForward[T float32 | float64](g ConvGeom, x, w, y []T) bool {
	wg, ok := newWinoGeom(g)
	x32, is32 := any(x).([]float32)
	if !ok || !is32 {
		return false
	}
	w32, y32 := any(w).([]float32), any(y).([]float32)
	u := wg.weights(w32)
	wg.parallel(func(lo, hi int) {
		v := getBuf[float32](16 * g.C * wg.ld)
		m := getBuf[float32](16 * g.K * wg.ld)
		for i := lo; i < hi; i++ {
			first, n := wg.images(i)
			wg.transformInput(x32, v, first, n)
			cols := n * wg.tiles
			for xi := 0; xi < 16; xi++ {
				gemm.GemmUnsplit(false, false, g.K, cols, g.C, 1, u[xi*g.K*g.C:], g.C,
					v[xi*g.C*wg.ld:], wg.ld, 0, m[xi*g.K*wg.ld:], wg.ld)
			}
			wg.transformOutput(m, y32, first, n)
		}
		putBuf(v)
		putBuf(m)
	})
	putBuf(u)
	return true
}

// transformOutput writes the outputs of images [first, first+n) from M
// (m[(ξ·K + k)·ld + t]) into y.
func (wg *winoGeom) transformOutput(m, y []float32, first, n int) {
	g := wg.g
	plane := g.OH * g.OW
	for b := 0; b < n; b++ {
		for k := 0; k < g.K; k++ {
			winoOutputPlane(m[k*wg.ld+b*wg.tiles:], g.K*wg.ld, wg.th, wg.tw,
				y[((first+b)*g.K+k)*plane:][:plane], g.OH, g.OW)
		}
	}
}

// transformGrad writes dM for images [first, first+n) of dy into d
// (d[(ξ·K + k)·ld + t]).
func (wg *winoGeom) transformGrad(dy, d []float32, first, n int) {
	g := wg.g
	plane := g.OH * g.OW
	for b := 0; b < n; b++ {
		for k := 0; k < g.K; k++ {
			prefetchPlane(dy, ((first+b)*g.K+k+1)*plane, plane)
			winoGradPlane(dy[((first+b)*g.K+k)*plane:][:plane], g.OH, g.OW, wg.th, wg.tw,
				d[k*wg.ld+b*wg.tiles:], g.K*wg.ld)
		}
	}
}

// winogradFilterGrad computes dw = ∂⟨y, dy⟩/∂w by F(2×2, 3×3) and reports
// true, or reports false, touching nothing, as winogradForward. Each
// goroutine sums dU over its items; the sums are added in item order, so
// the result does not depend on which core finished first.
func winogradFilterGrad[T float32 | float64](g ConvGeom, x, dy, dw []T) bool {
	wg, ok := newWinoGeom(g)
	x32, is32 := any(x).([]float32)
	if !ok || !is32 {
		return false
	}
	dy32, dw32 := any(dy).([]float32), any(dw).([]float32)
	type sum struct {
		lo  int
		acc []float32
	}
	var (
		mu   sync.Mutex
		sums []sum
	)
	ulen := 16 * g.K * g.C
	wg.parallel(func(lo, hi int) {
		acc := getBuf[float32](ulen)
		clear(acc)
		v := getBuf[float32](16 * g.C * wg.ld)
		d := getBuf[float32](16 * g.K * wg.ld)
		for i := lo; i < hi; i++ {
			first, n := wg.images(i)
			wg.transformInput(x32, v, first, n)
			wg.transformGrad(dy32, d, first, n)
			cols := n * wg.tiles
			for xi := 0; xi < 16; xi++ {
				a, b, c := d[xi*g.K*wg.ld:], v[xi*g.C*wg.ld:], acc[xi*g.K*g.C:]
				if dotFilter(g.K, g.C, cols) {
					gemm.DotNT(g.K, g.C, cols, a, wg.ld, b, wg.ld, c, g.C)
					continue
				}
				gemm.GemmUnsplit(false, true, g.K, g.C, cols, 1, a, wg.ld, b, wg.ld, 1, c, g.C)
			}
		}
		putBuf(v)
		putBuf(d)
		mu.Lock()
		sums = append(sums, sum{lo, acc})
		mu.Unlock()
	})
	slices.SortFunc(sums, func(a, b sum) int { return a.lo - b.lo })
	du := sums[0].acc
	for _, s := range sums[1:] {
		for i, v := range s.acc {
			du[i] += v
		}
		putBuf(s.acc)
	}
	kc := g.K * g.C
	ParallelFor(g.K, 32*kc, func(lo, hi int) {
		for i := lo * g.C; i < hi*g.C; i++ {
			var t [16]float32
			for xi := range t {
				t[xi] = du[xi*kc+i]
			}
			*(*[9]float32)(dw32[9*i:]) = winoFilterGrad(&t)
		}
	})
	putBuf(du)
	return true
}
