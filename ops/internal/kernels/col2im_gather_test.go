package kernels

import (
	"fmt"
	"math"
	"math/rand"
	"testing"
)

// gatherRead marks the elements of src that gatherTapsGo reads.
func gatherRead(n, w, ldTap, ldRow, ow, kw, pl, rows int) []bool {
	read := make([]bool, n)
	for r := 0; r < rows; r++ {
		for k := 0; k < kw; k++ {
			for j := max(0, pl-k); j < min(ow, w+pl-k); j++ {
				read[k*ldTap+r*ldRow+j] = true
			}
		}
	}
	return read
}

// TestGatherTaps checks the AVX-512 gather against gatherTapsGo on random
// geometries, bit for bit (any NaN for a NaN): x's rows lie between guards,
// gaps between rows too, that must keep their bits, and every element of
// src that the Go loop does not read (around the slice, between rows and
// taps) is a NaN that would show if read.
func TestGatherTaps(t *testing.T) {
	requireAVX512(t)
	rng := rand.New(rand.NewSource(1))
	const guard = 37
	guardBits := uint32(0x7fc0bead)
	poison := math.Float32frombits(0xffc0dead)
	value := func(special float64) float32 {
		if rng.Float64() < special {
			return math.Float32frombits(vecSpecials[rng.Intn(len(vecSpecials))])
		}
		switch rng.Intn(8) {
		case 0:
			return 0
		case 1:
			return float32(math.Copysign(0, -1))
		}
		return float32(rng.NormFloat64() * math.Pow(2, float64(rng.Intn(20)-10)))
	}
	for it := 0; it < 20000; it++ {
		kw := 1 + rng.Intn(11)
		pl := rng.Intn(13)
		w := 1 + rng.Intn(40)
		if rng.Intn(10) == 0 {
			w = 1 + rng.Intn(300)
		}
		ow := 1 + rng.Intn(w+kw)
		rows := rng.Intn(6)
		ldx := w + rng.Intn(4)*rng.Intn(3)
		ldRow := ow + rng.Intn(4)*rng.Intn(3)
		var ldTap int
		switch rng.Intn(3) {
		case 0: // taps one after the other, as col2im lays them out
			ldTap = rows * ldRow
		case 1: // gaps between taps
			ldTap = rows*ldRow + 1 + rng.Intn(20)
		default: // overlapping taps
			ldTap = rng.Intn(rows*ldRow + 1)
		}
		special := 0.0
		if rng.Intn(4) == 0 {
			special = 0.1
		}
		name := fmt.Sprintf("w %d ldx %d ow %d ldRow %d ldTap %d kw %d pl %d rows %d",
			w, ldx, ow, ldRow, ldTap, kw, pl, rows)

		// src: the slice ends a little past its last element read.
		span := 0
		for k := 0; k < kw; k++ {
			if lo, hi := max(0, pl-k), min(ow, w+pl-k); lo < hi && rows > 0 {
				span = max(span, k*ldTap+(rows-1)*ldRow+hi)
			}
		}
		span += rng.Intn(3)
		srcAll := make([]float32, guard+span+guard)
		read := gatherRead(len(srcAll)-guard, w, ldTap, ldRow, ow, kw, pl, rows)
		for i := range srcAll {
			srcAll[i] = poison
			if i >= guard && read[i-guard] {
				srcAll[i] = value(special)
			}
		}
		src := srcAll[guard : guard+span]

		nx := 0
		if rows > 0 {
			nx = (rows-1)*ldx + w
		}
		xAll := make([]float32, guard+nx+guard)
		for i := range xAll {
			xAll[i] = math.Float32frombits(guardBits)
		}
		inRow := func(i int) bool { return i >= 0 && i < nx && i%ldx < w }
		for i := 0; i < nx; i++ {
			if inRow(i) {
				xAll[guard+i] = value(special)
			}
		}
		want := append([]float32(nil), xAll...)
		gatherTapsGo(want[guard:guard+nx], ldx, w, src, ldTap, ldRow, ow, kw, pl, rows)
		gatherTaps(xAll[guard:guard+nx], ldx, w, src, ldTap, ldRow, ow, kw, pl, rows)
		for i, got := range xAll {
			g, e := math.Float32bits(got), math.Float32bits(want[i])
			if !inRow(i - guard) {
				if g != guardBits {
					t.Fatalf("%s: wrote %#x at %d outside the rows", name, g, i-guard)
				}
				continue
			}
			if g != e && !(got != got && want[i] != want[i]) {
				t.Fatalf("%s: x[%d] = %v (%#x), want %v (%#x)", name, i-guard, got, g, want[i], e)
			}
		}
	}
}

// TestGatherTapsBounds checks that gatherTaps panics on short slices where
// the Go loop does, and only there: x one short of its last row (within
// its capacity), src one short of its last element read.
func TestGatherTapsBounds(t *testing.T) {
	panics := func(f func()) (p bool) {
		defer func() { p = recover() != nil }()
		f()
		return false
	}
	for _, c := range []struct{ w, ldx, ow, ldRow, ldTap, kw, pl, rows int }{
		{14, 14, 10, 10, 100, 5, 0, 10},
		{14, 16, 10, 12, 100, 5, 4, 3},
		{5, 5, 20, 20, 40, 3, 2, 2},
		{30, 31, 8, 9, 9, 7, 6, 4},
		{3, 3, 3, 3, 0, 11, 12, 1},
	} {
		nx := (c.rows-1)*c.ldx + c.w
		read := -1
		for k := 0; k < c.kw; k++ {
			if lo, hi := max(0, c.pl-k), min(c.ow, c.w+c.pl-k); lo < hi {
				read = max(read, k*c.ldTap+(c.rows-1)*c.ldRow+hi-1)
			}
		}
		for _, dx := range []int{-1, 0} {
			for _, ds := range []int{-1, 0} {
				run := func(f func(x []float32, ldx, w int, src []float32, ldTap, ldRow, ow, kw, pl, rows int)) bool {
					x := make([]float32, nx+dx)
					src := make([]float32, read+1+ds)
					return panics(func() { f(x, c.ldx, c.w, src, c.ldTap, c.ldRow, c.ow, c.kw, c.pl, c.rows) })
				}
				if g, e := run(gatherTaps), run(gatherTapsGo); g != e || g != (dx < 0 || ds < 0 && read >= 0) {
					t.Errorf("%+v, x %+d, src %+d: gatherTaps panics %v, gatherTapsGo %v", c, dx, ds, g, e)
				}
			}
		}
	}
}

// BenchmarkGatherTaps times one kernel row of LeNet-5's second layer's
// col2im (14×14 input, 10×10 output, 5 taps), on the assembly and the Go
// loop.
func BenchmarkGatherTaps(b *testing.B) {
	const w, ow, kw, pl, rows = 14, 10, 5, 0, 10
	x := make([]float32, rows*w)
	src := make([]float32, kw*rows*ow)
	for i := range src {
		src[i] = float32(i%7) - 3
	}
	for _, impl := range []struct {
		name string
		f    func(x []float32, ldx, w int, src []float32, ldTap, ldRow, ow, kw, pl, rows int)
	}{{"asm", gatherTaps}, {"go", gatherTapsGo}} {
		b.Run(impl.name, func(b *testing.B) {
			if impl.name == "asm" {
				requireAVX512(b)
			}
			for i := 0; i < b.N; i++ {
				impl.f(x, w, w, src, rows*ow, ow, ow, kw, pl, rows)
			}
		})
	}
}
