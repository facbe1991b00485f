// Command 01-convolution is sections 1-5 of the course (docs: the lecture in
// shared/guide/lecture.md) as a notebook: a Gaussian smoothing a noisy signal,
// convolution against correlation, the three worked 2-D examples, the
// convolutional layer (channels, output size, parameter count, 1×1
// convolution), max pooling, and a first gradient, checked by finite
// differences. Every cell prints what it computed; every number the lecture
// gives is compared with it, and a mismatch stops the program.
//
//	go run ./examples/01-convolution
//
// It is deterministic (fixed seeds), needs no flags or downloads and runs in
// well under a second.
package main

import (
	"fmt"
	"log"
	"math"
	"math/rand"
	"strconv"
	"strings"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/examples/internal/notebook"
	"github.com/convgraph/convgraph/graph"
	"github.com/convgraph/convgraph/graph/gradcheck"
	"github.com/convgraph/convgraph/ops"
)

func main() {
	// ── Cell 1: smoothing a noisy signal with a Gaussian kernel (§1) ────────
	notebook.Cell(1, "smoothing a noisy signal with a Gaussian kernel (§1)")
	// A sine of period 32 sampled at 64 points, plus noise of σ = 0.3.
	const length, period, noise = 64, 32, 0.3
	rng := rand.New(rand.NewSource(1))
	clean, noisy := make([]float64, length), make([]float64, length)
	for t := range clean {
		clean[t] = math.Sin(2 * math.Pi * float64(t) / period)
		noisy[t] = clean[t] + noise*rng.NormFloat64()
	}
	// The kernel w(t) = exp(−t²/2σ²)/(√(2π)σ) sampled at t = −4 … 4. Cut off
	// at ±2.7σ its taps sum to 0.998; dividing by the sum keeps the mean level.
	const taps, sigma = 9, 1.5
	gauss := make([]float64, taps)
	var total float64
	for i := range gauss {
		t := float64(i - taps/2)
		gauss[i] = math.Exp(-t*t/(2*sigma*sigma)) / (math.Sqrt(2*math.Pi) * sigma)
		total += gauss[i]
	}
	for i := range gauss {
		gauss[i] /= total
	}
	// A 1-D signal is an image of one row: N = C = H = 1, W = 64, and the
	// kernel a 1×9 filter. Padding 4 zeros on each side keeps the length.
	g, err := graph.New(tensor.Float64)
	notebook.Check(err)
	signal, err := g.Input("signal", 1, 1, 1, length)
	notebook.Check(err)
	kernel, err := g.Param("gauss", tensor.New(tensor.WithShape(1, 1, 1, taps), tensor.WithBacking(gauss)))
	notebook.Check(err)
	smooth, err := ops.Conv2D(signal, kernel, nil, ops.Conv{PadLeft: taps / 2, PadRight: taps / 2})
	notebook.Check(err)
	prog, err := g.Compile(smooth)
	notebook.Check(err)
	out, err := prog.Run(graph.Feeds{"signal": tensor.New(tensor.WithShape(1, 1, 1, length), tensor.WithBacking(noisy))})
	notebook.Check(err)
	smoothed := values(out[0])

	fmt.Println("signal", signal.Shape(), "* kernel", kernel.Shape(), "→", smooth.Shape())
	fmt.Printf("kernel (σ = %g): %s\n", sigma, fixed(gauss, 4))
	fmt.Println("   t   clean   noisy  smoothed")
	for t := 8; t < 14; t++ {
		fmt.Printf("%4d %7.3f %7.3f %9.3f\n", t, clean[t], noisy[t], smoothed[t])
	}
	// Away from the ends, where the zero padding pulls the average down.
	inner := func(s []float64) []float64 { return s[taps/2 : length-taps/2] }
	before, after := rmsError(inner(noisy), inner(clean)), rmsError(inner(smoothed), inner(clean))
	var sumSq float64
	for _, v := range gauss {
		sumSq += v * v
	}
	fmt.Printf("rms error against the clean sine: %.3f → %.3f (%.1f× smaller)\n", before, after, before/after)
	fmt.Printf("white noise alone would shrink by √Σw² = %.3f: %.3f → %.3f\n", math.Sqrt(sumSq), noise, noise*math.Sqrt(sumSq))

	// ── Cell 2: convolution flips the kernel, correlation does not (§1) ─────
	notebook.Cell(2, "convolution flips the kernel, correlation does not (§1)")
	// Two impulses and an asymmetric kernel with taps at offsets −1, 0, +1.
	impulses := image("[0 0 1 0 0 0 2 0 0 0]")
	asym := image("[1 2 3]")
	// ops.Conv2D is correlation, as in every deep-learning library:
	// y[t] = Σ_s w(s)·x[t + s], so each impulse leaves a mirrored kernel.
	// One zero at each end of the row keeps the length.
	rowPad := ops.Conv{PadLeft: 1, PadRight: 1}
	corr := correlate(impulses, asym, rowPad)
	// Convolution h[t] = Σ_s w(s)·x[t − s] is correlation with the flipped
	// kernel: each impulse leaves the kernel itself (its impulse response).
	conv := correlate(impulses, image("[3 2 1]"), rowPad)
	// The same convolution straight from the formula, as a check.
	x, w := values(impulses), values(asym)
	direct := make([]float64, len(x))
	for t := range direct {
		for s := -1; s <= 1; s++ {
			if t-s >= 0 && t-s < len(x) {
				direct[t] += w[s+1] * x[t-s]
			}
		}
	}
	fmt.Println("x             ", oneLine(impulses))
	fmt.Println("correlation   ", oneLine(corr), "(kernel [1 2 3] as is)")
	fmt.Println("convolution   ", oneLine(conv), "(kernel flipped to [3 2 1])")
	fmt.Println("by the formula", oneLine(tensor.New(tensor.WithShape(1, 1, 1, len(direct)), tensor.WithBacking(direct))))
	expect("correlation of the impulses", corr, "[0 3 2 1 0 6 4 2 0 0]")
	expect("convolution of the impulses", conv, oneLine(tensor.New(tensor.WithShape(1, 1, 1, len(direct)), tensor.WithBacking(direct))))
	flipped := make([]float64, taps)
	for i, v := range gauss {
		flipped[taps-1-i] = v
	}
	fmt.Printf("the Gaussian of Cell 1 is symmetric (it differs from its flip by %g): there the two agree\n", maxAbsDiff(gauss, flipped))

	// ── Cell 3: the worked 2-D example, 3×3 kernel on a 4×4 input (§2) ──────
	notebook.Cell(3, "the worked 2-D example, 3×3 kernel on a 4×4 input (§2)")
	// y[k,l] = Σ_m Σ_n w[m,n]·x[k+m−1, l+n−1]: no padding, stride 1 → 2×2.
	W := image("[2 1 2; 0 0 3; 0 0 2]")
	X := image("[3 2 0 1; 0 2 1 2; 2 0 0 3; 2 3 1 2]")
	fmt.Println("W", W.Shape(), "X", X.Shape())
	expect("W * X", correlate(X, W, ops.Conv{}), "[11 18; 6 22]")

	// ── Cell 4: padding, a ring of zeros keeps the size (§2) ────────────────
	notebook.Cell(4, "padding, a ring of zeros keeps the size (§2)")
	expect("W * pad(X, 1)", correlate(X, W, ops.Conv{}.WithPad(1)), "[10 2 7 0; 13 11 18 1; 10 6 22 4; 11 7 12 3]")

	// ── Cell 5: stride 2 on a 7×7 input (§2) ────────────────────────────────
	notebook.Cell(5, "stride 2 on a 7×7 input (§2)")
	X7 := image(`[3 2 0 1 0 2 1; 0 2 1 2 1 2 1; 2 0 0 3 0 0 2; 2 3 1 0 1 1 3;
	              2 2 1 1 0 3 1; 1 1 0 0 1 2 2; 2 1 0 3 2 1 1]`)
	fmt.Println("X7", X7.Shape())
	expect("W * X7 (stride 2)", correlate(X7, W, ops.Conv{}.WithStride(2)), "[11 4 11; 9 6 15; 8 10 13]")

	// ── Cell 6: three channels, Y = X_R * W_R + X_G * W_G + X_B * W_B (§4) ───
	notebook.Cell(6, "three channels, Y = X_R * W_R + X_G * W_G + X_B * W_B (§4)")
	// A 3-channel 5×5 image and one 3×3×3 filter of small integers.
	rgb := randomInts(rand.New(rand.NewSource(2)), []int{1, 3, 5, 5}, 0, 3)
	filter := randomInts(rand.New(rand.NewSource(3)), []int{1, 3, 3, 3}, -1, 1)
	whole := correlate(rgb, filter, ops.Conv{})
	fmt.Println("X", rgb.Shape(), "* W", filter.Shape(), "→", whole.Shape())
	perChannel := make([]float64, 9)
	for c, name := range []string{"R", "G", "B"} {
		part := correlate(plane(rgb, c), plane(filter, c), ops.Conv{})
		fmt.Printf("X_%s * W_%s = %s\n", name, name, oneLine(part))
		for i, v := range values(part) {
			perChannel[i] += v
		}
	}
	fmt.Println("3-channel X * W =", oneLine(whole))
	expect("the sum of the three 2-D correlations", whole, oneLine(tensor.New(tensor.WithShape(1, 1, 3, 3), tensor.WithBacking(perChannel))))

	// ── Cell 7: output size and parameter count of a layer (§4) ─────────────
	notebook.Cell(7, "output size and parameter count of a layer (§4)")
	// A 32×32×3 image, ten 5×5 filters with their biases, stride 1, pad 2.
	// All ones, so each output counts the input values its window covers
	// (over 3 channels) plus the bias 1: 76 inside, less where padding enters.
	layer, err := graph.New(tensor.Float64)
	notebook.Check(err)
	img, err := layer.Input("image", 1, 3, 32, 32)
	notebook.Check(err)
	weight, err := layer.Param("conv.weight", filled(1, 10, 3, 5, 5))
	notebook.Check(err)
	bias, err := layer.Param("conv.bias", filled(1, 10))
	notebook.Check(err)
	act, err := ops.Conv2D(img, weight, bias, ops.Conv{}.WithPad(2))
	notebook.Check(err)
	fmt.Println("image", img.Shape(), "weight", weight.Shape(), "bias", bias.Shape(), "→", act.Shape())
	fmt.Printf("output size (W + 2P − F)/S + 1 = (32 + 2·2 − 5)/1 + 1 = %d\n", (32+2*2-5)/1+1)
	params := weight.Shape().TotalSize() + bias.Shape().TotalSize()
	fmt.Printf("parameters: %d weights + %d biases = %d (each filter 5·5·3 + 1 = %d)\n",
		weight.Shape().TotalSize(), bias.Shape().TotalSize(), params, params/10)
	if params != 760 || !act.Shape().Eq(tensor.Shape{1, 10, 32, 32}) {
		log.Fatalf("layer: %d parameters and output %v, the lecture says 760 and (1, 10, 32, 32)", params, act.Shape())
	}
	layerProg, err := layer.Compile(act)
	notebook.Check(err)
	out, err = layerProg.Run(graph.Feeds{"image": filled(1, 1, 3, 32, 32)})
	notebook.Check(err)
	corner, err := out[0].Slice(nil, tensor.S(0), tensor.S(0, 4), tensor.S(0, 4))
	notebook.Check(errors.Wrap(err, "corner"))
	fmt.Println("top-left 4×4 of output channel 0:")
	printGrid(tensor.Materialize(corner))
	// The neuron view: five 5×5 filters without padding make a 28×28×5 grid.
	neurons, err := ops.Conv{}.OutShape(tensor.Shape{1, 3, 32, 32}, tensor.Shape{5, 3, 5, 5})
	notebook.Check(err)
	fmt.Println("five 5×5 filters, no padding →", neurons)

	// ── Cell 8: a 1×1 convolution mixes channels at each position (§4) ──────
	notebook.Cell(8, "a 1×1 convolution mixes channels at each position (§4)")
	// Filter 0 averages R, G and B (a gray image); filter 1 is R − B.
	colors := tensor.New(tensor.WithShape(1, 3, 2, 2), tensor.WithBacking([]float64{
		1, 2, 3, 4, // R
		2, 2, 6, 5, // G
		3, 5, 3, 6, // B
	}))
	mix := tensor.New(tensor.WithShape(2, 3, 1, 1), tensor.WithBacking([]float64{
		1.0 / 3, 1.0 / 3, 1.0 / 3,
		1, 0, -1,
	}))
	mixed := correlate(colors, mix, ops.Conv{})
	fmt.Println("X", colors.Shape(), "* W", mix.Shape(), "→", mixed.Shape())
	expect("channel 0, the mean of R, G, B", plane(mixed, 0), "[2 3; 4 5]")
	expect("channel 1, R − B", plane(mixed, 1), "[-2 -3; 0 -2]")

	// ── Cell 9: max pooling, 2×2 windows at stride 2 (§5) ───────────────────
	notebook.Cell(9, "max pooling, 2×2 windows at stride 2 (§5)")
	pg, err := graph.New(tensor.Float64)
	notebook.Check(err)
	px, err := pg.Input("x", 1, 1, 4, 4)
	notebook.Check(err)
	pooled, err := ops.MaxPool2D(px, ops.Pool2D{KH: 2, KW: 2}) // a zero stride means the kernel size
	notebook.Check(err)
	poolProg, err := pg.Compile(pooled)
	notebook.Check(err)
	out, err = poolProg.Run(graph.Feeds{"x": image("[1 1 2 4; 5 6 7 8; 3 2 1 0; 1 2 3 4]")})
	notebook.Check(err)
	fmt.Println("x", px.Shape(), "→ max pool →", pooled.Shape())
	expect("maxpool(x)", out[0], "[6 8; 3 4]")

	// ── Cell 10: a first gradient, d sum(relu(conv(x, w)))/dw (autodiff) ────
	notebook.Cell(10, "a first gradient, d sum(relu(conv(x, w)))/dw (autodiff)")
	// Two 6×6 input channels, three 3×3 filters: y is (1, 3, 4, 4).
	xVal := gradcheck.Distinct(tensor.Shape{1, 2, 6, 6}, 4) // distinct values, none near 0
	wVal := gradcheck.Random(tensor.Shape{3, 2, 3, 3}, 5)
	dg, err := graph.New(tensor.Float64)
	notebook.Check(err)
	xn, err := dg.Input("x", 1, 2, 6, 6)
	notebook.Check(err)
	wn, err := dg.Param("w", wVal)
	notebook.Check(err)
	y, err := ops.Conv2D(xn, wn, nil, ops.Conv{})
	notebook.Check(err)
	r, err := ops.ReLU(y)
	notebook.Check(err)
	loss, err := ops.Sum(r)
	notebook.Check(err)
	nodes := len(dg.Expr().AllNodes())
	grads, err := dg.Grad(loss, wn) // symbolic: it adds the backward pass to the graph
	notebook.Check(err)
	fmt.Printf("graph: %d nodes, %d after Grad\n", nodes, len(dg.Expr().AllNodes()))
	gradProg, err := dg.Compile(loss, grads[0], y)
	notebook.Check(err)
	out, err = gradProg.Run(graph.Feeds{"x": xVal})
	notebook.Check(err)
	dw := out[1]
	fmt.Printf("loss = %.6f; dloss/dw %v, for filter 0, channel 0:\n", values(out[0])[0], dw.Shape())
	printGrid(plane(dw, 0))
	// By hand: relu passes the gradient where y > 0, and each such output
	// adds the input window it saw, so dw[k,c,p,q] = Σ_{y[k,i,j] > 0} x[c, i+p, j+q].
	xs, ys, byHand := values(xVal), values(out[2]), make([]float64, wVal.Shape().TotalSize())
	for k := range 3 {
		for c := range 2 {
			for p := range 3 {
				for q := range 3 {
					for i := range 4 {
						for j := range 4 {
							if ys[(k*4+i)*4+j] > 0 {
								byHand[((k*2+c)*3+p)*3+q] += xs[(c*6+i+p)*6+j+q]
							}
						}
					}
				}
			}
		}
	}
	d := maxAbsDiff(values(dw), byHand)
	fmt.Printf("largest difference from the sum by hand: %.2g\n", d)
	if d > 1e-9 {
		log.Fatalf("Grad and the sum by hand differ by %g", d)
	}

	// ── Cell 11: the gradient checker agrees, by central differences ────────
	notebook.Cell(11, "the gradient checker agrees, by central differences")
	// It rebuilds the expression, perturbs every element of x (x0) and of the
	// weights (x1) by ±1e-6 and compares (L(+) − L(−))/2e-6 with Grad.
	sumReLUConv := func(in gorgonia.Nodes) (*gorgonia.Node, error) {
		y, err := ops.Conv2D(in[0], in[1], nil, ops.Conv{})
		if err != nil {
			return nil, err
		}
		r, err := ops.ReLU(y)
		if err != nil {
			return nil, err
		}
		return ops.Sum(r)
	}
	rep, err := gradcheck.Check(sumReLUConv, []tensor.Tensor{xVal, wVal}, gradcheck.Default)
	notebook.Check(err)
	fmt.Println(rep)
	notebook.Check(rep.Err())
	fmt.Printf("✓ every gradient agrees within %+v\n", rep.Tol)
}

// correlate is Cell 1's graph for the cells that only want numbers: it
// builds y = Conv2D(x, w) with geometry c on a fresh float64 graph, runs it
// once and returns y.
func correlate(x, w *tensor.Dense, c ops.Conv) tensor.Tensor {
	g, err := graph.New(tensor.Float64)
	notebook.Check(err)
	xn, err := g.Input("x", x.Shape()...)
	notebook.Check(err)
	wn, err := g.Param("w", w)
	notebook.Check(err)
	y, err := ops.Conv2D(xn, wn, nil, c)
	notebook.Check(err)
	prog, err := g.Compile(y)
	notebook.Check(err)
	out, err := prog.Run(graph.Feeds{"x": x})
	notebook.Check(err)
	return out[0]
}

// expect prints got next to the lecture's matrix want, written as in the
// lecture ("[11 18; 6 22]"), and stops the notebook unless they agree.
func expect(what string, got tensor.Tensor, want string) {
	wantT := image(want)
	g, w := values(got), values(wantT)
	s := got.Shape()
	if len(g) != len(w) || s[len(s)-1] != wantT.Shape()[3] {
		log.Fatalf("%s: got %v %s, want %v %s", what, s, oneLine(got), wantT.Shape(), want)
	}
	fmt.Printf("%s:\n", what)
	left, right := grid(got), grid(wantT)
	width := 0
	for _, l := range left {
		width = max(width, len([]rune(l)))
	}
	fmt.Printf("  %-*s   %s\n", width, "got", "expected")
	for i := range left {
		fmt.Printf("  %-*s   %s\n", width, left[i], right[i])
	}
	if d := maxAbsDiff(g, w); d > 1e-9 {
		log.Fatalf("%s: got %s, want %s (off by %g)", what, oneLine(got), want, d)
	}
	fmt.Printf("  ✓ %s = %s\n", what, want)
}

// image parses a matrix written as in the lecture, rows separated by ";",
// into a 1×1×H×W tensor (one image of one channel).
func image(s string) *tensor.Dense {
	s = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(s), "["), "]")
	var vals []float64
	var h, w int
	for _, row := range strings.Split(s, ";") {
		fields := strings.Fields(row)
		if h > 0 && len(fields) != w {
			log.Fatalf("matrix %q: row %d has %d values, row 0 has %d", s, h, len(fields), w)
		}
		w, h = len(fields), h+1
		for _, f := range fields {
			v, err := strconv.ParseFloat(f, 64)
			notebook.Check(errors.Wrapf(err, "matrix %q", s))
			vals = append(vals, v)
		}
	}
	return tensor.New(tensor.WithShape(1, 1, h, w), tensor.WithBacking(vals))
}

// oneLine writes the last two axes of t as the lecture does: "[11 18; 6 22]".
func oneLine(t tensor.Tensor) string {
	rows := make([]string, 0)
	v, w := values(t), t.Shape()[t.Dims()-1]
	for i := 0; i < len(v); i += w {
		rows = append(rows, joinNumbers(v[i:i+w], "%g"))
	}
	return "[" + strings.Join(rows, "; ") + "]"
}

// grid writes the last two axes of t as rows of right-aligned numbers.
func grid(t tensor.Tensor) []string {
	v, w := values(t), t.Shape()[t.Dims()-1]
	cells, width := make([]string, len(v)), 0
	for i, x := range v {
		cells[i] = strconv.FormatFloat(x, 'g', 4, 64)
		width = max(width, len(cells[i]))
	}
	var rows []string
	for i := 0; i < len(cells); i += w {
		var b strings.Builder
		for j, c := range cells[i : i+w] {
			if j > 0 {
				b.WriteByte(' ')
			}
			fmt.Fprintf(&b, "%*s", width, c)
		}
		rows = append(rows, b.String())
	}
	return rows
}

func printGrid(t tensor.Tensor) {
	for _, row := range grid(t) {
		fmt.Println("  " + row)
	}
}

// plane is channel c of an (N=1, C, H, W) tensor, as a 1×1×H×W copy (a
// weight (Cout, Cin, KH, KW) with Cout = 1 reads alike).
func plane(t tensor.Tensor, c int) *tensor.Dense {
	s := t.Shape()
	hw := s[2] * s[3]
	v := values(t)[c*hw : (c+1)*hw]
	return tensor.New(tensor.WithShape(1, 1, s[2], s[3]), tensor.WithBacking(append([]float64(nil), v...)))
}

// values is the float64 data of t, a scalar as one value.
func values(t tensor.Tensor) []float64 {
	switch v := t.Data().(type) {
	case []float64:
		return v
	case float64:
		return []float64{v}
	}
	log.Fatalf("values: a %v tensor %v, want float64", t.Dtype(), t.Shape())
	return nil
}

func filled(v float64, shape ...int) *tensor.Dense {
	data := make([]float64, tensor.Shape(shape).TotalSize())
	for i := range data {
		data[i] = v
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data))
}

// randomInts is a tensor of integers drawn uniformly from [lo, hi].
func randomInts(rng *rand.Rand, shape []int, lo, hi int) *tensor.Dense {
	data := make([]float64, tensor.Shape(shape).TotalSize())
	for i := range data {
		data[i] = float64(lo + rng.Intn(hi-lo+1))
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data))
}

func rmsError(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += (a[i] - b[i]) * (a[i] - b[i])
	}
	return math.Sqrt(s / float64(len(a)))
}

func maxAbsDiff(a, b []float64) float64 {
	var d float64
	for i := range a {
		d = max(d, math.Abs(a[i]-b[i]))
	}
	return d
}

func fixed(v []float64, prec int) string {
	return "[" + joinNumbers(v, "%."+strconv.Itoa(prec)+"f") + "]"
}

func joinNumbers(v []float64, format string) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprintf(format, x)
	}
	return strings.Join(s, " ")
}
