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

// TestWinoPlanesPageBounds runs the three F(2×2, 3×3) plane transforms with their
// operands against unreadable pages, at both ends, on every path (tw = 4, 8
// and others, one or several column blocks, partial vectors) and every
// padding, and checks the results against the Go loops.
func TestWinoPlanesPageBounds(t *testing.T) {
	requireWinoAsm(t)
	img, str := newWinoArena(t), newWinoArena(t)
	r := rand.New(rand.NewSource(7))
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
	sizes := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 15, 16, 17, 18, 31, 32, 33, 34}
	calls := 0
	for _, rows := range sizes {
		for _, cols := range sizes {
			for _, end := range []bool{true, false} {
				for pads := 0; pads < 9; pads++ {
					// The input plane rows × cols, pads pt, pl, pb = pr.
					pt, pl, pb := pads%3, pads/3, (pads+calls)%3
					oh, ow := rows+pt+pb-2, cols+pl+pb-2
					if oh < 1 || ow < 1 {
						continue
					}
					th, tw := (oh+1)/2, (ow+1)/2
					n := th * tw
					ld := n + calls%2
					if 15*ld+n > winoArenaFloats {
						continue
					}
					what := fmt.Sprintf("input %dx%d pt=%d pl=%d th=%d tw=%d ld=%d end=%v", rows, cols, pt, pl, th, tw, ld, end)
					x := img.at(rows*cols, end, val)
					v := str.at(15*ld+n, !end, zero)
					want := make([]float32, 15*ld+n)
					winoInputPlane(x, rows, cols, pt, pl, th, tw, v, ld)
					winoInputPlaneGo(x, rows, cols, pt, pl, th, tw, want, ld)
					same(what, v, want)
					calls++
				}

				// The output and gradient planes rows × cols.
				th, tw := (rows+1)/2, (cols+1)/2
				n := th * tw
				ld := n + calls%2
				if 15*ld+n > winoArenaFloats {
					continue
				}
				what := fmt.Sprintf("output %dx%d ld=%d end=%v", rows, cols, ld, end)
				m := str.at(15*ld+n, end, val)
				y := img.at(rows*cols, !end, zero)
				want := make([]float32, rows*cols)
				winoOutputPlane(m, ld, th, tw, y, rows, cols)
				winoOutputPlaneGo(m, ld, th, tw, want, rows, cols)
				same(what, y, want)

				what = fmt.Sprintf("grad %dx%d ld=%d end=%v", rows, cols, ld, end)
				dy := img.at(rows*cols, end, val)
				out := str.at(15*ld+n, !end, zero)
				wantOut := make([]float32, 15*ld+n)
				winoGradPlane(dy, rows, cols, th, tw, out, ld)
				winoGradPlaneGo(dy, rows, cols, th, tw, wantOut, ld)
				same(what, out, wantOut)
				calls += 2
			}
		}
	}
	t.Logf("%d calls", calls)
}

// TestWinoPlanes4PageBounds is TestWinoPlanesPageBounds for the F(4×4, 3×3)
// transforms (36 streams, tiles of 4×4 outputs): operands against
// unreadable pages at both ends, every path (tw = 4, 8 and others, one or
// several column blocks, partial vectors and tiles) and padding.
func TestWinoPlanes4PageBounds(t *testing.T) {
	requireWinoAsm(t)
	img, str := newWinoArena(t), newWinoArena(t)
	r := rand.New(rand.NewSource(48))
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
	sizes := []int{1, 2, 3, 4, 5, 6, 7, 9, 13, 14, 15, 16, 17, 18, 29, 30, 31, 32, 33, 34, 63, 66, 67}
	calls := 0
	for _, rows := range sizes {
		for _, cols := range sizes {
			for _, end := range []bool{true, false} {
				for pads := 0; pads < 9; pads++ {
					// The input plane rows × cols, pads pt, pl, pb = pr.
					pt, pl, pb := pads%3, pads/3, (pads+calls)%3
					oh, ow := rows+pt+pb-2, cols+pl+pb-2
					if oh < 1 || ow < 1 {
						continue
					}
					th, tw := (oh+3)/4, (ow+3)/4
					n := th * tw
					ld := n + calls%2
					if 35*ld+n > winoArenaFloats || rows*cols > winoArenaFloats {
						continue
					}
					what := fmt.Sprintf("input4 %dx%d pt=%d pl=%d th=%d tw=%d ld=%d end=%v", rows, cols, pt, pl, th, tw, ld, end)
					x := img.at(rows*cols, end, val)
					v := str.at(35*ld+n, !end, zero)
					want := make([]float32, 35*ld+n)
					winoInputPlane4(x, rows, cols, pt, pl, th, tw, v, ld)
					winoInputPlane4Go(x, rows, cols, pt, pl, th, tw, want, ld)
					same(what, v, want)
					calls++
				}

				// The output and gradient planes rows × cols.
				th, tw := (rows+3)/4, (cols+3)/4
				n := th * tw
				ld := n + calls%2
				if 35*ld+n > winoArenaFloats || rows*cols > winoArenaFloats {
					continue
				}
				what := fmt.Sprintf("output4 %dx%d ld=%d end=%v", rows, cols, ld, end)
				m := str.at(35*ld+n, end, val)
				y := img.at(rows*cols, !end, zero)
				want := make([]float32, rows*cols)
				winoOutputPlane4(m, ld, th, tw, y, rows, cols)
				winoOutputPlane4Go(m, ld, th, tw, want, rows, cols)
				same(what, y, want)

				what = fmt.Sprintf("grad4 %dx%d ld=%d end=%v", rows, cols, ld, end)
				dy := img.at(rows*cols, end, val)
				out := str.at(35*ld+n, !end, zero)
				wantOut := make([]float32, 35*ld+n)
				winoGradPlane4(dy, rows, cols, th, tw, out, ld)
				winoGradPlane4Go(dy, rows, cols, th, tw, wantOut, ld)
				same(what, out, wantOut)
				calls += 2
			}
		}
	}
	t.Logf("%d calls", calls)
}
