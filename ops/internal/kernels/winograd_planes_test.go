package kernels

import (
	"fmt"
	"math"
	"math/rand"
	"os"
	"testing"
)

// KERNELS_NOAVX512=1 sends the Winograd plane transforms to the Go loops
// too.
func init() {
	if os.Getenv("KERNELS_NOAVX512") != "" {
		useWinoAsm = false
	}
}

// requireWinoAsm skips where the plane transforms have no assembly (or it
// is forced off), and sets useWinoAsm for the test so that the dispatching
// wrappers run the kernels.
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

// winoStreams is a buffer for 16 streams ld apart of n values each; with f,
// the streams' values are f's and everything else is poison, without it
// everything is guard. inStreams tells the streams' buffer indices.
func winoStreams(n, ld int, f func() float32) (buf, s []float32) {
	if f == nil {
		return winoBuf(15*ld+n, winoGuard)
	}
	buf, s = winoBuf(15*ld+n, winoPoison)
	for xi := 0; xi < 16; xi++ {
		for t := 0; t < n; t++ {
			s[xi*ld+t] = f()
		}
	}
	return buf, s
}

func inStreams(n, ld int) func(i int) bool {
	return func(i int) bool {
		i -= winoPad
		return i >= 0 && i < 15*ld+n && i%ld < n
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

// TestWinoInputPlane compares the input transform with the Go loop on
// every plane size of winoSizes (both sides large only for a few) and
// every top, left, bottom and right padding in [0, 2], the tiling the
// Winograd passes give them.
func TestWinoInputPlane(t *testing.T) {
	requireWinoAsm(t)
	r := rand.New(rand.NewSource(1))
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
				th, tw := (oh+1)/2, (ow+1)/2
				n := th * tw
				ld := winoLd(n, cases)
				gotBuf, got := winoStreams(n, ld, nil)
				wantBuf, want := winoStreams(n, ld, nil)
				winoInputPlane(x, h, w, pt, pl, th, tw, got, ld)
				winoInputPlaneGo(x, h, w, pt, pl, th, tw, want, ld)
				what := fmt.Sprintf("input h=%d w=%d pt=%d pl=%d th=%d tw=%d ld=%d specials=%v",
					h, w, pt, pl, th, tw, ld, specials)
				winoMatch(t, what, gotBuf, wantBuf, inStreams(n, ld))
			}
		}
	}
	t.Logf("%d cases", cases)
}

// TestWinoPlanesAnyTiles runs the transforms on tilings that do not fit
// the plane: tiles that stop short of its right or bottom edge or run past
// it (the input transform's by any amount, the others' by up to two tile
// rows and columns).
func TestWinoPlanesAnyTiles(t *testing.T) {
	requireWinoAsm(t)
	r := rand.New(rand.NewSource(2))
	tws := []int{1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33}
	for i := 0; i < 3000; i++ {
		h, w := 1+r.Intn(40), 1+r.Intn(40)
		pt, pl := r.Intn(3), r.Intn(3)
		th, tw := 1+r.Intn(24), tws[r.Intn(len(tws))]
		specials := i%2 == 1
		x := winoPlane(r, h, w, specials)
		n := th * tw
		ld := winoLd(n, i)
		gotBuf, got := winoStreams(n, ld, nil)
		wantBuf, want := winoStreams(n, ld, nil)
		winoInputPlane(x, h, w, pt, pl, th, tw, got, ld)
		winoInputPlaneGo(x, h, w, pt, pl, th, tw, want, ld)
		what := fmt.Sprintf("input h=%d w=%d pt=%d pl=%d th=%d tw=%d ld=%d specials=%v",
			h, w, pt, pl, th, tw, ld, specials)
		winoMatch(t, what, gotBuf, wantBuf, inStreams(n, ld))

		// The plane x as an output gradient dy, then as an output y.
		th = max(1, (h+1)/2+r.Intn(5)-2)
		tw = max(1, (w+1)/2+r.Intn(5)-2)
		if r.Intn(3) == 0 {
			tw = []int{4, 8}[r.Intn(2)]
		}
		n = th * tw
		ld = winoLd(n, i+1)
		gotBuf, got = winoStreams(n, ld, nil)
		wantBuf, want = winoStreams(n, ld, nil)
		winoGradPlane(x, h, w, th, tw, got, ld)
		winoGradPlaneGo(x, h, w, th, tw, want, ld)
		what = fmt.Sprintf("grad oh=%d ow=%d th=%d tw=%d ld=%d specials=%v", h, w, th, tw, ld, specials)
		winoMatch(t, what, gotBuf, wantBuf, inStreams(n, ld))

		_, m := winoStreams(n, ld, func() float32 { return winoValue(r, specials) })
		gotBuf, got = winoBuf(h*w, winoGuard)
		wantBuf, want = winoBuf(h*w, winoGuard)
		winoOutputPlane(m, ld, th, tw, got, h, w)
		winoOutputPlaneGo(m, ld, th, tw, want, h, w)
		what = fmt.Sprintf("output oh=%d ow=%d th=%d tw=%d ld=%d specials=%v", h, w, th, tw, ld, specials)
		winoMatch(t, what, gotBuf, wantBuf, func(i int) bool { return i >= winoPad && i < winoPad+h*w })
	}
}

// TestWinoOutputPlane compares the output transform with the Go loop on
// every output size oh × ow of winoSizes (both large only to 40).
func TestWinoOutputPlane(t *testing.T) {
	requireWinoAsm(t)
	r := rand.New(rand.NewSource(3))
	cases := 0
	for _, oh := range winoSizes() {
		for _, ow := range winoSizes() {
			if oh > 40 && ow > 40 {
				continue
			}
			for _, specials := range []bool{false, true} {
				th, tw := (oh+1)/2, (ow+1)/2
				n := th * tw
				ld := winoLd(n, cases)
				cases++
				_, m := winoStreams(n, ld, func() float32 { return winoValue(r, specials) })
				gotBuf, got := winoBuf(oh*ow, winoGuard)
				wantBuf, want := winoBuf(oh*ow, winoGuard)
				winoOutputPlane(m, ld, th, tw, got, oh, ow)
				winoOutputPlaneGo(m, ld, th, tw, want, oh, ow)
				what := fmt.Sprintf("output oh=%d ow=%d ld=%d specials=%v", oh, ow, ld, specials)
				winoMatch(t, what, gotBuf, wantBuf, func(i int) bool { return i >= winoPad && i < winoPad+oh*ow })
				// Every position of y is some tile's: all written.
				for i, v := range got {
					if math.Float32bits(v) == winoGuard {
						t.Fatalf("%s: y[%d] not written", what, i)
					}
				}
			}
		}
	}
	t.Logf("%d cases", cases)
}

// TestWinoGradPlane compares the gradient transform with the Go loop on
// every output size oh × ow of winoSizes (both large only to 40).
func TestWinoGradPlane(t *testing.T) {
	requireWinoAsm(t)
	r := rand.New(rand.NewSource(4))
	cases := 0
	for _, oh := range winoSizes() {
		for _, ow := range winoSizes() {
			if oh > 40 && ow > 40 {
				continue
			}
			for _, specials := range []bool{false, true} {
				th, tw := (oh+1)/2, (ow+1)/2
				n := th * tw
				ld := winoLd(n, cases)
				cases++
				dy := winoPlane(r, oh, ow, specials)
				gotBuf, got := winoStreams(n, ld, nil)
				wantBuf, want := winoStreams(n, ld, nil)
				winoGradPlane(dy, oh, ow, th, tw, got, ld)
				winoGradPlaneGo(dy, oh, ow, th, tw, want, ld)
				what := fmt.Sprintf("grad oh=%d ow=%d ld=%d specials=%v", oh, ow, ld, specials)
				winoMatch(t, what, gotBuf, wantBuf, inStreams(n, ld))
			}
		}
	}
	t.Logf("%d cases", cases)
}

// TestWinoPlanesGuards checks the markers themselves on a case of each
// kernel and each path (tw = 4, 8, other): the guards around the written
// regions are still there, and everything inside was written, so the
// whole-buffer comparisons above do test the bounds.
func TestWinoPlanesGuards(t *testing.T) {
	requireWinoAsm(t)
	r := rand.New(rand.NewSource(5))
	f := func() float32 { return winoRand(r) }
	check := func(what string, buf []float32, inside func(i int) bool) {
		t.Helper()
		for i, v := range buf {
			if g := math.Float32bits(v) == winoGuard; g == inside(i) {
				t.Fatalf("%s: buffer index %d: guard %v, inside %v", what, i, g, inside(i))
			}
		}
	}
	for _, side := range []int{7, 8, 15, 16, 33} {
		th, tw := (side+1)/2, (side+1)/2
		n := th * tw
		ld := n + 5
		x := winoPlane(r, side, side, false)
		vBuf, v := winoStreams(n, ld, nil)
		winoInputPlane(x, side, side, 1, 1, th, tw, v, ld)
		check(fmt.Sprintf("input side=%d", side), vBuf, inStreams(n, ld))

		_, m := winoStreams(n, ld, f)
		yBuf, y := winoBuf(side*side, winoGuard)
		winoOutputPlane(m, ld, th, tw, y, side, side)
		check(fmt.Sprintf("output side=%d", side), yBuf, func(i int) bool { return i >= winoPad && i < winoPad+side*side })

		oBuf, out := winoStreams(n, ld, nil)
		winoGradPlane(x, side, side, th, tw, out, ld)
		check(fmt.Sprintf("grad side=%d", side), oBuf, inStreams(n, ld))
	}
}

// BenchmarkWinoPlanes times each plane transform on one plane of the
// ResNet-20 (CIFAR) shapes, 32 × 32, 16 × 16 and 8 × 8 with padding 1, the
// assembly against the Go loops. The streams are a channel's, as the
// Winograd passes lay them out for one image (stride colStride(tiles)); the
// planes are the second of a tensor's, as aligned as there (a 64 KiB
// allocation starts a page). A plane next to memory never touched would
// cost the assembly a microcode assist a call, and one placed so that its
// rows' vectors cross pages some 20 cycles a vector that does.
func BenchmarkWinoPlanes(b *testing.B) {
	for _, side := range []int{32, 16, 8} {
		r := rand.New(rand.NewSource(6))
		th, tw := side/2, side/2
		n := th * tw
		ld := colStride(n)
		plane := side * side
		fill := func(s []float32) []float32 {
			for i := range s {
				s[i] = winoRand(r)
			}
			return s
		}
		x := fill(make([]float32, 1<<14))[plane : 2*plane]
		y := fill(make([]float32, 1<<14))[plane : 2*plane]
		streams := fill(make([]float32, 16*ld))
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
			run("input", func() { winoInputPlane(x, side, side, 1, 1, th, tw, streams, ld) })
			run("output", func() { winoOutputPlane(streams, ld, th, tw, y, side, side) })
			run("grad", func() { winoGradPlane(y, side, side, th, tw, streams, ld) })
		}
	}
}
