package workers

import (
	"sync"
	"sync/atomic"
	"testing"
)

// counter is a call whose parts count their runs.
type counter struct {
	claim Parts
	runs  []atomic.Int32
}

func (c *counter) Work(gen uint32) {
	for {
		i, ok := c.claim.Claim(gen)
		if !ok {
			return
		}
		c.runs[i].Add(1)
		c.claim.Done()
	}
}

// Every part of every generation runs exactly once, with workers helping
// and calls recycled, and a request for an old generation claims nothing.
func TestPartsRunOnce(t *testing.T) {
	c := &counter{runs: make([]atomic.Int32, 100)}
	for round := range 200 {
		n := 1 + round%100
		for i := range c.runs {
			c.runs[i].Store(0)
		}
		gen := c.claim.Start(n)
		Ask(c, gen, 3)
		c.Work(gen)
		c.claim.Wait(n)
		for i := range n {
			if r := c.runs[i].Load(); r != 1 {
				t.Fatalf("round %d: part %d ran %d times", round, i, r)
			}
		}
		c.Work(gen - 1) // a stale request
		if _, ok := c.claim.Claim(gen - 1); ok {
			t.Fatalf("round %d: claimed a part of an old generation", round)
		}
	}
}

// Concurrent callers share the workers without losing parts.
func TestConcurrentCalls(t *testing.T) {
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &counter{runs: make([]atomic.Int32, 64)}
			for range 50 {
				gen := c.claim.Start(64)
				Ask(c, gen, 2)
				c.Work(gen)
				c.claim.Wait(64)
			}
			for i := range c.runs {
				if r := c.runs[i].Load(); r != 50 {
					t.Errorf("part %d ran %d times, want 50", i, r)
				}
			}
		}()
	}
	wg.Wait()
}
