package datasets

import (
	"iter"
	"runtime"
	"sync"
	"sync/atomic"
)

// Iterator yields the batches of one epoch in order. Use it from one
// goroutine; only Close may also be called from another, to cancel.
//
//	it := loader.Batches(epoch, 0)
//	defer it.Close()
//	for b, ok := it.Next(); ok; b, ok = it.Next() { ... }
type Iterator struct {
	s *iterState
}

// iterState is everything the producer goroutine touches. Keeping it apart
// from Iterator lets a forgotten, unreachable Iterator be cleaned up (its
// goroutine stopped) even though the goroutine is still running.
type iterState struct {
	l      *Loader
	epoch  int
	order  []int
	next   int // synchronous mode: next batch to build
	end    int
	closed atomic.Bool

	// Synchronous mode (Prefetch == 0).
	wk  *worker
	buf *Batch

	// Prefetch mode.
	ready chan *Batch   // prepared batches, in order; closed when the producer exits
	free  chan *Batch   // buffers the consumer handed back (nil: not yet allocated)
	stop  chan struct{} // closed by Close
	done  chan struct{} // closed when the producer has exited
	once  sync.Once
	held  *Batch // batch last returned by Next, recycled at the next call
}

func newIterator(l *Loader, epoch, start int) *Iterator {
	s := &iterState{l: l, epoch: epoch, order: l.Order(epoch), next: start, end: l.NumBatches()}
	if l.cfg.Prefetch == 0 {
		s.wk = l.newWorker()
		s.buf = &Batch{}
		return &Iterator{s: s}
	}
	// Buffers: Prefetch waiting in ready, one held by the consumer and one
	// being filled by the producer.
	pool := l.cfg.Prefetch + 2
	s.ready = make(chan *Batch, l.cfg.Prefetch)
	s.free = make(chan *Batch, pool)
	for i := 0; i < pool; i++ {
		s.free <- nil
	}
	s.stop = make(chan struct{})
	s.done = make(chan struct{})
	go s.produce(start)
	it := &Iterator{s: s}
	runtime.AddCleanup(it, func(s *iterState) { s.shutdown(false) }, s)
	return it
}

func (s *iterState) produce(start int) {
	defer close(s.done)
	defer close(s.ready)
	wk := s.l.newWorker()
	for b := start; b < s.end; b++ {
		var buf *Batch
		select {
		case buf = <-s.free:
		case <-s.stop:
			return
		}
		if buf == nil {
			buf = &Batch{}
		}
		wk.fill(buf, s.order, s.epoch, b)
		select {
		case s.ready <- buf:
		case <-s.stop:
			return
		}
	}
}

// Next returns the next batch, or false at the end of the epoch or after
// Close. The batch stays valid until the next call to Next or Close.
func (it *Iterator) Next() (*Batch, bool) { return it.s.nextBatch() }

// Close stops the background goroutine, if any, and waits for it to exit.
// It is safe to call more than once, and from another goroutine than the
// one calling Next (Next then returns false). An iterator dropped without
// Close is stopped when garbage collected, but only Close frees it
// promptly.
func (it *Iterator) Close() { it.s.shutdown(true) }

func (s *iterState) nextBatch() (*Batch, bool) {
	if s.closed.Load() {
		return nil, false
	}
	if s.ready == nil {
		if s.next >= s.end {
			return nil, false
		}
		s.wk.fill(s.buf, s.order, s.epoch, s.next)
		s.next++
		return s.buf, true
	}
	if s.held != nil {
		s.free <- s.held // never blocks: free has room for every buffer
		s.held = nil
	}
	b, ok := <-s.ready
	if !ok || s.closed.Load() {
		return nil, false
	}
	s.held = b
	return b, true
}

func (s *iterState) shutdown(wait bool) {
	s.closed.Store(true)
	if s.stop == nil {
		return
	}
	s.once.Do(func() { close(s.stop) })
	if wait {
		<-s.done
	}
}

// All returns the remaining batches as a sequence for range loops; the
// iterator is closed when the loop ends, by break too:
//
//	for b := range loader.Batches(epoch, 0).All() { ... }
func (it *Iterator) All() iter.Seq[*Batch] {
	return func(yield func(*Batch) bool) {
		defer it.Close()
		for b, ok := it.Next(); ok; b, ok = it.Next() {
			if !yield(b) {
				return
			}
		}
	}
}
