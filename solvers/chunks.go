package solvers

import (
	"runtime"
	"sync"
)

// minChunk is the fewest elements worth a goroutine of their own: an update
// reads and writes a few streams of memory at a few GB/s, so below this the
// start of a goroutine costs more than its share of the loop.
const minChunk = 1 << 16

// inChunks runs body over [0, n) in contiguous ranges, one per core, when n
// is large enough to pay for it. An update touches each element once and
// memory bandwidth bounds it, so one core cannot saturate the machine on
// AlexNet's 61M parameters; the split is static because every element costs
// the same.
func inChunks(n int, body func(lo, hi int)) {
	parts := min(runtime.GOMAXPROCS(0), n/minChunk)
	if parts <= 1 {
		body(0, n)
		return
	}
	var wg sync.WaitGroup
	wg.Add(parts - 1)
	for p := 1; p < parts; p++ {
		go func() {
			defer wg.Done()
			body(p*n/parts, (p+1)*n/parts)
		}()
	}
	body(0, n/parts)
	wg.Wait()
}
