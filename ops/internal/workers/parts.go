package workers

import (
	"runtime"
	"sync/atomic"
)

// MaxParts is the most parts one call can be split into.
const MaxParts = 1<<16 - 1

// Parts is the claim state of a call split into parts, run by the caller
// and the workers it asks: one word packs the generation (high 32 bits),
// the number of parts (16) and the next unclaimed part (16), so a claim is
// a single compare-and-swap, and a worker with a request for an earlier
// generation (it woke after that use of the call had finished) fails to
// claim anything.
type Parts struct {
	state atomic.Uint64
	done  atomic.Int32 // parts finished in this generation
}

// Start begins a new generation of n parts (1 ≤ n ≤ MaxParts) and returns it.
func (p *Parts) Start(n int) uint32 {
	p.done.Store(0)
	gen := uint32(p.state.Load()>>32) + 1
	p.state.Store(uint64(gen)<<32 | uint64(n)<<16)
	return gen
}

// Claim returns the next unclaimed part of generation gen, or false when
// none is left (or the call has moved on from gen).
func (p *Parts) Claim(gen uint32) (int, bool) {
	for {
		s := p.state.Load()
		next, n := int(s&0xffff), int(s>>16&0xffff)
		if uint32(s>>32) != gen || next >= n {
			return 0, false
		}
		if p.state.CompareAndSwap(s, s+1) {
			return next, true
		}
	}
}

// Done records that a claimed part has finished.
func (p *Parts) Done() { p.done.Add(1) }

// Wait returns once all n parts of the generation have finished, yielding
// while parts still run elsewhere.
func (p *Parts) Wait(n int) {
	for int(p.done.Load()) < n {
		runtime.Gosched()
	}
}
