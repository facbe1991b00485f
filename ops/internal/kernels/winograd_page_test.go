//go:build linux && amd64

package kernels

import (
	"fmt"
	"math"
	"math/rand"
	"syscall"
	"testing"
	"unsafe"
)

// winoArena is winoArenaPages of memory whose first and last pages are
// PROT_NONE: an operand placed against either reads or writes them, and
// faults, if the kernel touches one float past its bounds.
type winoArena struct{ mem []byte }

const (
	winoPage       = 4096
	winoArenaPages = 10
)

func newWinoArena(t *testing.T) *winoArena {
	t.Helper()
	mem, err := syscall.Mmap(-1, 0, winoArenaPages*winoPage, syscall.PROT_READ|syscall.PROT_WRITE,
		syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Skip("mmap:", err)
	}
	t.Cleanup(func() { syscall.Munmap(mem) })
	for _, p := range [][]byte{mem[:winoPage], mem[(winoArenaPages-1)*winoPage:]} {
		if err := syscall.Mprotect(p, syscall.PROT_NONE); err != nil {
			t.Fatal(err)
		}
	}
	return &winoArena{mem}
}

// winoArenaFloats is the most floats an operand may have.
const winoArenaFloats = (winoArenaPages - 2) * winoPage / 4

// at returns k floats (k ≥ 1) that end right before the last page (atEnd)
// or start right after the first, filled from f.
func (a *winoArena) at(k int, atEnd bool, f func() float32) []float32 {
	off := winoPage
	if atEnd {
		off = (winoArenaPages-1)*winoPage - 4*k
	}
	s := unsafe.Slice((*float32)(unsafe.Pointer(&a.mem[off])), k)
	for i := range s {
		s[i] = f()
	}
	return s
}

// TestWinoPlanesPageBounds runs the three plane transforms of each
// algorithm with their operands against unreadable pages, at both ends, on
// every path (tw = 4, 8 and others, one or several column blocks, partial
// vectors and tiles) and every padding, and checks the results against the
// Go loops.
func TestWinoPlanesPageBounds(t *testing.T) {
	requireWinoAsm(t)
	forWinoAlgos(t, 7, func(t *testing.T, a *winoAlgo, r *rand.Rand) {
		img, str := newWinoArena(t), newWinoArena(t)
		val := func() float32 { return winoRand(r) }
		zero := func() float32 { return 0 }
		same := func(what string, got, want []float32) {
			t.Helper()
			for i := range want {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("%s: index %d: got %#08x, want %#08x", what, i, math.Float32bits(got[i]), math.Float32bits(want[i]))
				}
			}
		}
		calls := 0
		for _, rows := range a.pageSizes {
			for _, cols := range a.pageSizes {
				for _, end := range []bool{true, false} {
					for pads := 0; pads < 9; pads++ {
						// The input plane rows × cols, pads pt, pl, pb = pr.
						pt, pl, pb := pads%3, pads/3, (pads+calls)%3
						oh, ow := rows+pt+pb-2, cols+pl+pb-2
						if oh < 1 || ow < 1 {
							continue
						}
						th, tw := a.tiles(oh), a.tiles(ow)
						ld := th*tw + calls%2
						span := a.span(th*tw, ld)
						if span > winoArenaFloats || rows*cols > winoArenaFloats {
							continue
						}
						what := fmt.Sprintf("input %dx%d pt=%d pl=%d th=%d tw=%d ld=%d end=%v", rows, cols, pt, pl, th, tw, ld, end)
						x := img.at(rows*cols, end, val)
						v := str.at(span, !end, zero)
						want := make([]float32, span)
						a.input(x, rows, cols, pt, pl, th, tw, v, ld)
						a.inputGo(x, rows, cols, pt, pl, th, tw, want, ld)
						same(what, v, want)
						calls++
					}

					// The output and gradient planes rows × cols.
					th, tw := a.tiles(rows), a.tiles(cols)
					ld := th*tw + calls%2
					span := a.span(th*tw, ld)
					if span > winoArenaFloats || rows*cols > winoArenaFloats {
						continue
					}
					what := fmt.Sprintf("output %dx%d ld=%d end=%v", rows, cols, ld, end)
					m := str.at(span, end, val)
					y := img.at(rows*cols, !end, zero)
					want := make([]float32, rows*cols)
					a.output(m, ld, th, tw, y, rows, cols)
					a.outputGo(m, ld, th, tw, want, rows, cols)
					same(what, y, want)

					what = fmt.Sprintf("grad %dx%d ld=%d end=%v", rows, cols, ld, end)
					dy := img.at(rows*cols, end, val)
					out := str.at(span, !end, zero)
					wantOut := make([]float32, span)
					a.grad(dy, rows, cols, th, tw, out, ld)
					a.gradGo(dy, rows, cols, th, tw, wantOut, ld)
					same(what, out, wantOut)
					calls += 2
				}
			}
		}
		t.Logf("%d calls", calls)
	})
}
