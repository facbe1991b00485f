package gemm

import (
	"runtime"
	"sync/atomic"

	"github.com/convgraph/convgraph/ops/internal/workers"
)

// threads is the number of goroutines a large Gemm uses.
var threads atomic.Int64

func init() { threads.Store(int64(runtime.GOMAXPROCS(0))) }

// SetThreads sets how many goroutines a large Gemm splits its work over
// (n < 1 means runtime.GOMAXPROCS(0)) and returns the previous value.
func SetThreads(n int) int {
	if n < 1 {
		n = runtime.GOMAXPROCS(0)
	}
	return int(threads.Swap(int64(n)))
}

// minParallelWork is the m·n·k below which Gemm stays on the calling
// goroutine: about 5 µs of kernel time, a few times the cost of handing
// work to a spinning worker (2²⁰ left ResNet-20's per-image products of
// 786,432 multiply-adds at one core's rate when called on their own). A var
// so that tests can force the parallel path.
var minParallelWork = 1 << 19

// part is one goroutine's share of a call: a block of C's rows or columns.
type part[T float32 | float64] struct {
	kern           *kernel[T]
	transA, transB bool
	m, n, k        int
	alpha, beta    T
	a, b, c        []T
	lda, ldb, ldc  int
}

func (p *part[T]) run() {
	pool := workspacePool[T]()
	ws := pool.get()
	gemmSerial(p.kern, ws, p.transA, p.transB, p.m, p.n, p.k, p.alpha, p.a, p.lda, p.b, p.ldb, p.beta, p.c, p.ldc)
	pool.put(ws)
}

// call is the state of one Gemm call, recycled whole so that a steady-state
// call allocates nothing. The caller and the workers it asks for help
// (package workers) claim parts until none are left.
type call[T float32 | float64] struct {
	parts []part[T]
	claim workers.Parts
}

// Work runs unclaimed parts of generation gen until there are none.
func (cl *call[T]) Work(gen uint32) {
	for {
		i, ok := cl.claim.Claim(gen)
		if !ok {
			return
		}
		cl.parts[i].run()
		cl.claim.Done()
	}
}

// gemmParallel splits C into blocks of whole micro-tiles along its longer
// dimension (counted in tiles), one block per goroutine, so the goroutines
// share nothing but the read-only inputs. Each packs its own panels: the
// duplicated packing is O(k·(m+n)) against O(m·n·k/threads) of arithmetic.
func gemmParallel[T float32 | float64](kern *kernel[T], split, transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	tilesM, tilesN := ceilDiv(m, kern.mr), ceilDiv(n, kern.nr)
	splitN := tilesN >= tilesM
	tiles := tilesM
	if splitN {
		tiles = tilesN
	}
	nparts := int(threads.Load())
	if !split || m*n*k < minParallelWork {
		nparts = 1
	}
	nparts = min(nparts, tiles)

	nparts = min(nparts, workers.MaxParts)
	if nparts == 1 { // no call state, no pool
		p := part[T]{kern: kern, transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, beta: beta,
			a: a, b: b, c: c, lda: lda, ldb: ldb, ldc: ldc}
		p.run()
		return
	}
	pool := callPool[T]()
	cl := pool.get()
	if cap(cl.parts) < nparts {
		cl.parts = make([]part[T], nparts)
	}
	cl.parts = cl.parts[:nparts]
	for i := range cl.parts {
		p := &cl.parts[i]
		p.kern, p.transA, p.transB, p.k, p.alpha, p.beta = kern, transA, transB, k, alpha, beta
		p.lda, p.ldb, p.ldc = lda, ldb, ldc
		p.m, p.n, p.a, p.b, p.c = m, n, a, b, c
		lo, hi := i*tiles/nparts, (i+1)*tiles/nparts
		if splitN {
			j0, j1 := lo*kern.nr, min(hi*kern.nr, n)
			p.n, p.c = j1-j0, c[j0:]
			if transB {
				p.b = b[j0*ldb:]
			} else {
				p.b = b[j0:]
			}
		} else {
			i0, i1 := lo*kern.mr, min(hi*kern.mr, m)
			p.m, p.c = i1-i0, c[i0*ldc:]
			if transA {
				p.a = a[i0:]
			} else {
				p.a = a[i0*lda:]
			}
		}
	}
	gen := cl.claim.Start(nparts)
	workers.Ask(cl, gen, nparts-1)
	cl.Work(gen)
	cl.claim.Wait(nparts)
	for i := range cl.parts { // drop references to the caller's matrices
		p := &cl.parts[i]
		p.a, p.b, p.c = nil, nil, nil
	}
	pool.put(cl)
}

func ceilDiv(x, d int) int { return (x + d - 1) / d }
