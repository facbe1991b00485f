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

// winoAlg is one of the algorithms, F(2×2, 3×3) or F(4×4, 3×3): its tile
// and its transforms (winograd_planes.go, winograd4_planes.go).
type winoAlg struct {
	m       int // outputs per tile side; a tile reads m + 2
	streams int // (m + 2)², the transformed values of a tile
	input   func(x []float32, h, w, pt, pl, th, tw int, v []float32, ldv int)
	output  func(m []float32, ldm, th, tw int, y []float32, oh, ow int)
	grad    func(dy []float32, oh, ow, th, tw int, out []float32, ldo int)
	filter  func(f *[9]float32, u *[36]float32)   // G f Gᵀ, u[ξ]
	dfilter func(du *[36]float32, df *[9]float32) // Gᵀ du G
}

var (
	wino2 = winoAlg{m: 2, streams: 16, input: winoInputPlane, output: winoOutputPlane, grad: winoGradPlane,
		filter:  func(f *[9]float32, u *[36]float32) { *(*[16]float32)(u[:]) = winoFilter(f) },
		dfilter: func(du *[36]float32, df *[9]float32) { *df = winoFilterGrad((*[16]float32)(du[:])) }}
	wino4 = winoAlg{m: 4, streams: 36, input: winoInputPlane4, output: winoOutputPlane4, grad: winoGradPlane4,
		filter: wino4Filter, dfilter: wino4FilterGrad}
)

// wino4MinSide is the smallest output side run by F(4×4, 3×3); smaller
// planes run by F(2×2, 3×3), whose tiles waste less of them and whose
// products are wider. Measured on ResNet-20 training (2 threads, four
// alternating runs each): F(4×4) from 12 (the 32×32 and 16×16 stages) 1,382-
// 1,538 img/s, from 17 (the 32×32 stage only) 1,448-1,525.
var wino4MinSide = 17

// winoGeom is the tiling of a convolution by one of the algorithms.
type winoGeom struct {
	g      ConvGeom
	alg    *winoAlg
	th, tw int // rows and columns of tiles
	tiles  int // per image
	batch  int // images per item
	ld     int // stride of the transformed streams' rows
	vs, ms int // stride of the streams of the input (C rows) and of the output (K rows)
}

// newWinoGeom returns the tiling of g, or false when g is not a 3×3
// unit-stride convolution of enough channels in one group, or Winograd is
// off. F(4×4, 3×3) runs where the output planes are large enough
// (wino4MinSide) and an item still holds winoMinCols tiles: with many
// channels an item is one image, and AlexNet's 13×13 planes have 16 tiles
// of 4×4 (products 16 columns wide, at half the speed of F(2×2, 3×3)'s 49).
func newWinoGeom(g ConvGeom) (winoGeom, bool) {
	if !winograd() || g.KH != 3 || g.KW != 3 || g.SH != 1 || g.SW != 1 || g.DH != 1 || g.DW != 1 ||
		g.G != 1 || g.C < winoMinChannels || g.K < winoMinChannels || g.PadTop < 0 || g.PadLeft < 0 {
		return winoGeom{}, false
	}
	if min(g.OH, g.OW) >= wino4MinSide {
		if wg := tile(g, &wino4); wg.batch*wg.tiles >= winoMinCols {
			return wg, true
		}
	}
	return tile(g, &wino2), true
}

// winoMinCols is the fewest tiles of an item for which F(4×4, 3×3) runs.
var winoMinCols = 64

// tile returns the tiling of g by alg.
func tile(g ConvGeom, alg *winoAlg) winoGeom {
	wg := winoGeom{g: g, alg: alg, th: (g.OH + alg.m - 1) / alg.m, tw: (g.OW + alg.m - 1) / alg.m}
	wg.tiles = wg.th * wg.tw
	wg.batch = min(max(winoBytes/(alg.streams*4*(g.C+g.K)*wg.tiles), 1), g.N)
	wg.ld = colStride(wg.batch * wg.tiles)
	wg.vs, wg.ms = streamStride(g.C*wg.ld), streamStride(g.K*wg.ld)
	return wg
}

// streamStride pads n floats, a multiple of 16, to an odd number of 64-byte
// lines: the transforms write (and read) a tile's 16 or 36 values into as
// many streams at once, and streams a multiple of 4 KiB apart fall into one
// set of the L1 cache (12 ways), where 36 of them thrash. (ResNet-20's
// first stage by F(4×4, 3×3) had its 16 channels × 192 tiles = 12 KiB per
// stream and ran at half speed.)
func streamStride(n int) int {
	if (n/16)%2 == 0 {
		n += 16
	}
	return n
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
// (a stream per tile entry ξ, of C rows each, row stride wg.ld: v[(ξ·C + c)·ld + t]).
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
			wg.alg.input(x[((first+b)*g.C+c)*plane:][:plane], g.H, g.W, g.PadTop, g.PadLeft,
				wg.th, wg.tw, v[c*wg.ld+b*wg.tiles:], wg.vs)
		}
	}
}

// weights returns U = G w Gᵀ for every filter and channel, laid out as the
// K × C matrices of the products, one per tile entry ξ: u[(ξ·K + k)·C + c].
func (wg *winoGeom) weights(w []float32) []float32 {
	kc, ns := wg.g.K*wg.g.C, wg.alg.streams
	u := getBuf[float32](ns * kc)
	ParallelFor(wg.g.K, 2*ns*kc, func(lo, hi int) {
		var t [36]float32
		for i := lo * wg.g.C; i < hi*wg.g.C; i++ {
			wg.alg.filter((*[9]float32)(w[9*i:]), &t)
			for xi, e := range t[:ns] {
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
	ns := wg.alg.streams
	wg.parallel(func(lo, hi int) {
		v := getBuf[float32](ns * wg.vs)
		m := getBuf[float32](ns * wg.ms)
		for i := lo; i < hi; i++ {
			first, n := wg.images(i)
			wg.transformInput(x32, v, first, n)
			cols := n * wg.tiles
			for xi := 0; xi < ns; xi++ {
				gemm.GemmUnsplit(false, false, g.K, cols, g.C, 1, u[xi*g.K*g.C:], g.C,
					v[xi*wg.vs:], wg.ld, 0, m[xi*wg.ms:], wg.ld)
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
			wg.alg.output(m[k*wg.ld+b*wg.tiles:], wg.ms, wg.th, wg.tw,
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
			wg.alg.grad(dy[((first+b)*g.K+k)*plane:][:plane], g.OH, g.OW, wg.th, wg.tw,
				d[k*wg.ld+b*wg.tiles:], wg.ms)
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
	ns := wg.alg.streams
	ulen := ns * g.K * g.C
	// The products dM[ξ]·V[ξ]ᵀ are K × C over an item's tiles: gemm.DotNT
	// for few channels, as dotFilter would choose but from fewer tiles (an
	// item of F(4×4, 3×3) on ResNet's first stage has 192; Gemm's packing
	// transposes cost it a third of the pass).
	dot := dotFilter(g.K, g.C, 256)
	wg.parallel(func(lo, hi int) {
		acc := getBuf[float32](ulen)
		clear(acc)
		v := getBuf[float32](ns * wg.vs)
		d := getBuf[float32](ns * wg.ms)
		for i := lo; i < hi; i++ {
			first, n := wg.images(i)
			wg.transformInput(x32, v, first, n)
			wg.transformGrad(dy32, d, first, n)
			cols := n * wg.tiles
			for xi := 0; xi < ns; xi++ {
				a, b, c := d[xi*wg.ms:], v[xi*wg.vs:], acc[xi*g.K*g.C:]
				if dot {
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
		var t [36]float32
		for i := lo * g.C; i < hi*g.C; i++ {
			for xi := range ns {
				t[xi] = du[xi*kc+i]
			}
			wg.alg.dfilter(&t, (*[9]float32)(dw32[9*i:]))
		}
	})
	putBuf(du)
	return true
}

// wino4Filter writes G f Gᵀ for F(4×4, 3×3) into u[:36], row-major: each
// column of f first (G f), then each row of the result, in float64.
func wino4Filter(f *[9]float32, u *[36]float32) {
	g := func(a, b, c float64) [6]float64 {
		return [6]float64{a / 4, -(a + b + c) / 6, -(a - b + c) / 6, a/24 + b/12 + c/6, a/24 - b/12 + c/6, c}
	}
	var gf [6][3]float64
	for q := 0; q < 3; q++ {
		for i, e := range g(float64(f[q]), float64(f[3+q]), float64(f[6+q])) {
			gf[i][q] = e
		}
	}
	for i, r := range gf {
		for j, e := range g(r[0], r[1], r[2]) {
			u[6*i+j] = float32(e)
		}
	}
}

// wino4FilterGrad writes Gᵀ du G, the gradient of f from that of
// wino4Filter's G f Gᵀ: each row of du first, then the columns, in float64.
func wino4FilterGrad(du *[36]float32, df *[9]float32) {
	gt := func(d [6]float64) [3]float64 {
		return [3]float64{
			d[0]/4 - (d[1]+d[2])/6 + (d[3]+d[4])/24,
			(d[2]-d[1])/6 + (d[3]-d[4])/12,
			(d[3]+d[4]-d[1]-d[2])/6 + d[5],
		}
	}
	var h [6][3]float64
	for i := range h {
		var r [6]float64
		for j := range r {
			r[j] = float64(du[6*i+j])
		}
		h[i] = gt(r)
	}
	for q := 0; q < 3; q++ {
		for p, e := range gt([6]float64{h[0][q], h[1][q], h[2][q], h[3][q], h[4][q], h[5][q]}) {
			df[3*p+q] = float32(e)
		}
	}
}
