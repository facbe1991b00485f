package kernels

import (
	"fmt"
	"math"
	"math/rand"
	"testing"
)

// The F(4×4, 3×3) plane transforms against their Go loops, as
// winograd_planes_test.go tests F(2×2, 3×3)'s (whose helpers these use).
// The transforms scale values by up to 361 (Aᵀ's rows sum to 19 in
// magnitude), so winoRand's values, below 2²¹, never overflow: infinities
// and NaNs come from the specials only.

// winoStreams4 is winoStreams for the 36 streams of F(4×4, 3×3).
func winoStreams4(n, ld int, f func() float32) (buf, s []float32) {
	if f == nil {
		return winoBuf(35*ld+n, winoGuard)
	}
	buf, s = winoBuf(35*ld+n, winoPoison)
	for xi := 0; xi < 36; xi++ {
		for t := 0; t < n; t++ {
			s[xi*ld+t] = f()
		}
	}
	return buf, s
}

// inStreams4 is inStreams for 36 streams.
func inStreams4(n, ld int) func(i int) bool {
	return func(i int) bool {
		i -= winoPad
		return i >= 0 && i < 35*ld+n && i%ld < n
	}
}

// inPlane tells the indices of a plane of n values in a winoBuf buffer.
func inPlane(n int) func(i int) bool {
	return func(i int) bool { return i >= winoPad && i < winoPad+n }
}

// wino4Tiles is the tiling of an output side n: ⌈n/4⌉.
func wino4Tiles(n int) int { return (n + 3) / 4 }

// checkInput4, checkOutput4 and checkGrad4 run a kernel (by its wrapper)
// and its Go loop on the same operands and compare the whole buffers.
func checkInput4(t *testing.T, x []float32, h, w, pt, pl, th, tw, ld int, tag string) {
	t.Helper()
	n := th * tw
	gotBuf, got := winoStreams4(n, ld, nil)
	wantBuf, want := winoStreams4(n, ld, nil)
	winoInputPlane4(x, h, w, pt, pl, th, tw, got, ld)
	winoInputPlane4Go(x, h, w, pt, pl, th, tw, want, ld)
	what := fmt.Sprintf("input4 h=%d w=%d pt=%d pl=%d th=%d tw=%d ld=%d %s", h, w, pt, pl, th, tw, ld, tag)
	winoMatch(t, what, gotBuf, wantBuf, inStreams4(n, ld))
}

func checkOutput4(t *testing.T, m []float32, ld, th, tw, oh, ow int, tag string) {
	t.Helper()
	gotBuf, got := winoBuf(oh*ow, winoGuard)
	wantBuf, want := winoBuf(oh*ow, winoGuard)
	winoOutputPlane4(m, ld, th, tw, got, oh, ow)
	winoOutputPlane4Go(m, ld, th, tw, want, oh, ow)
	what := fmt.Sprintf("output4 oh=%d ow=%d th=%d tw=%d ld=%d %s", oh, ow, th, tw, ld, tag)
	winoMatch(t, what, gotBuf, wantBuf, inPlane(oh*ow))
}

func checkGrad4(t *testing.T, dy []float32, oh, ow, th, tw, ld int, tag string) {
	t.Helper()
	n := th * tw
	gotBuf, got := winoStreams4(n, ld, nil)
	wantBuf, want := winoStreams4(n, ld, nil)
	winoGradPlane4(dy, oh, ow, th, tw, got, ld)
	winoGradPlane4Go(dy, oh, ow, th, tw, want, ld)
	what := fmt.Sprintf("grad4 oh=%d ow=%d th=%d tw=%d ld=%d %s", oh, ow, th, tw, ld, tag)
	winoMatch(t, what, gotBuf, wantBuf, inStreams4(n, ld))
}

// TestWinoInputPlane4 compares the input transform with the Go loop on
// every plane size of winoSizes (both sides large only for a few) and
// every top, left, bottom and right padding in [0, 2], the tiling the
// Winograd passes give them.
func TestWinoInputPlane4(t *testing.T) {
	requireWinoAsm(t)
	r := rand.New(rand.NewSource(41))
	cases := 0
	for _, h := range winoSizes() {
		for _, w := range winoSizes() {
			if h > 20 && w > 20 && (h != w || h > 40) && h != 35 {
				continue
			}
			specials := r.Intn(2) == 1
			x := winoPlane(r, h, w, specials)
			for pads := 0; pads < 81; pads++ {
				pt, pl, pb, pr := pads%3, pads/3%3, pads/9%3, pads/27
				oh, ow := h+pt+pb-2, w+pl+pr-2
				if oh < 1 || ow < 1 {
					continue
				}
				cases++
				th, tw := wino4Tiles(oh), wino4Tiles(ow)
				checkInput4(t, x, h, w, pt, pl, th, tw, winoLd(th*tw, cases), fmt.Sprintf("specials=%v", specials))
			}
		}
	}
	t.Logf("%d cases", cases)
}

// TestWinoOutputPlane4 compares the output transform with the Go loop on
// every output size oh × ow of winoSizes (both large only to 40), and
// checks that it writes every position of y.
func TestWinoOutputPlane4(t *testing.T) {
	requireWinoAsm(t)
	r := rand.New(rand.NewSource(42))
	cases := 0
	for _, oh := range winoSizes() {
		for _, ow := range winoSizes() {
			if oh > 40 && ow > 40 {
				continue
			}
			for _, specials := range []bool{false, true} {
				th, tw := wino4Tiles(oh), wino4Tiles(ow)
				n := th * tw
				ld := winoLd(n, cases)
				cases++
				_, m := winoStreams4(n, ld, func() float32 { return winoValue(r, specials) })
				tag := fmt.Sprintf("specials=%v", specials)
				checkOutput4(t, m, ld, th, tw, oh, ow, tag)
				y := make([]float32, oh*ow)
				for i := range y {
					y[i] = math.Float32frombits(winoGuard)
				}
				winoOutputPlane4(m, ld, th, tw, y, oh, ow)
				for i, v := range y {
					if math.Float32bits(v) == winoGuard {
						t.Fatalf("output4 oh=%d ow=%d %s: y[%d] not written", oh, ow, tag, i)
					}
				}
			}
		}
	}
	t.Logf("%d cases", cases)
}

// TestWinoGradPlane4 compares the gradient transform with the Go loop on
// every output size oh × ow of winoSizes (both large only to 40).
func TestWinoGradPlane4(t *testing.T) {
	requireWinoAsm(t)
	r := rand.New(rand.NewSource(43))
	cases := 0
	for _, oh := range winoSizes() {
		for _, ow := range winoSizes() {
			if oh > 40 && ow > 40 {
				continue
			}
			for _, specials := range []bool{false, true} {
				th, tw := wino4Tiles(oh), wino4Tiles(ow)
				ld := winoLd(th*tw, cases)
				cases++
				dy := winoPlane(r, oh, ow, specials)
				checkGrad4(t, dy, oh, ow, th, tw, ld, fmt.Sprintf("specials=%v", specials))
			}
		}
	}
	t.Logf("%d cases", cases)
}

// TestWinoPlanes4AnyTiles runs the transforms on tilings that do not fit
// the plane: tiles that stop short of its right or bottom edge or run past
// it (the input transform's by any amount, the others' by up to two tile
// rows and columns), with tw = 4 and 8 often.
func TestWinoPlanes4AnyTiles(t *testing.T) {
	requireWinoAsm(t)
	r := rand.New(rand.NewSource(44))
	tws := []int{1, 2, 3, 4, 4, 5, 7, 8, 8, 9, 15, 16, 17, 31, 32, 33}
	for i := 0; i < 2000; i++ {
		h, w := 1+r.Intn(70), 1+r.Intn(70)
		pt, pl := r.Intn(3), r.Intn(3)
		th, tw := 1+r.Intn(20), tws[r.Intn(len(tws))]
		specials := i%2 == 1
		tag := fmt.Sprintf("specials=%v", specials)
		x := winoPlane(r, h, w, specials)
		checkInput4(t, x, h, w, pt, pl, th, tw, winoLd(th*tw, i), tag)

		// The plane x as an output gradient dy, then as an output y.
		th = max(1, wino4Tiles(h)+r.Intn(5)-2)
		tw = max(1, wino4Tiles(w)+r.Intn(5)-2)
		if r.Intn(3) == 0 {
			tw = []int{4, 8}[r.Intn(2)]
		}
		n := th * tw
		ld := winoLd(n, i+1)
		checkGrad4(t, x, h, w, th, tw, ld, tag)
		_, m := winoStreams4(n, ld, func() float32 { return winoValue(r, specials) })
		checkOutput4(t, m, ld, th, tw, h, w, tag)
	}
}

// TestWinoPlanes4Specials runs the transforms on operands that are mostly
// special values (signed zeros, infinities, NaNs with payloads, the
// largest finite values, whose products by 4 and 8 and sums overflow) on
// each path: NaNs where the Go loops give NaNs, the same bits elsewhere.
func TestWinoPlanes4Specials(t *testing.T) {
	requireWinoAsm(t)
	r := rand.New(rand.NewSource(45))
	zeros := []float32{0, winoNegZero}
	val := func() float32 {
		switch k := r.Intn(8); {
		case k < 3:
			return math.Float32frombits(winoSpecials[r.Intn(len(winoSpecials))])
		case k < 5:
			return zeros[r.Intn(2)]
		case k < 6:
			// Large finite values: 4x and sums of them overflow.
			return math.Float32frombits(uint32(0x7e800000+r.Intn(0xffffff)) | uint32(r.Intn(2))<<31)
		default:
			return winoRand(r)
		}
	}
	for _, side := range []int{3, 5, 13, 14, 16, 29, 32, 45} {
		for rep := 0; rep < 20; rep++ {
			pt, pl := rep%3, rep/3%3
			x := make([]float32, side*side)
			for i := range x {
				x[i] = val()
			}
			oh := side + 2*pt - 2
			if oh < 1 {
				continue
			}
			th := wino4Tiles(oh)
			ld := winoLd(th*th, rep)
			checkInput4(t, x, side, side, pt, pl, th, th, ld, "specials")
			th = wino4Tiles(side)
			ld = winoLd(th*th, rep)
			checkGrad4(t, x, side, side, th, th, ld, "specials")
			_, m := winoStreams4(th*th, ld, val)
			checkOutput4(t, m, ld, th, th, side, side, "specials")
		}
	}
}

// TestWinoPlanes4Guards checks the markers themselves on a case of each
// kernel and each path (tw = 4, 8, other): the guards around the written
// regions are still there, and everything inside was written, so the
// whole-buffer comparisons above do test the bounds.
func TestWinoPlanes4Guards(t *testing.T) {
	requireWinoAsm(t)
	r := rand.New(rand.NewSource(46))
	f := func() float32 { return winoRand(r) }
	check := func(what string, buf []float32, inside func(i int) bool) {
		t.Helper()
		for i, v := range buf {
			if g := math.Float32bits(v) == winoGuard; g == inside(i) {
				t.Fatalf("%s: buffer index %d: guard %v, inside %v", what, i, g, inside(i))
			}
		}
	}
	for _, side := range []int{7, 13, 16, 29, 32, 33, 70} {
		th, tw := wino4Tiles(side), wino4Tiles(side)
		n := th * tw
		ld := n + 5
		x := winoPlane(r, side, side, false)
		vBuf, v := winoStreams4(n, ld, nil)
		winoInputPlane4(x, side, side, 1, 1, th, tw, v, ld)
		check(fmt.Sprintf("input4 side=%d", side), vBuf, inStreams4(n, ld))

		_, m := winoStreams4(n, ld, f)
		yBuf, y := winoBuf(side*side, winoGuard)
		winoOutputPlane4(m, ld, th, tw, y, side, side)
		check(fmt.Sprintf("output4 side=%d", side), yBuf, inPlane(side*side))

		oBuf, out := winoStreams4(n, ld, nil)
		winoGradPlane4(x, side, side, th, tw, out, ld)
		check(fmt.Sprintf("grad4 side=%d", side), oBuf, inStreams4(n, ld))
	}
}

// TestWinoPlanes4Args checks that the wrappers refuse what the kernels
// do not handle, on either path, and do nothing for no tiles.
func TestWinoPlanes4Args(t *testing.T) {
	x := make([]float32, 64)
	v := make([]float32, 36*4)
	panics := func(what string, f func()) {
		t.Helper()
		defer func() {
			if recover() == nil {
				t.Errorf("%s: no panic", what)
			}
		}()
		f()
	}
	for _, asm := range []bool{false, true} {
		saved := useWinoAsm
		useWinoAsm = asm && saved
		panics("pt=3", func() { winoInputPlane4(x, 8, 8, 3, 1, 2, 2, v, 4) })
		panics("pl=-1", func() { winoInputPlane4(x, 8, 8, 1, -1, 2, 2, v, 4) })
		panics("h=0", func() { winoInputPlane4(x, 0, 8, 1, 1, 2, 2, v, 4) })
		panics("ldv<n", func() { winoInputPlane4(x, 8, 8, 1, 1, 2, 2, v, 3) })
		panics("short v", func() { winoInputPlane4(x, 8, 8, 1, 1, 2, 2, v[:36*4-1], 4) })
		panics("short x", func() { winoInputPlane4(x[:63], 8, 8, 1, 1, 2, 2, v, 4) })
		panics("ldm<n", func() { winoOutputPlane4(v, 3, 2, 2, x, 8, 8) })
		panics("ow=-1", func() { winoOutputPlane4(v, 4, 2, 2, x, -1, -1) })
		panics("short y", func() { winoOutputPlane4(v, 4, 2, 2, x[:63], 8, 8) })
		panics("ldo<n", func() { winoGradPlane4(x, 8, 8, 2, 2, v, 3) })
		panics("short dy", func() { winoGradPlane4(x[:63], 8, 8, 2, 2, v, 4) })
		winoInputPlane4(nil, 8, 8, 1, 1, 0, 2, nil, 0)
		winoOutputPlane4(nil, 0, 2, 0, nil, 8, 8)
		winoGradPlane4(nil, 8, 8, 0, 0, nil, 0)
		useWinoAsm = saved
	}
}

// BenchmarkWinoPlanes4 times each F(4×4, 3×3) plane transform on one plane
// of 32 × 32 and 16 × 16 (padding 1: 8 × 8 and 4 × 4 tiles, the two
// multi-row paths) and 13 × 13 (4 × 4 partial tiles), the assembly against
// the Go loops, with the planes and streams laid out as in
// BenchmarkWinoPlanes. The values are winoRand's normal ones: products
// (VMULPS, MULSS) with subnormal operands take a slow path on some
// machines (on the AMD EPYC measured, a tenth of them subnormal doubles
// the input transform's time, which multiplies its inputs by 4 directly).
func BenchmarkWinoPlanes4(b *testing.B) {
	for _, side := range []int{32, 16, 13} {
		r := rand.New(rand.NewSource(47))
		th, tw := wino4Tiles(side), wino4Tiles(side)
		n := th * tw
		ld := colStride(n)
		plane := side * side
		fill := func(s []float32) []float32 {
			for i := range s {
				s[i] = winoRand(r)
				for math.Abs(float64(s[i])) < 0x1p-126 && s[i] != 0 {
					s[i] = winoRand(r)
				}
			}
			return s
		}
		x := fill(make([]float32, 1<<14))[plane : 2*plane]
		y := fill(make([]float32, 1<<14))[plane : 2*plane]
		streams := fill(make([]float32, 36*ld))
		for _, impl := range []string{"asm", "go"} {
			run := func(name string, f func()) {
				b.Run(fmt.Sprintf("%s/%dx%d/%s", name, side, side, impl), func(b *testing.B) {
					if impl == "asm" {
						requireWinoAsm(b)
					} else {
						saved := useWinoAsm
						useWinoAsm = false
						b.Cleanup(func() { useWinoAsm = saved })
					}
					for b.Loop() {
						f()
					}
				})
			}
			run("input", func() { winoInputPlane4(x, side, side, 1, 1, th, tw, streams, ld) })
			run("output", func() { winoOutputPlane4(streams, ld, th, tw, y, side, side) })
			run("grad", func() { winoGradPlane4(y, side, side, th, tw, streams, ld) })
		}
	}
}
