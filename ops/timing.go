package ops

import (
	"cmp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// OpTime is the wall time the ops of one kind spent while timing was on.
type OpTime struct {
	Op    string // the op's name without its parameters: conv2d, batchnorm_train_relu_grad_input, ...
	Calls int
	Wall  time.Duration
}

// timing is the table StartTiming installs; nil when timing is off, so an
// untimed op pays one atomic load.
var timing atomic.Pointer[opTimes]

type opTimes struct {
	mu sync.Mutex
	m  map[string]*OpTime
}

// StartTiming starts recording the wall time of every convgraph op run by
// any graph, from its inputs' checks to its output, keyed by op kind; it
// clears what an earlier StartTiming recorded. Ops run one at a time on
// gorgonia's tape, so the times add up to the share of a step spent in
// convgraph's ops; the rest is gorgonia's own ops (gradient sums,
// reshapes) and the tape itself. A profile tells where CPU time goes; this
// tells which ops keep the other cores idle (CPU time / wall time).
func StartTiming() { timing.Store(&opTimes{m: map[string]*OpTime{}}) }

// StopTiming stops recording and returns the totals, longest first.
func StopTiming() []OpTime {
	t := timing.Swap(nil)
	if t == nil {
		return nil
	}
	t.mu.Lock() // an op that loaded the table before the swap may still record
	defer t.mu.Unlock()
	out := make([]OpTime, 0, len(t.m))
	for _, v := range t.m {
		out = append(out, *v)
	}
	slices.SortFunc(out, func(a, b OpTime) int { return cmp.Compare(b.Wall, a.Wall) })
	return out
}

// opKind is s's name without its parameters, computed once per node.
func opKind(s spec) string {
	name, _, _ := strings.Cut(s.String(), "(")
	return name
}

// record adds one run of an op of kind name, started at start, to t.
func (t *opTimes) record(name string, start time.Time) {
	d := time.Since(start)
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.m[name]
	if e == nil {
		e = &OpTime{Op: name}
		t.m[name] = e
	}
	e.Calls++
	e.Wall += d
}
