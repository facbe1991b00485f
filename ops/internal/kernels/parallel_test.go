package kernels

import (
	"sync/atomic"
	"testing"
)

func TestParallelForCoversEveryIndexOnce(t *testing.T) {
	for _, c := range []struct{ n, work int }{{0, 0}, {1, 1 << 20}, {7, 1 << 20}, {1000, 1 << 20}, {1000, 10}} {
		hits := make([]int32, c.n)
		ParallelFor(c.n, c.work, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				atomic.AddInt32(&hits[i], 1)
			}
		})
		for i, h := range hits {
			if h != 1 {
				t.Fatalf("n=%d work=%d: index %d visited %d times", c.n, c.work, i, h)
			}
		}
	}
}
