package kernels

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// minParallelWork is the work (in elements touched) below which splitting a
// loop across goroutines costs more than it saves.
const minParallelWork = 1 << 15

// chunksPerWorker splits a loop finer than one range per core: a goroutine
// that starts late (10-100 µs on this machine kind) then takes fewer chunks
// instead of making the caller wait for a whole share.
const chunksPerWorker = 4

// ParallelFor runs body over [0, n) split into contiguous ranges, handed out
// to runtime.GOMAXPROCS goroutines (the caller's included) as they come
// free, when work (the elements the whole loop touches) is worth it;
// otherwise it runs body(0, n) on the calling goroutine. body must be safe
// to run concurrently on disjoint ranges.
func ParallelFor(n, work int, body func(lo, hi int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 || work < minParallelWork {
		body(0, n)
		return
	}
	chunks := min(n, workers*chunksPerWorker)
	var next atomic.Int64
	run := func() {
		for {
			c := int(next.Add(1) - 1)
			if c >= chunks {
				return
			}
			body(c*n/chunks, (c+1)*n/chunks)
		}
	}
	var wg sync.WaitGroup
	wg.Add(workers - 1)
	for w := 1; w < workers; w++ {
		go func() {
			defer wg.Done()
			run()
		}()
	}
	run()
	wg.Wait()
}
