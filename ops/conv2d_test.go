package ops_test

import (
	"fmt"
	"math/rand"
	"runtime"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/graph"
	"github.com/convgraph/convgraph/graph/gradcheck"
	"github.com/convgraph/convgraph/ops"
)

type convCase struct {
	name string
	x, w tensor.Shape
	c    ops.Conv
}

// TestConv2DGrad checks the gradients of x, w and b against central
// differences. Sizes differ on every axis, so a swapped H/W or KH/KW shows.
func TestConv2DGrad(t *testing.T) {
	cases := []convCase{
		{"unequal", tensor.Shape{2, 3, 7, 6}, tensor.Shape{4, 3, 3, 2}, ops.Conv{StrideH: 2, StrideW: 1}},
		{"asymmetric_pad", tensor.Shape{1, 2, 5, 6}, tensor.Shape{3, 2, 3, 3}, ops.Conv{PadTop: 2, PadLeft: 1, PadRight: 3}},
		// (8 − 3)/2 + 1 = 3 rows: the last input row is in no window, its gradient is 0.
		{"stride2_dropped_row", tensor.Shape{1, 2, 8, 7}, tensor.Shape{3, 2, 3, 3}, ops.Conv{}.WithStride(2)},
		{"stride_beyond_kernel", tensor.Shape{1, 1, 7, 8}, tensor.Shape{2, 1, 2, 2}, ops.Conv{}.WithStride(3)},
		{"dilation2", tensor.Shape{1, 2, 7, 8}, tensor.Shape{2, 2, 3, 2}, ops.Conv{}.WithDilation(2).WithPad(1)},
		{"dilation_and_stride", tensor.Shape{1, 2, 9, 7}, tensor.Shape{2, 2, 2, 3}, ops.Conv{DilationH: 3, StrideW: 2, PadBottom: 1}},
		{"groups2", tensor.Shape{2, 4, 5, 6}, tensor.Shape{6, 2, 3, 3}, ops.Conv{Groups: 2}.WithPad(1)},
		{"depthwise", tensor.Shape{1, 3, 5, 4}, tensor.Shape{3, 1, 3, 3}, ops.Conv{Groups: 3}},
		{"1x1", tensor.Shape{2, 3, 4, 5}, tensor.Shape{4, 3, 1, 1}, ops.Conv{}},
		// The border outputs see only padding: y = b there.
		// A 1×1 stride-1 kernel, yet im2col is not the identity.
		{"1x1_pad_bottom_right", tensor.Shape{1, 2, 3, 4}, tensor.Shape{2, 2, 1, 1}, ops.Conv{PadBottom: 1, PadRight: 2}},
		{"1x1_padded_strided", tensor.Shape{1, 2, 5, 5}, tensor.Shape{3, 2, 1, 1}, ops.Conv{}.WithStride(2).WithPad(1)},
		{"one_input_channel", tensor.Shape{2, 1, 6, 5}, tensor.Shape{3, 1, 3, 3}, ops.Conv{}},
		{"kernel_fills_input", tensor.Shape{1, 2, 3, 4}, tensor.Shape{2, 2, 3, 4}, ops.Conv{}},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, bias := range []bool{true, false} {
				inputs := []tensor.Tensor{gradcheck.Random(c.x, int64(i)), gradcheck.Random(c.w, int64(100+i))}
				if bias {
					inputs = append(inputs, gradcheck.Random(tensor.Shape{c.w[0]}, int64(200+i)))
				}
				f := func(in gorgonia.Nodes) (*gorgonia.Node, error) {
					var b *gorgonia.Node
					if bias {
						b = in[2]
					}
					return ops.Conv2D(in[0], in[1], b, c.c)
				}
				gradcheck.Assert(t, f, inputs, gradcheck.Default)
			}
		})
	}
}

// TestConv2DReuse: every residual block adds a node to a function of itself,
// and a gradient reaching a node by two paths must be the sum of both.
func TestConv2DReuse(t *testing.T) {
	same := ops.Conv{}.WithPad(1) // 3×3, pad 1: shape-preserving
	x, w, b := gradcheck.Random(tensor.Shape{2, 2, 5, 4}, 1), gradcheck.Random(tensor.Shape{2, 2, 3, 3}, 2), gradcheck.Random(tensor.Shape{2}, 3)
	cases := map[string]func(x, w, b *gorgonia.Node) (*gorgonia.Node, error){
		"y+y": func(x, w, b *gorgonia.Node) (*gorgonia.Node, error) {
			y, err := ops.Conv2D(x, w, b, ops.Conv{StrideW: 2})
			if err != nil {
				return nil, err
			}
			return ops.Add(y, y)
		},
		"y*y": func(x, w, b *gorgonia.Node) (*gorgonia.Node, error) {
			y, err := ops.Conv2D(x, w, b, ops.Conv{DilationH: 2, PadTop: 1, PadBottom: 1})
			if err != nil {
				return nil, err
			}
			return ops.Mul(y, y)
		},
		"conv(x)+x": func(x, w, b *gorgonia.Node) (*gorgonia.Node, error) {
			y, err := ops.Conv2D(x, w, b, same)
			if err != nil {
				return nil, err
			}
			return ops.Add(y, x)
		},
		"conv(conv(x, w), w)": func(x, w, b *gorgonia.Node) (*gorgonia.Node, error) {
			y, err := ops.Conv2D(x, w, b, same)
			if err != nil {
				return nil, err
			}
			return ops.Conv2D(y, w, b, same)
		},
	}
	for name, build := range cases {
		t.Run(name, func(t *testing.T) {
			f := func(in gorgonia.Nodes) (*gorgonia.Node, error) { return build(in[0], in[1], in[2]) }
			gradcheck.Assert(t, f, []tensor.Tensor{x, w, b}, gradcheck.Default)
		})
	}
}

// The lecture's worked example (guide/lecture.md §2), checked by hand there.
var (
	convLectureW = []float64{2, 1, 2, 0, 0, 3, 0, 0, 2}
	convLectureX = []float64{3, 2, 0, 1, 0, 2, 1, 2, 2, 0, 0, 3, 2, 3, 1, 2}
)

func convForward(t *testing.T, x, w tensor.Tensor, c ops.Conv) tensor.Tensor {
	t.Helper()
	return run(t, func(in gorgonia.Nodes) (*gorgonia.Node, error) { return ops.Conv2D(in[0], in[1], nil, c) }, x, w)
}

func TestConv2DLecture(t *testing.T) {
	w := tensorOf(tensor.Shape{1, 1, 3, 3}, convLectureW...)
	x := tensorOf(tensor.Shape{1, 1, 4, 4}, convLectureX...)
	assertClose(t, "W * X", convForward(t, x, w, ops.Conv{}), []float64{11, 18, 6, 22}, 0)
	assertClose(t, "W * pad(X, 1)", convForward(t, x, w, ops.Conv{}.WithPad(1)),
		[]float64{10, 2, 7, 0, 13, 11, 18, 1, 10, 6, 22, 4, 11, 7, 12, 3}, 0)
	x7 := tensorOf(tensor.Shape{1, 1, 7, 7},
		3, 2, 0, 1, 0, 2, 1,
		0, 2, 1, 2, 1, 2, 1,
		2, 0, 0, 3, 0, 0, 2,
		2, 3, 1, 0, 1, 1, 3,
		2, 2, 1, 1, 0, 3, 1,
		1, 1, 0, 0, 1, 2, 2,
		2, 1, 0, 3, 2, 1, 1)
	assertClose(t, "W * X7, stride 2", convForward(t, x7, w, ops.Conv{}.WithStride(2)),
		[]float64{11, 4, 11, 9, 6, 15, 8, 10, 13}, 0)
}

// TestConv2DThreeChannels is the lecture's 3-D convolution, Y = X_R * W_R +
// X_G * W_G + X_B * W_B, with per-channel parts that are easy to add by hand:
// R is the worked example ([11 18; 6 22]), G sums a window of ones (9), and B
// picks the window's centre ([2 1; 0 0]). Filter 1 is −filter 0, bias (0, 10).
func TestConv2DThreeChannels(t *testing.T) {
	ones, centre := make([]float64, 16), []float64{0, 0, 0, 0, 1, 0, 0, 0, 0}
	for i := range ones {
		ones[i] = 1
	}
	filter := append(append(append([]float64{}, convLectureW...), ones[:9]...), centre...)
	neg := make([]float64, len(filter))
	for i, v := range filter {
		neg[i] = -v
	}
	x := tensorOf(tensor.Shape{1, 3, 4, 4}, append(append(append([]float64{}, convLectureX...), ones...), convLectureX...)...)
	w := tensorOf(tensor.Shape{2, 3, 3, 3}, append(filter, neg...)...)
	b := tensorOf(tensor.Shape{2}, 0, 10)
	y := run(t, func(in gorgonia.Nodes) (*gorgonia.Node, error) { return ops.Conv2D(in[0], in[1], in[2], ops.Conv{}) }, x, w, b)
	// 11+9+2, 18+9+1, 6+9+0, 22+9+0; then 10 − each.
	assertClose(t, "3-channel conv", y, []float64{22, 28, 15, 31, -12, -18, -5, -21}, 0)
}

// TestConv2DOutputSize is the lecture's example: 32×32×3 input, ten 5×5
// filters, stride 1, pad 2: (32 + 4 − 5)/1 + 1 = 32.
func TestConv2DOutputSize(t *testing.T) {
	g, err := graph.New(tensor.Float32)
	must(t, err)
	x, err := g.Input("x", 4, 3, 32, 32)
	must(t, err)
	w, err := g.Input("w", 10, 3, 5, 5)
	must(t, err)
	b, err := g.Input("b", 10)
	must(t, err)
	y, err := ops.Conv2D(x, w, b, ops.Conv{}.WithPad(2))
	must(t, err)
	if want := (tensor.Shape{4, 10, 32, 32}); !y.Shape().Eq(want) {
		t.Fatalf("shape %v, want %v", y.Shape(), want)
	}
}

// convGrads runs y = conv(x, w) + b and the gradients of ⟨y, dy⟩ with respect
// to x, w and b, in the dtype of the inputs.
func convGrads(t *testing.T, x, w, b, dy tensor.Tensor, c ops.Conv) (y, dx, dw, db tensor.Tensor) {
	t.Helper()
	g, err := graph.New(x.Dtype())
	must(t, err)
	in := gorgonia.Nodes{}
	feeds := graph.Feeds{}
	for i, v := range []tensor.Tensor{x, w, b, dy} {
		name := fmt.Sprint("in", i)
		n, err := g.Input(name, v.Shape()...)
		must(t, err)
		in, feeds[name] = append(in, n), v
	}
	yn, err := ops.Conv2D(in[0], in[1], in[2], c)
	must(t, err)
	flat, err := gorgonia.Reshape(yn, tensor.Shape{yn.Shape().TotalSize()})
	must(t, err)
	dyFlat, err := gorgonia.Reshape(in[3], tensor.Shape{yn.Shape().TotalSize()})
	must(t, err)
	loss, err := gorgonia.Mul(flat, dyFlat) // a dot product: ∂loss/∂y = dy
	must(t, err)
	grads, err := g.Grad(loss, in[0], in[1], in[2])
	must(t, err)
	prog, err := g.Compile(yn, grads[0], grads[1], grads[2])
	must(t, err)
	vals, err := prog.Run(feeds)
	must(t, err)
	return vals[0], vals[1], vals[2], vals[3]
}

// TestConv2DFloat32 checks that float32 agrees with float64, forward and
// backward.
func TestConv2DFloat32(t *testing.T) {
	cases := []convCase{
		{"unequal", tensor.Shape{2, 3, 9, 7}, tensor.Shape{4, 3, 3, 2}, ops.Conv{StrideH: 2, PadLeft: 1}},
		{"groups_dilation", tensor.Shape{1, 4, 8, 8}, tensor.Shape{6, 2, 3, 3}, ops.Conv{Groups: 2}.WithDilation(2).WithPad(2)},
		{"1x1", tensor.Shape{3, 8, 5, 6}, tensor.Shape{5, 8, 1, 1}, ops.Conv{}},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			y0, err := c.c.OutShape(c.x, c.w)
			must(t, err)
			in := []tensor.Tensor{gradcheck.Random(c.x, int64(i)), gradcheck.Random(c.w, int64(10+i)),
				gradcheck.Random(tensor.Shape{c.w[0]}, int64(20+i)), gradcheck.Random(y0, int64(30+i))}
			y, dx, dw, db := convGrads(t, in[0], in[1], in[2], in[3], c.c)
			y32, dx32, dw32, db32 := convGrads(t, toFloat32(in[0]), toFloat32(in[1]), toFloat32(in[2]), toFloat32(in[3]), c.c)
			for _, p := range []struct {
				what      string
				got, want tensor.Tensor
			}{{"y", y32, y}, {"dx", dx32, dx}, {"dw", dw32, dw}, {"db", db32, db}} {
				if p.got.Dtype() != tensor.Float32 {
					t.Fatalf("%s is %v", p.what, p.got.Dtype())
				}
				assertClose(t, p.what, p.got, toFloat64(p.want), 1e-5)
			}
		})
	}
}

// convNaive is the definition, one multiply-add per (n, k, i, j, c, p, q):
// y = conv(x, w) and the gradients of ⟨y, dy⟩, accumulated in the same loops.
func convNaive(x, w, dy []float64, xs, ws, ys tensor.Shape, c ops.Conv) (y, dx, dw []float64) {
	groups, sh, sw, dilH, dilW := max(c.Groups, 1), max(c.StrideH, 1), max(c.StrideW, 1), max(c.DilationH, 1), max(c.DilationW, 1)
	n, cin, h, wd := xs[0], xs[1], xs[2], xs[3]
	cout, cg, kh, kw := ws[0], ws[1], ws[2], ws[3]
	oh, ow := ys[2], ys[3]
	y, dx, dw = make([]float64, ys.TotalSize()), make([]float64, len(x)), make([]float64, len(w))
	for b := 0; b < n; b++ {
		for k := 0; k < cout; k++ {
			g := k / (cout / groups)
			for i := 0; i < oh; i++ {
				for j := 0; j < ow; j++ {
					yi := ((b*cout+k)*oh+i)*ow + j
					for ci := 0; ci < cg; ci++ {
						for p := 0; p < kh; p++ {
							for q := 0; q < kw; q++ {
								r, s := i*sh-c.PadTop+p*dilH, j*sw-c.PadLeft+q*dilW
								if r < 0 || r >= h || s < 0 || s >= wd {
									continue
								}
								xi := ((b*cin+g*cg+ci)*h+r)*wd + s
								wi := ((k*cg+ci)*kh+p)*kw + q
								y[yi] += w[wi] * x[xi]
								dx[xi] += w[wi] * dy[yi]
								dw[wi] += x[xi] * dy[yi]
							}
						}
					}
				}
			}
		}
	}
	return y, dx, dw
}

// TestConv2DReference compares the op with convNaive on random geometries;
// draws whose kernel does not fit must be build errors.
func TestConv2DReference(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	valid := 0
	for i := 0; valid < 25; i++ {
		c := ops.Conv{
			StrideH: rng.Intn(4), StrideW: rng.Intn(4), DilationH: rng.Intn(4), DilationW: rng.Intn(4), Groups: rng.Intn(4),
			PadTop: rng.Intn(3), PadBottom: rng.Intn(3), PadLeft: rng.Intn(3), PadRight: rng.Intn(3),
		}
		g := max(c.Groups, 1)
		xs := tensor.Shape{1 + rng.Intn(2), g * (1 + rng.Intn(3)), 1 + rng.Intn(9), 1 + rng.Intn(9)}
		ws := tensor.Shape{g * (1 + rng.Intn(3)), xs[1] / g, 1 + rng.Intn(4), 1 + rng.Intn(4)}
		// Count the windows that fit, rather than reuse the formula under test.
		oh := convWindows(xs[2]+c.PadTop+c.PadBottom, max(c.DilationH, 1)*(ws[2]-1)+1, max(c.StrideH, 1))
		ow := convWindows(xs[3]+c.PadLeft+c.PadRight, max(c.DilationW, 1)*(ws[3]-1)+1, max(c.StrideW, 1))
		ys, err := c.OutShape(xs, ws)
		if oh == 0 || ow == 0 {
			if err == nil {
				t.Fatalf("%v, %v, %v: kernel does not fit, want an error", xs, ws, c)
			}
			continue
		}
		must(t, err)
		if want := (tensor.Shape{xs[0], ws[0], oh, ow}); !ys.Eq(want) {
			t.Fatalf("%v, %v, %v: output %v, want %v", xs, ws, c, ys, want)
		}
		valid++
		x, w, b, dy := gradcheck.Random(xs, int64(i)), gradcheck.Random(ws, int64(i+1000)), tensorOf(tensor.Shape{ws[0]}, make([]float64, ws[0])...), gradcheck.Random(ys, int64(i+2000))
		wantY, wantDx, wantDw := convNaive(x.Data().([]float64), w.Data().([]float64), dy.Data().([]float64), xs, ws, ys, c)
		y, dx, dw, _ := convGrads(t, x, w, b, dy, c)
		what := fmt.Sprintf("%v, %v, %v", xs, ws, c)
		assertClose(t, what+": y", y, wantY, 1e-12)
		assertClose(t, what+": dx", dx, wantDx, 1e-12)
		assertClose(t, what+": dw", dw, wantDw, 1e-12)
	}
}

// TestConv2DReferenceParallel compares the op with convNaive on shapes
// large enough for the kernels to split the batch (or, at batch 1, the
// groups) across 2 and 3 goroutines, in the layouts of the zoo's models:
// ResNet's 3×3 same convolutions and its stride-2 transition, LeNet's 5×5
// ones (the first with one input channel), a grouped dilated one.
func TestConv2DReferenceParallel(t *testing.T) {
	cases := []convCase{
		{"resnet_3x3", tensor.Shape{3, 16, 12, 12}, tensor.Shape{16, 16, 3, 3}, ops.Conv{}.WithPad(1)},
		{"resnet_stride2", tensor.Shape{3, 16, 16, 16}, tensor.Shape{32, 16, 3, 3}, ops.Conv{}.WithStride(2).WithPad(1)},
		{"lenet_c1", tensor.Shape{5, 1, 28, 28}, tensor.Shape{6, 1, 5, 5}, ops.Conv{}.WithPad(2)},
		{"lenet_c3", tensor.Shape{3, 6, 14, 14}, tensor.Shape{16, 6, 5, 5}, ops.Conv{}},
		{"batch1_groups_dilation", tensor.Shape{1, 16, 24, 23}, tensor.Shape{16, 8, 3, 3}, ops.Conv{Groups: 2}.WithDilation(2).WithPad(2)},
		{"odd_stride3", tensor.Shape{4, 5, 31, 29}, tensor.Shape{12, 5, 4, 5}, ops.Conv{StrideH: 3, StrideW: 2, PadTop: 1, PadLeft: 2}},
	}
	t.Cleanup(func(prev int) func() { return func() { runtime.GOMAXPROCS(prev) } }(runtime.GOMAXPROCS(0)))
	for _, procs := range []int{2, 3} {
		runtime.GOMAXPROCS(procs)
		for i, c := range cases {
			ys, err := c.c.OutShape(c.x, c.w)
			must(t, err)
			x, w, dy := gradcheck.Random(c.x, int64(i)), gradcheck.Random(c.w, int64(i+1000)), gradcheck.Random(ys, int64(i+2000))
			b := tensorOf(tensor.Shape{c.w[0]}, make([]float64, c.w[0])...)
			wantY, wantDx, wantDw := convNaive(x.Data().([]float64), w.Data().([]float64), dy.Data().([]float64), c.x, c.w, ys, c.c)
			y, dx, dw, _ := convGrads(t, x, w, b, dy, c.c)
			what := fmt.Sprintf("%d goroutines, %s", procs, c.name)
			assertClose(t, what+": y", y, wantY, 1e-12)
			assertClose(t, what+": dx", dx, wantDx, 1e-12)
			assertClose(t, what+": dw", dw, wantDw, 1e-12)
		}
	}
}

// convWindows counts the windows of the given span that fit in size at stride s.
func convWindows(size, span, s int) int {
	n := 0
	for start := 0; start+span <= size; start += s {
		n++
	}
	return n
}

// TestConv2DBadShapes: every build error names the op and both shapes, and
// nothing panics.
func TestConv2DBadShapes(t *testing.T) {
	cases := []struct {
		name    string
		x, w, b tensor.Shape // b nil: no bias
		c       ops.Conv
		want    string
	}{
		{"input_rank", tensor.Shape{3, 8, 8}, tensor.Shape{4, 3, 3, 3}, nil, ops.Conv{}, "want input (N, Cin, H, W)"},
		{"weight_rank", tensor.Shape{2, 3, 8, 8}, tensor.Shape{4, 3, 3}, nil, ops.Conv{}, "weight (Cout, Cin/groups, KH, KW)"},
		{"channels", tensor.Shape{2, 3, 8, 8}, tensor.Shape{4, 2, 3, 3}, nil, ops.Conv{},
			"conv2d: input (2, 3, 8, 8), weight (4, 2, 3, 3): input has 3 channels, weight expects 2 (groups 1)"},
		{"channels_groups", tensor.Shape{2, 4, 8, 8}, tensor.Shape{4, 1, 3, 3}, nil, ops.Conv{Groups: 2}, "weight expects 2 (groups 2)"},
		{"cout_groups", tensor.Shape{1, 4, 8, 8}, tensor.Shape{3, 2, 3, 3}, nil, ops.Conv{Groups: 2}, "3 output channels, not divisible by groups 2"},
		{"cin_groups", tensor.Shape{1, 3, 8, 8}, tensor.Shape{4, 1, 3, 3}, nil, ops.Conv{Groups: 2}, "input has 3 channels, not divisible by groups 2"},
		{"kernel_too_big", tensor.Shape{1, 1, 2, 5}, tensor.Shape{1, 1, 3, 3}, nil, ops.Conv{}, "more than the padded input 2x5"},
		{"dilation_too_big", tensor.Shape{1, 1, 5, 6}, tensor.Shape{1, 1, 3, 3}, nil, ops.Conv{}.WithDilation(3), "spans 7x7"},
		{"negative_pad", tensor.Shape{1, 1, 5, 5}, tensor.Shape{1, 1, 3, 3}, nil, ops.Conv{PadRight: -1}, "padding at least 0"},
		{"negative_stride", tensor.Shape{1, 1, 5, 5}, tensor.Shape{1, 1, 3, 3}, nil, ops.Conv{StrideH: -2}, "stride=-2x1"},
		{"bias_size", tensor.Shape{1, 2, 5, 5}, tensor.Shape{4, 2, 3, 3}, tensor.Shape{3}, ops.Conv{}, "bias (3): want bias (4)"},
		{"bias_rank", tensor.Shape{1, 2, 5, 5}, tensor.Shape{4, 2, 3, 3}, tensor.Shape{1, 4}, ops.Conv{}, "bias (1, 4)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g, err := graph.New(tensor.Float64)
			must(t, err)
			x, err := g.Input("x", c.x...)
			must(t, err)
			w, err := g.Input("w", c.w...)
			must(t, err)
			var b *gorgonia.Node
			if c.b != nil {
				b, err = g.Input("b", c.b...)
				must(t, err)
			}
			err = convNoPanic(t, func() error { _, err := ops.Conv2D(x, w, b, c.c); return err })
			if err == nil {
				t.Fatal("want an error")
			}
			msg := err.Error()
			shapes := []string{fmt.Sprint(c.w)}
			if c.b == nil {
				shapes = append(shapes, fmt.Sprint(c.x))
			} else {
				shapes = append(shapes, fmt.Sprint(c.b))
			}
			for _, s := range append(shapes, "conv2d", c.want) {
				if !strings.Contains(msg, s) {
					t.Fatalf("error %q does not contain %q", msg, s)
				}
			}
		})
	}
	t.Run("nil", func(t *testing.T) {
		g, err := graph.New(tensor.Float64)
		must(t, err)
		x, err := g.Input("x", 1, 1, 3, 3)
		must(t, err)
		for _, in := range [][2]*gorgonia.Node{{nil, x}, {x, nil}, {nil, nil}} {
			err := convNoPanic(t, func() error { _, err := ops.Conv2D(in[0], in[1], nil, ops.Conv{}); return err })
			if err == nil || !strings.Contains(err.Error(), "conv2d: ") || !strings.Contains(err.Error(), "nil") {
				t.Fatalf("nil input: error %v", err)
			}
		}
	})
	t.Run("empty_dim", func(t *testing.T) {
		_, err := ops.Conv{}.OutShape(tensor.Shape{0, 1, 3, 3}, tensor.Shape{1, 1, 3, 3})
		if err == nil || !strings.Contains(err.Error(), "(0, 1, 3, 3)") {
			t.Fatalf("empty batch: error %v", err)
		}
	})
}

func convNoPanic(t *testing.T, f func() error) (err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("panic: %v", r)
		}
	}()
	return f()
}

// TestConvString: nodes are deduplicated by the op's string, so every
// parameter must change it, and defaults must not.
func TestConvString(t *testing.T) {
	base := ops.Conv{}.String()
	if one := (ops.Conv{StrideH: 1, StrideW: 1, DilationH: 1, DilationW: 1, Groups: 1}).String(); one != base {
		t.Fatalf("Conv{} is %q, its explicit defaults %q", base, one)
	}
	seen := map[string]string{base: "default"}
	for name, c := range map[string]ops.Conv{
		"StrideH": {StrideH: 2}, "StrideW": {StrideW: 2}, "PadTop": {PadTop: 1}, "PadBottom": {PadBottom: 1},
		"PadLeft": {PadLeft: 1}, "PadRight": {PadRight: 1}, "DilationH": {DilationH: 2}, "DilationW": {DilationW: 2},
		"Groups": {Groups: 2},
	} {
		s := c.String()
		if other, ok := seen[s]; ok {
			t.Errorf("%s and %s both print %q", name, other, s)
		}
		seen[s] = name
	}
	// Padding on top or at the bottom gives one output shape and different
	// values: two nodes, not one merged by hash.
	g, err := graph.New(tensor.Float64)
	must(t, err)
	x, err := g.Input("x", 1, 1, 4, 4)
	must(t, err)
	w, err := g.Input("w", 1, 1, 3, 3)
	must(t, err)
	top, err := ops.Conv2D(x, w, nil, ops.Conv{PadTop: 1})
	must(t, err)
	bottom, err := ops.Conv2D(x, w, nil, ops.Conv{PadBottom: 1})
	must(t, err)
	if top == bottom {
		t.Fatal("top- and bottom-padded convolutions merged into one node")
	}
	xv := tensorOf(tensor.Shape{1, 1, 4, 4}, convLectureX...)
	wv := tensorOf(tensor.Shape{1, 1, 3, 3}, convLectureW...)
	// Rows of W * pad(X, 1) from the lecture: top padding gives rows 0-2, bottom rows 1-3, columns 1-2.
	assertClose(t, "pad top", convForward(t, xv, wv, ops.Conv{PadTop: 1}), []float64{2, 7, 11, 18, 6, 22}, 0)
	assertClose(t, "pad bottom", convForward(t, xv, wv, ops.Conv{PadBottom: 1}), []float64{11, 18, 6, 22, 7, 12}, 0)
}
