package ops_test

import (
	"fmt"
	"math"
	"math/rand"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/graph"
	"github.com/convgraph/convgraph/graph/gradcheck"
	"github.com/convgraph/convgraph/ops"
)

// poolCases are the geometries every pooling op is gradient-checked on:
// nothing square, batch 2 and 3 channels throughout.
var poolCases = []struct {
	name string
	x    tensor.Shape
	p    ops.Pool2D
}{
	{"unequal", tensor.Shape{2, 3, 7, 6}, ops.Pool2D{KH: 3, KW: 2, SH: 2, SW: 1}},
	{"asymmetric-pad", tensor.Shape{2, 3, 6, 5}, ops.Pool2D{KH: 3, KW: 2, SH: 2, SW: 3, PadTop: 2, PadRight: 1}},
	{"overlap-3x3/2", tensor.Shape{2, 3, 9, 7}, ops.Pool2D{KH: 3, KW: 3, SH: 2, SW: 2}},
	{"overlap-padded", tensor.Shape{2, 3, 8, 7}, ops.Pool2D{KH: 3, KW: 3, SH: 2, SW: 2}.WithPad(1, 1)},
	{"stride>kernel", tensor.Shape{2, 3, 7, 8}, ops.Pool2D{KH: 2, KW: 2, SH: 3, SW: 3}}, // some x in no window
	{"default-stride", tensor.Shape{2, 3, 4, 9}, ops.Pool2D{KH: 2, KW: 3}},
}

func TestPool2DOutShape(t *testing.T) {
	for _, c := range []struct {
		name   string
		in     tensor.Shape
		p      ops.Pool2D
		h, w   int
		remark string
	}{
		{"lenet", tensor.Shape{64, 6, 28, 28}, ops.Pool2D{KH: 2, KW: 2}, 14, 14, "stride 0 = kernel"},
		{"alexnet pool1", tensor.Shape{16, 96, 55, 55}, ops.Pool2D{KH: 3, KW: 3, SH: 2, SW: 2}, 27, 27, ""},
		{"alexnet pool2", tensor.Shape{16, 256, 27, 27}, ops.Pool2D{KH: 3, KW: 3, SH: 2, SW: 2}, 13, 13, ""},
		{"alexnet pool3", tensor.Shape{16, 256, 13, 13}, ops.Pool2D{KH: 3, KW: 3, SH: 2, SW: 2}, 6, 6, ""},
		{"resnet stem", tensor.Shape{8, 64, 112, 112}, ops.Pool2D{KH: 3, KW: 3, SH: 2, SW: 2}.WithPad(1, 1), 56, 56, ""},
		{"asymmetric", tensor.Shape{2, 3, 6, 5}, ops.Pool2D{KH: 3, KW: 2, SH: 2, SW: 3, PadTop: 2, PadRight: 1}, 3, 2, ""},
		{"floor", tensor.Shape{1, 1, 5, 7}, ops.Pool2D{KH: 2, KW: 2}, 2, 3, "partial windows dropped"},
	} {
		got, err := c.p.OutShape(c.in)
		must(t, err)
		if want := (tensor.Shape{c.in[0], c.in[1], c.h, c.w}); !got.Eq(want) {
			t.Errorf("%s: %v pools %v to %v, want %v %s", c.name, c.p, c.in, got, want, c.remark)
		}
	}
}

func TestPool2DString(t *testing.T) {
	p := ops.Pool2D{KH: 3, KW: 2, SH: 2, SW: 1, PadTop: 2, PadBottom: 0, PadLeft: 1, PadRight: 0}
	if got, want := p.String(), "kernel 3x2, stride 2x1, pad top 2 bottom 0 left 1 right 0"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
	// Ops are hashed by String: a zero stride and the equal explicit one pool
	// alike and may merge; any other difference must show.
	if a, b := (ops.Pool2D{KH: 2, KW: 2}).String(), (ops.Pool2D{KH: 2, KW: 2, SH: 2, SW: 2}).String(); a != b {
		t.Errorf("stride 0 prints %q, explicit stride prints %q", a, b)
	}
	seen := map[string]string{}
	base := ops.Pool2D{KH: 3, KW: 3, SH: 2, SW: 2, PadTop: 1, PadBottom: 1, PadLeft: 1, PadRight: 1}
	for name, q := range map[string]ops.Pool2D{
		"base": base, "KH": {KH: 4, KW: 3, SH: 2, SW: 2, PadTop: 1, PadBottom: 1, PadLeft: 1, PadRight: 1},
		"KW":     {KH: 3, KW: 4, SH: 2, SW: 2, PadTop: 1, PadBottom: 1, PadLeft: 1, PadRight: 1},
		"SH":     {KH: 3, KW: 3, SH: 1, SW: 2, PadTop: 1, PadBottom: 1, PadLeft: 1, PadRight: 1},
		"SW":     {KH: 3, KW: 3, SH: 2, SW: 1, PadTop: 1, PadBottom: 1, PadLeft: 1, PadRight: 1},
		"top":    {KH: 3, KW: 3, SH: 2, SW: 2, PadTop: 0, PadBottom: 1, PadLeft: 1, PadRight: 1},
		"bottom": {KH: 3, KW: 3, SH: 2, SW: 2, PadTop: 1, PadBottom: 0, PadLeft: 1, PadRight: 1},
		"left":   {KH: 3, KW: 3, SH: 2, SW: 2, PadTop: 1, PadBottom: 1, PadLeft: 0, PadRight: 1},
		"right":  {KH: 3, KW: 3, SH: 2, SW: 2, PadTop: 1, PadBottom: 1, PadLeft: 1, PadRight: 0},
	} {
		if other, ok := seen[q.String()]; ok {
			t.Errorf("%s and %s both print %q", name, other, q.String())
		}
		seen[q.String()] = name
	}
	if base != (ops.Pool2D{KH: 3, KW: 3, SH: 2, SW: 2}.WithPad(1, 1)) {
		t.Errorf("WithPad(1, 1) = %+v", ops.Pool2D{KH: 3, KW: 3, SH: 2, SW: 2}.WithPad(1, 1))
	}
}

// TestPool2DErrors checks that every pooling constructor refuses bad
// geometry at build time, naming itself and the input shape.
func TestPool2DErrors(t *testing.T) {
	ctors := map[string]func(*gorgonia.Node, ops.Pool2D) (*gorgonia.Node, error){
		"maxpool2d": ops.MaxPool2D,
		"avgpool2d": func(x *gorgonia.Node, p ops.Pool2D) (*gorgonia.Node, error) { return ops.AvgPool2D(x, p, false) },
	}
	for _, c := range []struct {
		name string
		x    tensor.Shape
		p    ops.Pool2D
		want []string
	}{
		{"rank 3", tensor.Shape{2, 3, 4}, ops.Pool2D{KH: 2, KW: 2}, []string{"(2, 3, 4)", "rank 3"}},
		{"rank 5", tensor.Shape{1, 2, 3, 4, 5}, ops.Pool2D{KH: 2, KW: 2}, []string{"(1, 2, 3, 4, 5)", "rank 5"}},
		{"window > input", tensor.Shape{1, 2, 3, 5}, ops.Pool2D{KH: 4, KW: 2}, []string{"(1, 2, 3, 5)", "padded to 3x5", "window 4x2"}},
		{"window > padded", tensor.Shape{1, 2, 5, 3}, ops.Pool2D{KH: 2, KW: 5, PadLeft: 1}, []string{"(1, 2, 5, 3)", "padded to 5x4", "window 2x5"}},
		{"kernel 0", tensor.Shape{1, 2, 5, 3}, ops.Pool2D{KH: 0, KW: 2}, []string{"(1, 2, 5, 3)", "kernel 0x2"}},
		{"stride -1", tensor.Shape{1, 2, 5, 3}, ops.Pool2D{KH: 2, KW: 2, SH: 1, SW: -1}, []string{"(1, 2, 5, 3)", "stride 1x-1"}},
		{"pad = kernel", tensor.Shape{1, 2, 5, 3}, ops.Pool2D{KH: 2, KW: 2, PadBottom: 2}, []string{"(1, 2, 5, 3)", "smaller than the kernel 2x2"}},
		{"pad < 0", tensor.Shape{1, 2, 5, 3}, ops.Pool2D{KH: 2, KW: 2, PadLeft: -1}, []string{"(1, 2, 5, 3)", "negative padding"}},
	} {
		for op, ctor := range ctors {
			g, err := graph.New(tensor.Float64)
			must(t, err)
			x, err := g.Input("x", c.x...)
			must(t, err)
			_, err = ctor(x, c.p)
			opsWantError(t, op+" "+c.name, err, append(c.want, op+"(kernel")...)
		}
		if _, err := c.p.OutShape(c.x); err == nil || !strings.Contains(err.Error(), "pool2d(kernel") {
			t.Errorf("OutShape %s: error %v, want one naming pool2d", c.name, err)
		}
	}
	for op, ctor := range ctors {
		if _, err := ctor(nil, ops.Pool2D{KH: 2, KW: 2}); err == nil || !strings.Contains(err.Error(), op) {
			t.Errorf("%s(nil): error %v, want one naming the op", op, err)
		}
	}
}

// TestPoolNaive compares every pooling op, forward and d sum(y)/dx, with
// poolNaive on random geometries, in float64 and float32.
func TestPoolNaive(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	for i := 0; i < 25; i++ {
		shape, p := poolRandomCase(rng)
		x := gradcheck.Random(shape, int64(i))
		for _, kind := range []string{"max", "avg", "avg-countpad"} {
			f := func(x *gorgonia.Node) (*gorgonia.Node, error) {
				if kind == "max" {
					return ops.MaxPool2D(x, p)
				}
				return ops.AvgPool2D(x, p, kind == "avg-countpad")
			}
			wantY, wantDx := poolNaive(kind, x, p)
			y, dx := forwardBackward(t, f, x)
			what := fmt.Sprintf("%s %v on %v", kind, p, shape)
			assertClose(t, what+": y", y, wantY, 1e-12)
			assertClose(t, what+": dx", dx, wantDx, 1e-12)
			y32, dx32 := forwardBackward(t, f, toFloat32(x))
			assertClose(t, what+": float32 y", y32, toFloat64(y), 1e-5)
			assertClose(t, what+": float32 dx", dx32, toFloat64(dx), 1e-5)
		}
	}
}

// poolRandomCase draws an input shape and a valid geometry for it: kernels
// 1-4, strides 0-4 (0: the kernel), paddings below the kernel.
func poolRandomCase(rng *rand.Rand) (tensor.Shape, ops.Pool2D) {
	p := ops.Pool2D{KH: 1 + rng.Intn(4), KW: 1 + rng.Intn(4), SH: rng.Intn(5), SW: rng.Intn(5)}
	p.PadTop, p.PadBottom = rng.Intn(p.KH), rng.Intn(p.KH)
	p.PadLeft, p.PadRight = rng.Intn(p.KW), rng.Intn(p.KW)
	h := max(1, p.KH-p.PadTop-p.PadBottom) + rng.Intn(6)
	w := max(1, p.KW-p.PadLeft-p.PadRight) + rng.Intn(6)
	return tensor.Shape{1 + rng.Intn(2), 1 + rng.Intn(3), h, w}, p
}

// poolNaive is the reference: it pads x explicitly (−∞ for max, 0 and not
// counted for avg, 0 and counted for avg-countpad), then walks every window
// of the padded image straight from the definition. It returns y and the
// gradient of sum(y): 1 at each window's first maximum (row-major), or
// 1/count at each input element of the window.
func poolNaive(kind string, x tensor.Tensor, p ops.Pool2D) (y, dx []float64) {
	s := x.Shape()
	n, c, h, w := s[0], s[1], s[2], s[3]
	sh, sw := p.SH, p.SW
	if sh == 0 {
		sh = p.KH
	}
	if sw == 0 {
		sw = p.KW
	}
	ph, pw := h+p.PadTop+p.PadBottom, w+p.PadLeft+p.PadRight
	oh, ow := (ph-p.KH)/sh+1, (pw-p.KW)/sw+1
	xs := x.Data().([]float64)
	dx = make([]float64, len(xs))
	// at returns the padded image's value at (i, j) of plane pl, and the flat
	// index in x (−1 in padding).
	at := func(pl, i, j int) (float64, int) {
		i, j = i-p.PadTop, j-p.PadLeft
		if i < 0 || i >= h || j < 0 || j >= w {
			if kind == "max" {
				return math.Inf(-1), -1
			}
			return 0, -1
		}
		k := (pl*h+i)*w + j
		return xs[k], k
	}
	for pl := 0; pl < n*c; pl++ {
		for oi := 0; oi < oh; oi++ {
			for oj := 0; oj < ow; oj++ {
				best, arg, sum, count := math.Inf(-1), -1, 0.0, 0
				var members []int
				for a := 0; a < p.KH; a++ {
					for b := 0; b < p.KW; b++ {
						v, k := at(pl, oi*sh+a, oj*sw+b)
						if v > best {
							best, arg = v, k
						}
						sum += v
						if k >= 0 || kind == "avg-countpad" {
							count++
						}
						if k >= 0 {
							members = append(members, k)
						}
					}
				}
				if kind == "max" {
					y = append(y, best)
					dx[arg]++
					continue
				}
				y = append(y, sum/float64(count))
				for _, k := range members {
					dx[k] += 1 / float64(count)
				}
			}
		}
	}
	return y, dx
}
