package kernels

import (
	"math/bits"
	"slices"
	"sync"

	"github.com/convgraph/convgraph/ops/internal/gemm"
)

// How the three passes are scheduled.
//
// The work is cut into items, one per image, group and band of output rows;
// ParallelFor hands each goroutine a contiguous run of items, and each
// goroutine lowers one band into a buffer of its own and multiplies it at
// once, while the band is still in cache. A band holds about bandElems
// lowered entries (at least minBandCols output pixels), so on CIFAR's small
// images a band is a whole image, and on large images the lowered matrix is
// never written out whole. Lowered rows are padded to a stride that is not a
// multiple of 1 KiB (see colStride).
//
// A band is lowered in one of four ways (lowering):
//
//   - identity: a 1×1 kernel at unit stride without padding reads the image
//     itself, and nothing is copied.
//   - by rows: at unit vertical stride, only the horizontal taps are lowered:
//     z[ci·KW + kw, t, ow] = x[ci, oh0 + t − PadTop, ow·SW + kw·DW − PadLeft]
//     for the band's rows and the DH·(KH−1) below them, zero in the padding.
//     The taps of kernel row kh are then the rows of z starting kh·DH rows
//     down, all at one stride, so y = Σ_kh W_kh · z_kh is KH products with
//     KW·C/G rows each. z is KH times smaller than the col matrix, and
//     writing the col matrix costs about as much as multiplying it when
//     there are few output channels (ResNet's 16).
//   - by phases: a strided kernel first splits the image into its SH·SW
//     phases (splitPhases), then lowers the col matrix from them with row
//     copies.
//   - im2col: the whole col matrix of the band, one product.
//
// Buffers come from a free list and go back to it (getBuf, putBuf), so a
// training loop allocates nothing in the steady state and touches no fresh
// pages.

// bandElems is about the most lowered entries one band holds. A band has
// at least minBandCols output pixels, so that the product stays efficient
// when a pixel has many rows (AlexNet's 256·3·3), and bandPerM per output
// channel of a group: the GEMM packs the weights again for every band, as
// much work as packing the band when it has as many pixels as there are
// channels (AlexNet's conv2, 256 channels on 27×27 pixels, ran 20% faster
// as whole images than in bands of 256 pixels).
var (
	bandElems   = 1 << 16
	minBandCols = 256
	bandPerM    = 4
)

// minRowsK is the fewest rows (KW·C/G) for which a band is lowered by rows:
// below it the KH thin products run worse than one product with the col
// matrix (ResNet's first layer, 3·3 rows, runs 20% slower by rows, LeNet's
// second, 6·5, twice as fast).
var minRowsK = 16

// usePhases enables the lowering by phases (a var so tests can compare).
var usePhases = true

// minParallelMACs is the number of multiply-adds below which a pass runs on
// the calling goroutine (a var so tests can force the parallel path).
var minParallelMACs = 1 << 19

type lowering int

const (
	lowerIm2col lowering = iota
	lowerRows
	lowerPhases
	lowerIdentity
)

// convPlan is the schedule of one pass over one geometry.
type convPlan struct {
	g                  ConvGeom
	rows, cols, cg, kg int // the col matrix of a group is rows × cols
	how                lowering
	k                  int // rows of the lowered matrix in one product (rows, or KW·cg by rows)
	band, bands        int // output rows per band, bands per image
	ld                 int // stride of the lowered matrix's rows
	bufLen             int // elements of a band's lowered matrix
}

// newConvPlan plans a pass; byRows allows the lowering by rows (the passes
// that multiply the lowered matrix, not the ones that scatter it back).
func newConvPlan(g ConvGeom, byRows bool) *convPlan {
	rows, cols, cg, kg := g.gemmSizes()
	p := &convPlan{g: g, rows: rows, cols: cols, cg: cg, kg: kg, k: rows}
	extra := 0 // lowered rows below the band's own
	switch {
	case g.identity():
		p.how = lowerIdentity
	case byRows && g.SH == 1 && g.KH > 1 && g.KW*cg >= minRowsK:
		p.how, p.k, extra = lowerRows, g.KW*cg, g.DH*(g.KH-1)
	case byRows && usePhases && (g.SH > 1 || g.SW > 1) && g.KH >= g.SH && g.KW >= g.SW:
		p.how = lowerPhases
	}
	want := max(bandElems/p.k, minBandCols, bandPerM*p.kg) // output pixels per band
	band := min(max(want/g.OW-extra, 1), g.OH)
	p.bands = (g.OH + band - 1) / band
	p.band = (g.OH + p.bands - 1) / p.bands // even bands
	p.ld = colStride((p.band + extra) * g.OW)
	if p.how != lowerIdentity {
		p.bufLen = p.k * p.ld
	}
	return p
}

// colStride pads a band width to whole 64-byte lines, and off multiples of
// 1 KiB (of float32s): rows a power of two apart collide in the caches when
// the GEMM reads or packs a panel of them.
func colStride(n int) int {
	ld := (n + 15) &^ 15
	if ld%256 == 0 {
		ld += 16
	}
	return ld
}

// item is one image (n·G + group), band of output rows [oh0, oh1), and its
// columns [j0, j0 + nc) of the image's col matrix and output.
type item struct{ img, gr, oh0, oh1, j0, nc int }

func (p *convPlan) item(i int) item {
	img, b := i/p.bands, i%p.bands
	oh0, oh1 := b*p.band, min(p.g.OH, (b+1)*p.band)
	return item{img: img, gr: img % p.g.G, oh0: oh0, oh1: oh1, j0: oh0 * p.g.OW, nc: (oh1 - oh0) * p.g.OW}
}

// items is the number of items of a pass.
func (p *convPlan) items() int { return p.g.N * p.g.G * p.bands }

// parallel runs body over [0, n) items, split across the cores when the
// pass is large enough to pay for it.
func (p *convPlan) parallel(n int, body func(lo, hi int)) {
	macs := p.g.N * p.g.K * p.cols * p.rows
	work := 0
	if macs >= minParallelMACs {
		work = max(macs, 1<<20)
	}
	ParallelFor(n, work, body)
}

// lowerer is one goroutine's lowering state: its band buffer and, by
// phases, the phases of the image it last split.
type lowerer[T float32 | float64] struct {
	p           *convPlan
	buf, phases []T
	img         int
}

func newLowerer[T float32 | float64](p *convPlan) *lowerer[T] {
	l := &lowerer[T]{p: p, img: -1}
	if p.bufLen > 0 {
		l.buf = getBuf[T](p.bufLen)
	}
	if p.how == lowerPhases {
		l.phases = getBuf[T](p.cg * p.g.H * p.g.W)
	}
	return l
}

func (l *lowerer[T]) release() {
	putBuf(l.buf)
	putBuf(l.phases)
}

// lower lowers band it of x and returns the lowered matrix and its row
// stride (the image itself for the identity).
func (l *lowerer[T]) lower(x []T, it item) ([]T, int) {
	p, g := l.p, l.p.g
	plane := g.H * g.W
	xg := x[it.img*p.cg*plane:][:p.cg*plane]
	switch p.how {
	case lowerIdentity:
		return xg[it.j0:], plane
	case lowerRows:
		// im2col of the 1×KW kernel over the band's rows and the ones below,
		// rows ordered (ci, kw): z row t is input row oh0 + t − PadTop.
		g1 := g
		g1.KH, g1.DH, g1.SH, g1.OH = 1, 1, 1, g.OH+g.DH*(g.KH-1)
		im2colRows(g1, p.cg, xg, l.buf, p.ld, it.oh0, it.oh1+g.DH*(g.KH-1))
	case lowerPhases:
		if l.img != it.img {
			splitPhases(g, p.cg, xg, l.phases)
			l.img = it.img
		}
		im2colPhases(g, p.cg, l.phases, l.buf, p.ld, it.oh0, it.oh1)
	default:
		im2colRows(g, p.cg, xg, l.buf, p.ld, it.oh0, it.oh1)
	}
	return l.buf, p.ld
}

// byRows returns the weights w (K, cg, KH, KW) laid out for products with
// a matrix lowered by rows: for each group and kernel row kh a kg × KW·cg
// matrix, wr[((gr·KH + kh)·kg + k)·KW·cg + ci·KW + kw] = w[gr·kg + k, ci, kh, kw].
// Other lowerings use w itself.
func byRows[T float32 | float64](p *convPlan, w []T) []T {
	if p.how != lowerRows {
		return w
	}
	g := p.g
	wr := getBuf[T](len(w))
	for gr := 0; gr < g.G; gr++ {
		for k := 0; k < p.kg; k++ {
			for ci := 0; ci < p.cg; ci++ {
				src := w[((gr*p.kg+k)*p.cg+ci)*g.KH*g.KW:][:g.KH*g.KW]
				for kh := 0; kh < g.KH; kh++ {
					copy(wr[((gr*g.KH+kh)*p.kg+k)*p.k+ci*g.KW:][:g.KW], src[kh*g.KW:(kh+1)*g.KW])
				}
			}
		}
	}
	return wr
}

// fromRows is the inverse of byRows: it writes wr back into w's layout.
func fromRows[T float32 | float64](p *convPlan, wr, w []T) {
	g := p.g
	for gr := 0; gr < g.G; gr++ {
		for k := 0; k < p.kg; k++ {
			for ci := 0; ci < p.cg; ci++ {
				dst := w[((gr*p.kg+k)*p.cg+ci)*g.KH*g.KW:][:g.KH*g.KW]
				for kh := 0; kh < g.KH; kh++ {
					copy(dst[kh*g.KW:(kh+1)*g.KW], wr[((gr*g.KH+kh)*p.kg+k)*p.k+ci*g.KW:][:g.KW])
				}
			}
		}
	}
}

// products calls f once per product of a band: the kernel row kh, the
// offset of its rows in the lowered matrix, and the offset of its weights
// (a kg × k matrix, row stride k) in byRows(w) from those of the group.
func (p *convPlan) products(f func(kh, b, w int)) {
	if p.how != lowerRows {
		f(0, 0, 0)
		return
	}
	for kh := 0; kh < p.g.KH; kh++ {
		f(kh, kh*p.g.DH*p.g.OW, kh*p.kg*p.k)
	}
}

// groupWeights is the number of weights of one group.
func (p *convPlan) groupWeights() int { return p.kg * p.cg * p.g.KH * p.g.KW }

// forward computes y = w ⋆ x; every item writes its own part of y.
func forward[T float32 | float64](p *convPlan, x, w, y []T) {
	wr := byRows(p, w)
	p.parallel(p.items(), func(lo, hi int) {
		forwardItems(p, x, wr, y, lo, hi)
	})
	if p.how == lowerRows {
		putBuf(wr)
	}
}

// forwardItems computes items [lo, hi) of y = w ⋆ x on this goroutine; wr
// is byRows(p, w).
func forwardItems[T float32 | float64](p *convPlan, x, wr, y []T, lo, hi int) {
	gw := p.groupWeights()
	l := newLowerer[T](p)
	for i := lo; i < hi; i++ {
		it := p.item(i)
		b, ldb := l.lower(x, it)
		c := y[it.img*p.kg*p.cols+it.j0:]
		p.products(func(kh, bo, wo int) {
			gemm.GemmUnsplit(false, false, p.kg, it.nc, p.k, 1, wr[it.gr*gw+wo:], p.k,
				b[bo:], ldb, T(min(kh, 1)), c, p.cols)
		})
	}
	l.release()
}

// inputGradCol2im computes dx by col = W_gᵀ · dy and dx += col2im(col), band
// by band. Bands of one image overlap in dx, so the items split across
// goroutines are whole images. W_gᵀ is transposed once, here: the GEMM packs
// a transposed A a value at a time, and would for every band.
func inputGradCol2im[T float32 | float64](p *convPlan, w, dy, dx []T) {
	clear(dx)
	g, plane := p.g, p.g.H*p.g.W
	wt := getBuf[T](len(w)) // per group, W_gᵀ: rows × kg
	for gr := 0; gr < g.G; gr++ {
		transpose(w[gr*p.kg*p.rows:][:p.kg*p.rows], wt[gr*p.kg*p.rows:][:p.kg*p.rows], p.kg, p.rows)
	}
	p.parallel(g.N*g.G, func(lo, hi int) {
		var col []T
		if p.bufLen > 0 {
			col = getBuf[T](p.bufLen)
		}
		for i := lo * p.bands; i < hi*p.bands; i++ {
			it := p.item(i)
			dxg := dx[it.img*p.cg*plane:][:p.cg*plane]
			a, dyb := wt[it.gr*p.kg*p.rows:], dy[it.img*p.kg*p.cols+it.j0:]
			if col == nil { // the product is dx itself
				gemm.GemmUnsplit(false, false, p.rows, it.nc, p.kg, 1, a, p.kg, dyb, p.cols, 0, dxg[it.j0:], plane)
				continue
			}
			gemm.GemmUnsplit(false, false, p.rows, it.nc, p.kg, 1, a, p.kg, dyb, p.cols, 0, col, p.ld)
			col2imRows(g, p.cg, col, p.ld, it.oh0, it.oh1, dxg)
		}
		putBuf(col)
	})
	putBuf(wt)
}

// transpose writes the transpose of the r × c matrix a into at (c × r).
func transpose[T float32 | float64](a, at []T, r, c int) {
	const tile = 16
	for i0 := 0; i0 < r; i0 += tile {
		for j0 := 0; j0 < c; j0 += tile {
			for i := i0; i < min(i0+tile, r); i++ {
				row := a[i*c:][:c]
				for j := j0; j < min(j0+tile, c); j++ {
					at[j*r+i] = row[j]
				}
			}
		}
	}
}

// filterGrad computes dw = Σ over items of dy · loweredᵀ. The goroutine that
// runs the first items sums into dw (or into a buffer in the layout of the
// products, see below), each other one into a buffer of its own; the
// buffers are added up at the end, in item order.
//
// Lowered by rows, the sums are in byRows' layout. With fewer output
// channels than the micro-kernel's 8 rows (LeNet's 6), or not a multiple of
// them, dy is copied into a band padded with zero rows to a multiple of 8:
// the GEMM packs a full 8-row panel of A with a vector transpose, a partial
// one a value at a time, and that packing was most of the pass.
func filterGrad[T float32 | float64](p *convPlan, x, dy, dw []T) {
	mp := p.kg // rows of dy in a product
	if p.how != lowerRows && p.kg%8 != 0 && padFilterRows() {
		mp = (p.kg + 7) &^ 7
	}
	gw := p.groupWeights() // a group's sums
	if mp != p.kg {
		gw = mp * p.k
	}
	sumLen := p.g.G * gw
	type sum struct {
		lo  int
		acc []T
	}
	var (
		mu   sync.Mutex
		sums []sum
	)
	first := dw
	if len(dw) != sumLen || p.how == lowerRows {
		first = getBuf[T](sumLen)
	}
	clear(first)
	p.parallel(p.items(), func(lo, hi int) {
		acc := first
		if lo > 0 {
			acc = getBuf[T](sumLen)
			clear(acc)
		}
		l := newLowerer[T](p)
		var dyp []T // the band of dy padded to mp rows
		ldp := p.band * p.g.OW
		if mp != p.kg {
			dyp = getBuf[T](mp * ldp)
			clear(dyp[p.kg*ldp:])
		}
		for i := lo; i < hi; i++ {
			it := p.item(i)
			b, ldb := l.lower(x, it)
			a, lda := dy[it.img*p.kg*p.cols+it.j0:], p.cols
			if dyp != nil {
				for k := 0; k < p.kg; k++ {
					copy(dyp[k*ldp:k*ldp+it.nc], a[k*p.cols:k*p.cols+it.nc])
				}
				a, lda = dyp, ldp
			}
			p.products(func(_, bo, wo int) {
				if dotFilter(mp, p.k, it.nc) {
					gemm.DotNT(mp, p.k, it.nc, a, lda, b[bo:], ldb, acc[it.gr*gw+wo:], p.k)
					return
				}
				gemm.GemmUnsplit(false, true, mp, p.k, it.nc, 1, a, lda, b[bo:], ldb, 1, acc[it.gr*gw+wo:], p.k)
			})
		}
		l.release()
		putBuf(dyp)
		if lo > 0 {
			mu.Lock()
			sums = append(sums, sum{lo, acc})
			mu.Unlock()
		}
	})
	slices.SortFunc(sums, func(a, b sum) int { return a.lo - b.lo })
	for _, s := range sums {
		for i, v := range s.acc {
			first[i] += v
		}
		putBuf(s.acc)
	}
	switch {
	case p.how == lowerRows:
		fromRows(p, first, dw)
	case mp != p.kg:
		for gr := 0; gr < p.g.G; gr++ {
			copy(dw[gr*p.kg*p.k:(gr+1)*p.kg*p.k], first[gr*gw:])
		}
	default:
		return
	}
	putBuf(first)
}

// dotFilter reports whether a filter-gradient product of dy's m rows with
// n lowered rows over k pixels runs as dot products of rows read in place
// (gemm.DotNT) rather than through Gemm's transposing packers: with few
// output channels and many pixels, where the packing cost Gemm as much as
// the arithmetic, and whole 4×4 tiles (DotNT's edges are plain dot
// products). Measured, float32, 1 thread, GFLOP/s (DotNT / Gemm): ResNet-20
// 16→16 at 32×32 176/110, 32→32 at 16×16 172/157; but 64→64 at 8×8 (64
// pixels) 110/158, and AlexNet's 256-384 channels 150/235. A var so that
// tests can force either way.
var dotFilter = func(m, n, k int) bool { return m <= 32 && k >= 256 && m%4 == 0 && n%4 == 0 }

// padFilterRows reports whether filterGrad pads dy to whole 8-row panels:
// with the AVX-512 micro-kernel, whose tiles are 8 rows tall (the AVX2 one's
// are 6). A var so that tests can force it either way.
var padFilterRows = func() bool { return gemm.Kernel() == "avx512" }

// bufList is a free list of buffers, one list per power-of-two size. Unlike
// sync.Pool it never drops them at a GC, so a training loop does not fault
// in fresh buffers every few steps; it holds at most as many of each size
// as were ever in use at once.
type bufList[T float32 | float64] struct {
	mu   sync.Mutex
	free [64][][]T // free[b]: buffers of capacity 1<<b
}

var (
	bufs32 bufList[float32]
	bufs64 bufList[float64]
)

func bufsFor[T float32 | float64]() *bufList[T] {
	var zero T
	if _, ok := any(zero).(float32); ok {
		return any(&bufs32).(*bufList[T])
	}
	return any(&bufs64).(*bufList[T])
}

// getBuf returns a buffer of n elements, holding garbage.
func getBuf[T float32 | float64](n int) []T {
	b := bits.Len(uint(max(n, 1) - 1)) // 1<<b ≥ n
	l := bufsFor[T]()
	l.mu.Lock()
	defer l.mu.Unlock()
	if k := len(l.free[b]); k > 0 {
		s := l.free[b][k-1]
		l.free[b] = l.free[b][:k-1]
		return s[:n]
	}
	return make([]T, n, 1<<b)
}

// putBuf returns a buffer from getBuf to the free list; nil is ignored.
func putBuf[T float32 | float64](s []T) {
	if s == nil {
		return
	}
	b := bits.Len(uint(cap(s) - 1))
	l := bufsFor[T]()
	l.mu.Lock()
	l.free[b] = append(l.free[b], s[:cap(s)])
	l.mu.Unlock()
}
