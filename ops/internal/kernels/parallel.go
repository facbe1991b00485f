package kernels

import (
	"runtime"
	"sync"

	"github.com/convgraph/convgraph/ops/internal/workers"
)

// minParallelWork is the work (in elements touched) below which splitting a
// loop across goroutines costs more than it saves.
const minParallelWork = 1 << 15

// chunksPerWorker splits a loop finer than one range per core: a worker
// that joins late then takes fewer chunks instead of making the caller wait
// for a whole share.
const chunksPerWorker = 4

// ParallelFor runs body over [0, n) split into contiguous ranges, handed out
// to the calling goroutine and up to runtime.GOMAXPROCS − 1 of the package
// workers' long-lived goroutines as they come free, when work (the elements
// the whole loop touches) is worth it; otherwise it runs body(0, n) on the
// calling goroutine. body must be safe to run concurrently on disjoint
// ranges. The workers poll for the next request for a while before they
// park, so back-to-back ops find the second core running: a goroutine
// started per call took 10-100 µs to get one, as long as a small op runs.
func ParallelFor(n, work int, body func(lo, hi int)) {
	helpers := min(runtime.GOMAXPROCS(0), n) - 1
	if helpers < 1 || work < minParallelWork {
		body(0, n)
		return
	}
	j := jobs.Get().(*job)
	j.n, j.chunks, j.body = n, min(n, (helpers+1)*chunksPerWorker, workers.MaxParts), body
	gen := j.claim.Start(j.chunks)
	workers.Ask(j, gen, helpers)
	j.Work(gen)
	j.claim.Wait(j.chunks)
	j.body = nil // drop the caller's closure
	jobs.Put(j)
}

// job is one ParallelFor call; recycled, with its claim state's generation
// telling a late worker that its request is stale.
type job struct {
	n, chunks int
	body      func(lo, hi int)
	claim     workers.Parts
}

var jobs = sync.Pool{New: func() any { return new(job) }}

// Work runs unclaimed chunks of generation gen until there are none.
func (j *job) Work(gen uint32) {
	for {
		c, ok := j.claim.Claim(gen)
		if !ok {
			return
		}
		j.body(c*j.n/j.chunks, (c+1)*j.n/j.chunks)
		j.claim.Done()
	}
}
