// Package workers keeps the long-lived goroutines that help the kernels'
// parallel loops and the GEMM, so that a call's second core is already
// running when the call needs it.
//
// A call that wants help posts requests (Ask); an idle worker takes one,
// claims parts of the call until none are left, and then polls for the
// next request for a while before it parks. The calling goroutine claims
// parts too, so a worker that comes late costs nothing: by then the caller
// has run its share. Tasks carry a generation so that a worker holding a
// request for an earlier use of a recycled call claims nothing.
package workers

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Task is a call that workers can help with.
type Task interface {
	// Work claims and runs parts of generation gen of the call until none
	// are left; it returns at once if the call has moved on from gen.
	Work(gen uint32)
}

type request struct {
	t   Task
	gen uint32
}

// queue carries requests to the workers; buffered so that a caller never
// blocks (and never parks) handing work out.
var queue = make(chan request, 64)

var (
	mu      sync.Mutex   // serializes starting workers
	started atomic.Int64 // workers started
)

// spinFor is how long a worker polls for a new request after finishing one
// before it parks. Waking a parked goroutine's thread on an idle core can
// take longer than a whole small op on a virtual machine (its vCPU is
// halted, 10-100 µs), and a training step runs hundreds of ops back to
// back; OpenBLAS's threads spin likewise.
const spinFor = 100 * time.Microsecond

// Ask posts n requests for help with generation gen of t, starting workers
// until n exist. A request that finds the queue full is dropped: the
// caller does that part itself.
func Ask(t Task, gen uint32, n int) {
	if n <= 0 {
		return
	}
	ensure(n)
	for range n {
		select {
		case queue <- request{t, gen}:
		default:
			return
		}
	}
}

// ensure starts workers until n exist. They outlive calls because a go
// statement with arguments allocates.
func ensure(n int) {
	if started.Load() >= int64(n) { // the common case: no lock
		return
	}
	mu.Lock()
	defer mu.Unlock()
	for started.Load() < int64(n) {
		go loop()
		started.Add(1)
	}
}

func loop() {
	for {
		r := <-queue
		r.t.Work(r.gen)
		for last := time.Now(); time.Since(last) < spinFor; {
			select {
			case r := <-queue:
				r.t.Work(r.gen)
				last = time.Now()
			default:
				runtime.Gosched() // let this process's other goroutines run
			}
		}
	}
}
