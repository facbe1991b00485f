package gemm

import (
	"runtime"
	"sync/atomic"
	"time"
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
// goroutine: about 10 µs of kernel time, several times the cost of handing
// work to a worker. A var so that tests can force the parallel path.
var minParallelWork = 1 << 20

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
// call allocates nothing. The caller and the workers it asks for help claim
// parts until none are left, so a worker that wakes late costs nothing: the
// caller has run its part.
//
// state packs a generation (high 32 bits), the number of parts (16) and
// the next unclaimed part (16) into one word, so a claim is a single CAS
// and a worker holding a message for an earlier use of the call (it woke
// after the call finished and was recycled) fails to claim anything.
type call[T float32 | float64] struct {
	parts []part[T]
	state atomic.Uint64
	done  atomic.Int32 // parts finished
}

const maxParts = 1<<16 - 1

// work runs unclaimed parts of generation gen until there are none.
func (cl *call[T]) work(gen uint32) {
	for {
		s := cl.state.Load()
		next, n := int(s&0xffff), int(s>>16&0xffff)
		if uint32(s>>32) != gen || next >= n {
			return
		}
		if cl.state.CompareAndSwap(s, s+1) {
			cl.parts[next].run()
			cl.done.Add(1)
		}
	}
}

// task is a request for help with one generation of a call.
type task struct {
	h   helper
	gen uint32
}

// helper is a call seen by the workers, whatever its element type.
type helper interface{ work(gen uint32) }

// work carries tasks to the workers; buffered so that the caller never
// blocks (and never parks) handing work out.
var work = make(chan task, 64)

var (
	workersMu atomic.Int32 // guards workers; a spin lock, taken rarely
	workers   int
)

// spinFor is how long a worker polls for new work after finishing a part
// before it parks. Waking a parked goroutine's thread on an idle core can
// take longer than a whole 256³ product on a virtual machine (its vCPU is
// halted), so a worker that stays awake across back-to-back calls is what
// makes the second core useful for them; OpenBLAS's threads spin likewise.
const spinFor = 100 * time.Microsecond

// ensureWorkers starts long-lived worker goroutines until n exist. They
// outlive calls because a go statement with arguments allocates.
func ensureWorkers(n int) {
	for !workersMu.CompareAndSwap(0, 1) {
		runtime.Gosched()
	}
	for ; workers < n; workers++ {
		go workerLoop()
	}
	workersMu.Store(0)
}

func workerLoop() {
	for {
		t := <-work
		t.h.work(t.gen)
		for last := time.Now(); time.Since(last) < spinFor; {
			select {
			case t := <-work:
				t.h.work(t.gen)
				last = time.Now()
			default:
				runtime.Gosched() // let this process's other goroutines run
			}
		}
	}
}

// gemmParallel splits C into blocks of whole micro-tiles along its longer
// dimension (counted in tiles), one block per goroutine, so the goroutines
// share nothing but the read-only inputs. Each packs its own panels: the
// duplicated packing is O(k·(m+n)) against O(m·n·k/threads) of arithmetic.
func gemmParallel[T float32 | float64](kern *kernel[T], transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	tilesM, tilesN := ceilDiv(m, kern.mr), ceilDiv(n, kern.nr)
	splitN := tilesN >= tilesM
	tiles := tilesM
	if splitN {
		tiles = tilesN
	}
	nparts := int(threads.Load())
	if m*n*k < minParallelWork {
		nparts = 1
	}
	nparts = min(nparts, tiles)

	nparts = min(nparts, maxParts)
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
	cl.done.Store(0)
	gen := uint32(cl.state.Load()>>32) + 1
	cl.state.Store(uint64(gen)<<32 | uint64(nparts)<<16)
	if nparts > 1 {
		ensureWorkers(nparts - 1)
		for i := 1; i < nparts; i++ {
			select {
			case work <- task{cl, gen}:
			default: // the queue is full: the caller will do this part
			}
		}
	}
	cl.work(gen)
	for int(cl.done.Load()) < nparts { // parts still running elsewhere
		runtime.Gosched()
	}
	for i := range cl.parts { // drop references to the caller's matrices
		p := &cl.parts[i]
		p.a, p.b, p.c = nil, nil, nil
	}
	pool.put(cl)
}

func ceilDiv(x, d int) int { return (x + d - 1) / d }
