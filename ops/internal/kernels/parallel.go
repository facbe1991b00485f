package kernels

import (
	"runtime"
	"sync"
)

// minParallelWork is the work (in elements touched) below which splitting a
// loop across goroutines costs more than it saves.
const minParallelWork = 1 << 15

// ParallelFor runs body over [0, n) split into contiguous ranges, one per
// core (runtime.GOMAXPROCS), when work (the elements the whole loop touches)
// is worth it; otherwise it runs body(0, n) on the calling goroutine. body
// must be safe to run concurrently on disjoint ranges.
func ParallelFor(n, work int, body func(lo, hi int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 || work < minParallelWork {
		body(0, n)
		return
	}
	var wg sync.WaitGroup
	wg.Add(workers - 1)
	for w := 1; w < workers; w++ {
		lo, hi := w*n/workers, (w+1)*n/workers
		go func() {
			defer wg.Done()
			body(lo, hi)
		}()
	}
	body(0, n/workers)
	wg.Wait()
}
