package kernels

import (
	"fmt"
	"math"
	"math/rand"
	"testing"
)

// requireWinoAsm skips where the plane transforms have no assembly (or it
// is forced off: KERNELS_NOAVX512=1 sends them to the Go loops too, by
// vec_test.go's init), and sets useWinoAsm for the test so that the
// dispatching wrappers run the kernels.
func requireWinoAsm(t testing.TB) {
	t.Helper()
	if !useWinoAsm {
		t.Skip("no AVX-512 on this CPU (or forced off): only the Go loops run")
	}
	saved := useWinoAsm
	useWinoAsm = true
	t.Cleanup(func() { useWinoAsm = saved })
}

// Marker payloads: winoGuard fills what a kernel must neither write nor (in
// output buffers) leave changed; winoPoison fills what it must not read, a
// NaN that would spread to the results if it were used.
const (
	winoGuard  = 0x7fa5a5a5 // signalling NaN
	winoPoison = 0xffc0dead // quiet NaN
	winoPad    = 37         // guard floats either side of a buffer
)

var winoNegZero = float32(math.Copysign(0, -1))

// winoSmall are values whose sums and differences cancel exactly, so that
// signed zeros come out of the transforms.
var winoSmall = []float32{0, winoNegZero, 1, -1, 0.5, -0.5, 2, -2, 3, -3}

// winoRand is a value that no sum of the transforms rounds to an infinity:
// an exact small value, a subnormal, or a random float of moderate exponent.
func winoRand(r *rand.Rand) float32 {
	switch k := r.Intn(10); {
	case k < 3:
		return winoSmall[r.Intn(len(winoSmall))]
	case k < 4:
		return math.Float32frombits(uint32(r.Intn(1<<23)) | uint32(r.Intn(2))<<31)
	default:
		bits := uint32(r.Intn(1<<23)) | uint32(127-20+r.Intn(41))<<23 | uint32(r.Intn(2))<<31
		return math.Float32frombits(bits)
	}
}

// winoSpecials adds infinities, NaNs with payloads (quiet and signalling)
// and the largest finite values (whose sums overflow) to winoRand.
var winoSpecials = []uint32{
	0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7fc12345, 0xffc54321,
	0x7f800001, 0xffa00005, 0x7f7fffff, 0xff7fffff,
}

func winoValue(r *rand.Rand, specials bool) float32 {
	if specials && r.Intn(6) == 0 {
		return math.Float32frombits(winoSpecials[r.Intn(len(winoSpecials))])
	}
	return winoRand(r)
}

// winoBuf is a buffer of winoPad + size + winoPad floats, all fill, and
// the slice of its size floats after the leading pad (capacity size, so
// that the wrappers' checks see the true length).
func winoBuf(size int, fill uint32) (buf, s []float32) {
	buf = make([]float32, winoPad+size+winoPad)
	for i := range buf {
		buf[i] = math.Float32frombits(fill)
	}
	return buf, buf[winoPad : winoPad+size : winoPad+size]
}

// winoMatch fails unless got and want (whole buffers, same layout) agree:
// where written (inside), the same bits or both NaN (which payload survives
// where two NaNs meet is not specified), but never the guard left in place
// of a result; elsewhere, the same bits.
func winoMatch(t *testing.T, what string, got, want []float32, inside func(i int) bool) {
	t.Helper()
	for i := range want {
		g, w := math.Float32bits(got[i]), math.Float32bits(want[i])
		if g == w {
			continue
		}
		if inside(i) && g != winoGuard && got[i] != got[i] && want[i] != want[i] {
			continue
		}
		where := "outside"
		if inside(i) {
			where = "inside"
		}
		t.Fatalf("%s: buffer index %d (%s the written region): got %#08x, want %#08x", what, i, where, g, w)
	}
}

// winoPlane is a poison-padded plane of rows × cols values.
func winoPlane(r *rand.Rand, rows, cols int, specials bool) []float32 {
	_, p := winoBuf(rows*cols, winoPoison)
	for i := range p {
		p[i] = winoValue(r, specials)
	}
	return p
}

// winoSizes are the plane sides the tests run: every size to 20, the
// ResNet ones (32, 16, 8) and a few odd ones (several blocks of 16 tiles,
// with and without a partial one).
func winoSizes() []int {
	var ns []int
	for n := 1; n <= 20; n++ {
		ns = append(ns, n)
	}
	return append(ns, 31, 32, 33, 34, 35, 63, 66)
}

// winoLd is the streams' stride for case k of n tiles: n, odd ones, even
// ones.
func winoLd(n, k int) int {
	return n + []int{0, 1, 3, 17, 6}[k%5]
}

// inPlane tells the indices of a plane of n values in a winoBuf buffer.
func inPlane(n int) func(i int) bool {
	return func(i int) bool { return i >= winoPad && i < winoPad+n }
}

// winoAlgo is one algorithm's plane transforms as the tests run them: tiles
// of m × m outputs, (m+2) × (m+2) inputs at stride m, whose transforms fill
// streams = (m+2)² streams; the sources of its tests' values, seed + k for
// the test's k; and the cases particular to it that the tests cover.
type winoAlgo struct {
	*winoPlanes
	m    int
	seed int64

	anyTiles   winoAnyTiles // TestWinoPlanesAnyTiles' draws
	pageSizes  []int        // TestWinoPlanesPageBounds' plane sides
	benchSides []int        // BenchmarkWinoPlanes' plane sides (padding 1)
}

// winoAnyTiles are iters planes of sides to side, with up to th tile rows
// and tws the tile columns drawn, for the input transform.
type winoAnyTiles struct {
	iters, side, th int
	tws             []int
}

// winoAlgos are F(2×2, 3×3) and F(4×4, 3×3). The latter's transforms scale
// values by up to 361 (Aᵀ's rows sum to 19 in magnitude), so winoRand's
// values, below 2²¹, overflow in neither: infinities and NaNs come from the
// specials only.
var winoAlgos = []*winoAlgo{
	{
		winoPlanes: wino2Planes, m: 2, seed: 0,
		anyTiles:   winoAnyTiles{3000, 40, 24, []int{1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33}},
		pageSizes:  []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 15, 16, 17, 18, 31, 32, 33, 34},
		benchSides: []int{32, 16, 8}, // ResNet-20 (CIFAR)'s
	},
	{
		winoPlanes: wino4Planes, m: 4, seed: 40,
		// tw = 4 and 8, the multi-row paths, often.
		anyTiles:  winoAnyTiles{2000, 70, 20, []int{1, 2, 3, 4, 4, 5, 7, 8, 8, 9, 15, 16, 17, 31, 32, 33}},
		pageSizes: []int{1, 2, 3, 4, 5, 6, 7, 9, 13, 14, 15, 16, 17, 18, 29, 30, 31, 32, 33, 34, 63, 66, 67},
		// 8 × 8 and 4 × 4 tiles (the two multi-row paths), and 4 × 4
		// partial ones.
		benchSides: []int{32, 16, 13},
	},
}

// forWinoAlgos runs f as a subtest for each algorithm (F2, F4), with the
// source of values seed + k.
func forWinoAlgos(t *testing.T, k int64, f func(t *testing.T, a *winoAlgo, r *rand.Rand)) {
	t.Helper()
	for _, a := range winoAlgos {
		t.Run(fmt.Sprintf("F%d", a.m), func(t *testing.T) {
			if a.streams != (a.m+2)*(a.m+2) {
				t.Fatalf("%s: %d streams for tiles of %d", a.name, a.streams, a.m)
			}
			f(t, a, rand.New(rand.NewSource(a.seed+k)))
		})
	}
}

// tiles is the tiling of an output side n: ⌈n/m⌉.
func (a *winoAlgo) tiles(n int) int { return (n + a.m - 1) / a.m }

// span is the length of the streams ld apart of n values each.
func (a *winoAlgo) span(n, ld int) int { return (a.streams-1)*ld + n }

// buffer is a winoBuf for the streams ld apart of n values each; with f,
// the streams' values are f's and everything else is poison, without it
// everything is guard. inStreams tells the streams' buffer indices.
func (a *winoAlgo) buffer(n, ld int, f func() float32) (buf, s []float32) {
	if f == nil {
		return winoBuf(a.span(n, ld), winoGuard)
	}
	buf, s = winoBuf(a.span(n, ld), winoPoison)
	for xi := 0; xi < a.streams; xi++ {
		for t := 0; t < n; t++ {
			s[xi*ld+t] = f()
		}
	}
	return buf, s
}

func (a *winoAlgo) inStreams(n, ld int) func(i int) bool {
	return func(i int) bool {
		i -= winoPad
		return i >= 0 && i < a.span(n, ld) && i%ld < n
	}
}

// checkInput, checkOutput and checkGrad run a transform (by its wrapper)
// and its Go loop on the same operands and compare the whole buffers;
// checkOutput returns the wrapper's y.
func (a *winoAlgo) checkInput(t *testing.T, x []float32, h, w, pt, pl, th, tw, ld int, tag string) {
	t.Helper()
	n := th * tw
	gotBuf, got := a.buffer(n, ld, nil)
	wantBuf, want := a.buffer(n, ld, nil)
	a.input(x, h, w, pt, pl, th, tw, got, ld)
	a.inputGo(x, h, w, pt, pl, th, tw, want, ld)
	what := fmt.Sprintf("input h=%d w=%d pt=%d pl=%d th=%d tw=%d ld=%d %s", h, w, pt, pl, th, tw, ld, tag)
	winoMatch(t, what, gotBuf, wantBuf, a.inStreams(n, ld))
}

func (a *winoAlgo) checkOutput(t *testing.T, m []float32, ld, th, tw, oh, ow int, tag string) []float32 {
	t.Helper()
	gotBuf, got := winoBuf(oh*ow, winoGuard)
	wantBuf, want := winoBuf(oh*ow, winoGuard)
	a.output(m, ld, th, tw, got, oh, ow)
	a.outputGo(m, ld, th, tw, want, oh, ow)
	what := fmt.Sprintf("output oh=%d ow=%d th=%d tw=%d ld=%d %s", oh, ow, th, tw, ld, tag)
	winoMatch(t, what, gotBuf, wantBuf, inPlane(oh*ow))
	return got
}

func (a *winoAlgo) checkGrad(t *testing.T, dy []float32, oh, ow, th, tw, ld int, tag string) {
	t.Helper()
	n := th * tw
	gotBuf, got := a.buffer(n, ld, nil)
	wantBuf, want := a.buffer(n, ld, nil)
	a.grad(dy, oh, ow, th, tw, got, ld)
	a.gradGo(dy, oh, ow, th, tw, want, ld)
	what := fmt.Sprintf("grad oh=%d ow=%d th=%d tw=%d ld=%d %s", oh, ow, th, tw, ld, tag)
	winoMatch(t, what, gotBuf, wantBuf, a.inStreams(n, ld))
}

// TestWinoInputPlane compares the input transform with the Go loop on
// every plane size of winoSizes (both sides large only for a few) and
// every top, left, bottom and right padding in [0, 2], the tiling the
// Winograd passes give them.
func TestWinoInputPlane(t *testing.T) {
	requireWinoAsm(t)
	forWinoAlgos(t, 1, func(t *testing.T, a *winoAlgo, r *rand.Rand) {
		cases := 0
		for _, h := range winoSizes() {
			for _, w := range winoSizes() {
				// Both sides large: the squares to 40 and h = 35 only.
				if h > 20 && w > 20 && (h != w || h > 40) && h != 35 {
					continue
				}
				specials := r.Intn(2) == 1
				x := winoPlane(r, h, w, specials)
				// Every top, left, bottom and right pad in [0, 2].
				for pads := 0; pads < 81; pads++ {
					pt, pl, pb, pr := pads%3, pads/3%3, pads/9%3, pads/27
					oh, ow := h+pt+pb-2, w+pl+pr-2
					if oh < 1 || ow < 1 {
						continue
					}
					cases++
					th, tw := a.tiles(oh), a.tiles(ow)
					a.checkInput(t, x, h, w, pt, pl, th, tw, winoLd(th*tw, cases), fmt.Sprintf("specials=%v", specials))
				}
			}
		}
		t.Logf("%d cases", cases)
	})
}

// TestWinoOutputPlane compares the output transform with the Go loop on
// every output size oh × ow of winoSizes (both large only to 40), and
// checks that it writes every position of y.
func TestWinoOutputPlane(t *testing.T) {
	requireWinoAsm(t)
	forWinoAlgos(t, 3, func(t *testing.T, a *winoAlgo, r *rand.Rand) {
		a.forOutSizes(t, func(oh, ow, th, tw, k int, specials bool) {
			n := th * tw
			ld := winoLd(n, k)
			_, m := a.buffer(n, ld, func() float32 { return winoValue(r, specials) })
			tag := fmt.Sprintf("specials=%v", specials)
			y := a.checkOutput(t, m, ld, th, tw, oh, ow, tag)
			// Every position of y is some tile's: all written.
			for i, v := range y {
				if math.Float32bits(v) == winoGuard {
					t.Fatalf("output oh=%d ow=%d ld=%d %s: y[%d] not written", oh, ow, ld, tag, i)
				}
			}
		})
	})
}

// TestWinoGradPlane compares the gradient transform with the Go loop on
// every output size oh × ow of winoSizes (both large only to 40).
func TestWinoGradPlane(t *testing.T) {
	requireWinoAsm(t)
	forWinoAlgos(t, 4, func(t *testing.T, a *winoAlgo, r *rand.Rand) {
		a.forOutSizes(t, func(oh, ow, th, tw, k int, specials bool) {
			dy := winoPlane(r, oh, ow, specials)
			a.checkGrad(t, dy, oh, ow, th, tw, winoLd(th*tw, k), fmt.Sprintf("specials=%v", specials))
		})
	})
}

// forOutSizes calls f on every output size oh × ow of winoSizes (both
// large only to 40) and its tiling th × tw, without and with specials, as
// case k, and logs the count.
func (a *winoAlgo) forOutSizes(t *testing.T, f func(oh, ow, th, tw, k int, specials bool)) {
	cases := 0
	for _, oh := range winoSizes() {
		for _, ow := range winoSizes() {
			if oh > 40 && ow > 40 {
				continue
			}
			for _, specials := range []bool{false, true} {
				f(oh, ow, a.tiles(oh), a.tiles(ow), cases, specials)
				cases++
			}
		}
	}
	t.Logf("%d cases", cases)
}

// TestWinoPlanesAnyTiles runs the transforms on tilings that do not fit
// the plane: tiles that stop short of its right or bottom edge or run past
// it (the input transform's by any amount, the others' by up to two tile
// rows and columns, with tw = 4 and 8 often).
func TestWinoPlanesAnyTiles(t *testing.T) {
	requireWinoAsm(t)
	forWinoAlgos(t, 2, func(t *testing.T, a *winoAlgo, r *rand.Rand) {
		c := a.anyTiles
		for i := 0; i < c.iters; i++ {
			h, w := 1+r.Intn(c.side), 1+r.Intn(c.side)
			pt, pl := r.Intn(3), r.Intn(3)
			th, tw := 1+r.Intn(c.th), c.tws[r.Intn(len(c.tws))]
			specials := i%2 == 1
			tag := fmt.Sprintf("specials=%v", specials)
			x := winoPlane(r, h, w, specials)
			a.checkInput(t, x, h, w, pt, pl, th, tw, winoLd(th*tw, i), tag)

			// The plane x as an output gradient dy, then as an output y.
			th = max(1, a.tiles(h)+r.Intn(5)-2)
			tw = max(1, a.tiles(w)+r.Intn(5)-2)
			if r.Intn(3) == 0 {
				tw = []int{4, 8}[r.Intn(2)]
			}
			n := th * tw
			ld := winoLd(n, i+1)
			a.checkGrad(t, x, h, w, th, tw, ld, tag)
			_, m := a.buffer(n, ld, func() float32 { return winoValue(r, specials) })
			a.checkOutput(t, m, ld, th, tw, h, w, tag)
		}
	})
}

// TestWinoPlanesSpecials runs the transforms on operands that are mostly
// special values (signed zeros, infinities, NaNs with payloads, the
// largest finite values, whose products by 4 and 8 and sums overflow) on
// each path: NaNs where the Go loops give NaNs, the same bits elsewhere.
func TestWinoPlanesSpecials(t *testing.T) {
	requireWinoAsm(t)
	forWinoAlgos(t, 8, func(t *testing.T, a *winoAlgo, r *rand.Rand) {
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
				th := a.tiles(oh)
				ld := winoLd(th*th, rep)
				a.checkInput(t, x, side, side, pt, pl, th, th, ld, "specials")
				th = a.tiles(side)
				ld = winoLd(th*th, rep)
				a.checkGrad(t, x, side, side, th, th, ld, "specials")
				_, m := a.buffer(th*th, ld, val)
				a.checkOutput(t, m, ld, th, th, side, side, "specials")
			}
		}
	})
}

// TestWinoPlanesGuards checks the markers themselves on a case of each
// transform and each path (tw = 4, 8, other, for tiles of 2 and of 4): the
// guards around the written regions are still there, and everything inside
// was written, so the whole-buffer comparisons above do test the bounds.
func TestWinoPlanesGuards(t *testing.T) {
	requireWinoAsm(t)
	forWinoAlgos(t, 5, func(t *testing.T, a *winoAlgo, r *rand.Rand) {
		f := func() float32 { return winoRand(r) }
		check := func(what string, buf []float32, inside func(i int) bool) {
			t.Helper()
			for i, v := range buf {
				if g := math.Float32bits(v) == winoGuard; g == inside(i) {
					t.Fatalf("%s: buffer index %d: guard %v, inside %v", what, i, g, inside(i))
				}
			}
		}
		for _, side := range []int{7, 8, 13, 15, 16, 29, 32, 33, 70} {
			th, tw := a.tiles(side), a.tiles(side)
			n := th * tw
			ld := n + 5
			x := winoPlane(r, side, side, false)
			vBuf, v := a.buffer(n, ld, nil)
			a.input(x, side, side, 1, 1, th, tw, v, ld)
			check(fmt.Sprintf("input side=%d", side), vBuf, a.inStreams(n, ld))

			_, m := a.buffer(n, ld, f)
			yBuf, y := winoBuf(side*side, winoGuard)
			a.output(m, ld, th, tw, y, side, side)
			check(fmt.Sprintf("output side=%d", side), yBuf, inPlane(side*side))

			oBuf, out := a.buffer(n, ld, nil)
			a.grad(x, side, side, th, tw, out, ld)
			check(fmt.Sprintf("grad side=%d", side), oBuf, a.inStreams(n, ld))
		}
	})
}

// TestWinoPlanesArgs checks that the wrappers refuse what the kernels do
// not handle, on either path, and do nothing for no tiles. The plane is
// 8 × 8 and its tiles cover it exactly, so that the Go loops reach its
// last value and the streams' last too.
func TestWinoPlanesArgs(t *testing.T) {
	forWinoAlgos(t, 0, func(t *testing.T, a *winoAlgo, _ *rand.Rand) {
		k := 8 / a.m
		n := k * k
		x := make([]float32, 64)
		v := make([]float32, a.streams*n)
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
			panics("pt=3", func() { a.input(x, 8, 8, 3, 1, k, k, v, n) })
			panics("pl=-1", func() { a.input(x, 8, 8, 1, -1, k, k, v, n) })
			panics("h=0", func() { a.input(x, 0, 8, 1, 1, k, k, v, n) })
			panics("ldv<n", func() { a.input(x, 8, 8, 1, 1, k, k, v, n-1) })
			panics("short v", func() { a.input(x, 8, 8, 1, 1, k, k, v[:len(v)-1], n) })
			panics("short x", func() { a.input(x[:63], 8, 8, 1, 1, k, k, v, n) })
			panics("ldm<n", func() { a.output(v, n-1, k, k, x, 8, 8) })
			panics("ow=-1", func() { a.output(v, n, k, k, x, -1, -1) })
			panics("short y", func() { a.output(v, n, k, k, x[:63], 8, 8) })
			panics("ldo<n", func() { a.grad(x, 8, 8, k, k, v, n-1) })
			panics("short dy", func() { a.grad(x[:63], 8, 8, k, k, v, n) })
			a.input(nil, 8, 8, 1, 1, 0, k, nil, 0)
			a.output(nil, 0, k, 0, nil, 8, 8)
			a.grad(nil, 8, 8, 0, 0, nil, 0)
			useWinoAsm = saved
		}
	})
}

// BenchmarkWinoPlanes times each plane transform on one plane of each of
// the algorithm's benchSides with padding 1, the assembly against the Go
// loops. The streams are a channel's, as the Winograd passes lay them out
// for one image (stride colStride(tiles)); the planes are the second of a
// tensor's, as aligned as there (a 64 KiB allocation starts a page). A
// plane next to memory never touched would cost the assembly a microcode
// assist a call, and one placed so that its rows' vectors cross pages some
// 20 cycles a vector that does. The values are winoRand's normal ones:
// products (VMULPS, MULSS) with subnormal operands take a slow path on some
// machines (on the AMD EPYC measured, a tenth of them subnormal doubles
// F(4×4, 3×3)'s input transform's time, which multiplies its inputs by 4
// directly).
func BenchmarkWinoPlanes(b *testing.B) {
	for _, a := range winoAlgos {
		for _, side := range a.benchSides {
			r := rand.New(rand.NewSource(a.seed + 6))
			th, tw := a.tiles(side), a.tiles(side)
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
			streams := fill(make([]float32, a.streams*ld))
			for _, impl := range []string{"asm", "go"} {
				run := func(name string, f func()) {
					b.Run(fmt.Sprintf("F%d/%s/%dx%d/%s", a.m, name, side, side, impl), func(b *testing.B) {
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
				run("input", func() { a.input(x, side, side, 1, 1, th, tw, streams, ld) })
				run("output", func() { a.output(streams, ld, th, tw, y, side, side) })
				run("grad", func() { a.grad(y, side, side, th, tw, streams, ld) })
			}
		}
	}
}
