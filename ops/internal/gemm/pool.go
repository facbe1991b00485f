package gemm

import "sync"

// freeList recycles objects that own large buffers. Unlike sync.Pool it
// never drops them at a GC, so a training loop does not pay the page
// faults of fresh packing buffers again every few steps; it holds at most
// as many as were ever in use at once.
type freeList[E any] struct {
	mu    sync.Mutex
	items []*E
}

func (f *freeList[E]) get() *E {
	f.mu.Lock()
	defer f.mu.Unlock()
	if n := len(f.items); n > 0 {
		e := f.items[n-1]
		f.items = f.items[:n-1]
		return e
	}
	return new(E)
}

func (f *freeList[E]) put(e *E) {
	f.mu.Lock()
	f.items = append(f.items, e)
	f.mu.Unlock()
}

var (
	calls32      freeList[call[float32]]
	calls64      freeList[call[float64]]
	workspaces32 freeList[workspace[float32]]
	workspaces64 freeList[workspace[float64]]
)

// callPool returns the free list of call states for element type T.
func callPool[T float32 | float64]() *freeList[call[T]] {
	var zero T
	if _, ok := any(zero).(float32); ok {
		return any(&calls32).(*freeList[call[T]])
	}
	return any(&calls64).(*freeList[call[T]])
}

// workspacePool returns the free list of packing buffers for element type T.
func workspacePool[T float32 | float64]() *freeList[workspace[T]] {
	var zero T
	if _, ok := any(zero).(float32); ok {
		return any(&workspaces32).(*freeList[workspace[T]])
	}
	return any(&workspaces64).(*freeList[workspace[T]])
}
