package kernels

import (
	"slices"
	"sync"

	"github.com/convgraph/convgraph/ops/internal/gemm"
)

// Winograd's minimal filtering for the 3×3 unit-stride convolutions (Lavin
// and Gray, "Fast Algorithms for Convolutional Neural Networks", 2016), as
// F(2×2, 3×3) and F(4×4, 3×3).
//
// Cut the output into m×m tiles (m = 2 or 4); each reads an a×a patch d of
// the padded input, a = m + 2. Then y_tile = Aᵀ [ Σ_c (G w_kc Gᵀ) ⊙ (Bᵀ d_c B) ] A:
// a² products per tile, channel pair and filter instead of 9m² (16 for 36,
// 36 for 144). Gathered over the tiles t, the sum is a² matrix products,
// one per entry ξ of the transforms:
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
// Work is cut into items of whole images, as many as keep an item's
// transformed data near winoBytes; each goroutine transforms an item's images into
// buffers of its own, multiplies, and transforms back while they are in
// its caches. The transforms of a channel plane are winograd_planes.go's
// and winograd4_planes.go's (in assembly where the machine has AVX-512: in
// scalar Go they cost more than the multiplications they save, so without
// it the direct convolution runs instead).
//
// Only float32: Winograd rounds more than the direct sum (a few float32
// roundings; F(4×4)'s transforms weight values by up to 100 on the way in
// and 361 on the way out), harmless in
// float32 training but not what a float64 gradient check wants from a
// reference.

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
		filter: winoFilter, dfilter: winoFilterGrad}
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
	us     int // stride of the filters' transforms U[ξ] (K × C each)
}

// newWinoGeom returns the tiling of g, or false when g is not a 3×3
// unit-stride convolution of enough channels in one group with a top and
// left padding of at most 2 and images of moderate size, or Winograd is
// off. F(4×4, 3×3) runs where the
// output planes are large enough (wino4MinSide) and an item still holds
// winoMinCols tiles: with many channels an item is one image, and small
// planes then give thin products (AlexNet's 13×13 with 256-384 channels, 16
// tiles of 4×4, ran at half the speed of F(2×2, 3×3)'s 49).
func newWinoGeom(g ConvGeom) (winoGeom, bool) {
	if !winograd() || g.KH != 3 || g.KW != 3 || g.SH != 1 || g.SW != 1 || g.DH != 1 || g.DW != 1 ||
		g.G != 1 || g.C < winoMinChannels || g.K < winoMinChannels ||
		uint(g.PadTop) > 2 || uint(g.PadLeft) > 2 { // the transforms pad by masks, 0 to 2 wide
		return winoGeom{}, false
	}
	if min(g.OH, g.OW) >= wino4MinSide {
		if wg := tile(g, &wino4); wg.batch*wg.tiles >= winoMinCols && wg.imageBytes() <= winoMaxImageBytes {
			return wg, true
		}
	}
	wg := tile(g, &wino2)
	return wg, wg.imageBytes() <= winoMaxImageBytes
}

// winoMaxImageBytes is the most an image's transformed data (its input's
// and output's streams) may take: an item is at least one image, and each
// goroutine holds an item's; larger images (a 1024×1024 plane of 64
// channels would take 1.2 GB) run the direct passes, which work in bands
// of output rows.
var winoMaxImageBytes = 64 << 20

// imageBytes is the size of one image's transformed input and output.
func (wg *winoGeom) imageBytes() int {
	return wg.alg.streams * 4 * (wg.g.C + wg.g.K) * wg.tiles
}

// winoMinCols is the fewest tiles of an item for which F(4×4, 3×3) runs.
var winoMinCols = 64

// tile returns the tiling of g by alg.
func tile(g ConvGeom, alg *winoAlg) winoGeom {
	wg := winoGeom{g: g, alg: alg, th: (g.OH + alg.m - 1) / alg.m, tw: (g.OW + alg.m - 1) / alg.m}
	wg.tiles = wg.th * wg.tw
	wg.batch = min(max(winoBytes/wg.imageBytes(), 1), g.N)
	wg.ld = colStride(wg.batch * wg.tiles)
	wg.vs, wg.ms = streamStride(g.C*wg.ld), streamStride(g.K*wg.ld)
	wg.us = streamStride((g.K*g.C + 15) &^ 15)
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

// transformInput writes V for the images [first, first+n) of x into v: a
// stream per tile entry ξ, wg.vs apart, of C rows wg.ld apart,
// v[ξ·vs + c·ld + t].
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
// K × C matrices of the products, one per tile entry ξ, wg.us apart:
// u[ξ·us + k·C + c]. (K·C apart, 147,456 floats for AlexNet's 384 × 384,
// the 16 rows a filter writes fell into one set of the L1 cache; with that
// and winoFilter's scalars, 46 → 9 ns a filter, and AlexNet's 3×3 layers
// transform 344K filters twice a step.)
func (wg *winoGeom) weights(w []float32) []float32 {
	kc, ns, us := wg.g.K*wg.g.C, wg.alg.streams, wg.us
	u := getBuf[float32](ns * us)
	ParallelFor(wg.g.K, 2*ns*kc, func(lo, hi int) {
		var t [36]float32
		for i := lo * wg.g.C; i < hi*wg.g.C; i++ {
			wg.alg.filter((*[9]float32)(w[9*i:]), &t)
			for xi, e := range t[:ns] {
				u[xi*us+i] = e
			}
		}
	})
	return u
}

// winoFilter writes G f Gᵀ for a 3×3 filter f (row-major) into u[:16],
// row-major, G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1]: each column of f first
// (G f), then each row of the result. In scalars, stored once: arrays
// written an element at a time and then copied whole stalled on store
// forwarding.
func winoFilter(f *[9]float32, u *[36]float32) {
	g := func(a, b, c float32) (float32, float32, float32, float32) {
		return a, (a + b + c) * 0.5, (a - b + c) * 0.5, c
	}
	r00, r10, r20, r30 := g(f[0], f[3], f[6])
	r01, r11, r21, r31 := g(f[1], f[4], f[7])
	r02, r12, r22, r32 := g(f[2], f[5], f[8])
	u[0], u[1], u[2], u[3] = g(r00, r01, r02)
	u[4], u[5], u[6], u[7] = g(r10, r11, r12)
	u[8], u[9], u[10], u[11] = g(r20, r21, r22)
	u[12], u[13], u[14], u[15] = g(r30, r31, r32)
}

// winoFilterGrad writes Gᵀ du G, the gradient of f from that of G f Gᵀ
// (du[:16], both row-major): each row of du first (du G), then each column.
func winoFilterGrad(du *[36]float32, df *[9]float32) {
	gt := func(a, b, c, d float32) (float32, float32, float32) {
		return a + (b+c)*0.5, (b - c) * 0.5, d + (b+c)*0.5
	}
	h00, h01, h02 := gt(du[0], du[1], du[2], du[3])
	h10, h11, h12 := gt(du[4], du[5], du[6], du[7])
	h20, h21, h22 := gt(du[8], du[9], du[10], du[11])
	h30, h31, h32 := gt(du[12], du[13], du[14], du[15])
	df[0], df[3], df[6] = gt(h00, h10, h20, h30)
	df[1], df[4], df[7] = gt(h01, h11, h21, h31)
	df[2], df[5], df[8] = gt(h02, h12, h22, h32)
}

// winogradForward computes y = w ⋆ x by Winograd and reports true, or
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
				gemm.GemmUnsplit(false, false, g.K, cols, g.C, 1, u[xi*wg.us:], g.C,
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
// (m[ξ·ms + k·ld + t]) into y.
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
// (d[ξ·ms + k·ld + t]).
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

// winogradFilterGrad computes dw = ∂⟨y, dy⟩/∂w by Winograd and reports
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
	ulen := ns * wg.us
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
				a, b, c := d[xi*wg.ms:], v[xi*wg.vs:], acc[xi*wg.us:]
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
	kc, us := g.K*g.C, wg.us
	ParallelFor(g.K, 32*kc, func(lo, hi int) {
		var t [36]float32
		for i := lo * g.C; i < hi*g.C; i++ {
			for xi := range ns {
				t[xi] = du[xi*us+i]
			}
			wg.alg.dfilter(&t, (*[9]float32)(dw32[9*i:]))
		}
	})
	putBuf(du)
	return true
}

// wino4Filter writes G f Gᵀ for F(4×4, 3×3) into u[:36], row-major: each
// column of f first (G f), then each row of the result, in float64 scalars
// (see winoFilter).
func wino4Filter(f *[9]float32, u *[36]float32) {
	g := func(a, b, c float64) (float64, float64, float64, float64, float64, float64) {
		return a / 4, -(a + b + c) / 6, -(a - b + c) / 6, a/24 + b/12 + c/6, a/24 - b/12 + c/6, c
	}
	var gf [3][6]float64 // gf[q] = column q of G f
	for q := 0; q < 3; q++ {
		gf[q][0], gf[q][1], gf[q][2], gf[q][3], gf[q][4], gf[q][5] = g(float64(f[q]), float64(f[3+q]), float64(f[6+q]))
	}
	for i := 0; i < 6; i++ {
		a, b, c, d, e, h := g(gf[0][i], gf[1][i], gf[2][i])
		u[6*i], u[6*i+1], u[6*i+2], u[6*i+3], u[6*i+4], u[6*i+5] = float32(a), float32(b), float32(c), float32(d), float32(e), float32(h)
	}
}

// wino4FilterGrad writes Gᵀ du G, the gradient of f from that of
// wino4Filter's G f Gᵀ: each row of du first, then the columns, in float64.
func wino4FilterGrad(du *[36]float32, df *[9]float32) {
	gt := func(d0, d1, d2, d3, d4, d5 float64) (float64, float64, float64) {
		return d0/4 - (d1+d2)/6 + (d3+d4)/24, (d2-d1)/6 + (d3-d4)/12, (d3+d4-d1-d2)/6 + d5
	}
	var h [3][6]float64 // h[q][i] = (du G)[i][q]
	for i := 0; i < 6; i++ {
		r := du[6*i : 6*i+6 : 6*i+6]
		h[0][i], h[1][i], h[2][i] = gt(float64(r[0]), float64(r[1]), float64(r[2]), float64(r[3]), float64(r[4]), float64(r[5]))
	}
	for q := 0; q < 3; q++ {
		a, b, c := gt(h[q][0], h[q][1], h[q][2], h[q][3], h[q][4], h[q][5])
		df[q], df[3+q], df[6+q] = float32(a), float32(b), float32(c)
	}
}
