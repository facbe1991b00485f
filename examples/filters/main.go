// Command filters looks inside a trained LeNet-5, as Zeiler & Fergus (2013),
// "Visualizing and Understanding Convolutional Networks", look inside
// AlexNet: it draws the first layer's filters and the feature maps that one
// digit produces in the first two convolutional layers, as PNG grids.
//
//	go run ./examples/lenet5-mnist && go run ./examples/filters   # the main job's weights
//	go run ./examples/filters -checkpoint ""                      # train 600 steps here first
//
// The weights come from -checkpoint (by default the lenet5-mnist example's,
// when it exists; a trainer checkpoint's optimizer buffers are skipped) or,
// without one, from a short training run whose weights are saved in -out.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/examples/internal/report"
	"github.com/convgraph/convgraph/graph"
	"github.com/convgraph/convgraph/nn"
	"github.com/convgraph/convgraph/nn/safetensors"
	"github.com/convgraph/convgraph/solvers"
	"github.com/convgraph/convgraph/zoo"
	"github.com/convgraph/convgraph/zoo/datasets"
)

const defaultCheckpoint = "runs/lenet5-mnist/checkpoint.safetensors"

func main() {
	checkpoint := flag.String("checkpoint", defaultCheckpoint, "weights to look at (a trainer or an nn.Save checkpoint); \"\", or the default when it is missing: train -steps steps here")
	variant := flag.String("variant", "lenet5-modern", "the model the checkpoint holds: lenet5-modern or lenet5 (1998)")
	steps := flag.Int("steps", 600, "training steps of 64 digits when there is no checkpoint")
	digit := flag.Int("digit", 0, "index of the test digit whose feature maps are drawn")
	seed := flag.Int64("seed", 1, "seed of the weights and the shuffling, when training here")
	out := flag.String("out", "runs/filters", "folder for the PNGs (and the weights trained here)")
	flag.Parse()
	if _, err := os.Stat(*checkpoint); err != nil && !isSet("checkpoint") {
		*checkpoint = "" // no lenet5-mnist run yet
	}
	check(os.MkdirAll(*out, 0o755))

	// ── Cell 1: the model; its first layer is what Zeiler & Fergus draw ─────
	f := nn.NewFactory(tensor.Float32, *seed)
	m, in, err := zoo.New(*variant, f, 10)
	check(err)
	model, ok := m.(*nn.Sequential)
	if !ok {
		check(errors.Errorf("%s is a %T: this example reads the layers of an nn.Sequential", *variant, m))
	}
	convs := convIndices(model)
	if len(convs) < 2 {
		check(errors.Errorf("%s: found %d convolutions, want 2", *variant, len(convs)))
	}
	conv1 := model.Layers[convs[0]].(*nn.Conv2D)
	fmt.Printf("%s: input %v, first layer %v, weight %v\n", *variant, in, conv1, conv1.Weight.Value.Shape())

	// ── Cell 2: trained weights: a checkpoint, or a short run here ──────────
	train, test, err := datasets.LoadMNIST("")
	check(err)
	pad := (in[1] - train.H) / 2 // the 1998 net reads 32×32
	norm := datasets.LoaderConfig{Mean: datasets.MNISTMean, Std: datasets.MNISTStd, Pad: pad}
	if *checkpoint != "" {
		step, err := load(*checkpoint, model)
		check(err)
		fmt.Printf("loaded %s (trained %s steps)\n", *checkpoint, step)
	} else {
		acc, err := trainBriefly(model, train, test, norm, *steps, *seed)
		check(err)
		saved := filepath.Join(*out, *variant+".safetensors")
		check(nn.Save(saved, model.Params(), map[string]string{"convgraph.model": *variant, "convgraph.step": fmt.Sprint(*steps)}))
		fmt.Printf("trained %d steps of 64 digits: test accuracy %.4f; weights: %s\n", *steps, acc, saved)
	}

	// ── Cell 3: the first-layer filters, one tile per (output, input) pair ──
	w := floats(conv1.Weight.Value)
	k := conv1.KH * conv1.KW
	var kernels [][]float32
	for i := 0; i < len(w); i += k {
		kernels = append(kernels, w[i:i+k])
	}
	fmt.Printf("conv1 filter 0 (%d×%d):\n%s", conv1.KH, conv1.KW, matrix(kernels[0], conv1.KW))
	fmt.Print(sideBySide(kernels, conv1.KH, conv1.KW))
	filtersPNG := filepath.Join(*out, "conv1-filters.png")
	check(report.Grid(filtersPNG, kernels, conv1.KH, conv1.KW, min(len(kernels), 8), 24))

	// ── Cell 4: one test digit, normalized as in training ───────────────────
	if *digit < 0 || *digit >= test.Len() {
		check(errors.Errorf("-digit %d: want 0 <= digit < %d", *digit, test.Len()))
	}
	norm.BatchSize = 1
	one, err := datasets.NewLoader(test.Slice(*digit, *digit+1), norm)
	check(err)
	it := one.Batches(0, 0)
	b, _ := it.Next()
	x := b.Clone()
	it.Close()
	fmt.Printf("test digit %d: label %d, input %v\n%s", *digit, x.Labels[0], x.Shape(), report.ASCII(x.X, x.H, x.W))
	digitPNG := filepath.Join(*out, "digit.png")
	check(report.Grid(digitPNG, [][]float32{x.X}, x.H, x.W, 1, 8))

	// ── Cell 5: its feature maps after conv1 and its activation ─────────────
	// The first layers as their own Sequential share the trained *nn.Param
	// values: building them in Eval mode computes exactly the full model's
	// first activations.
	maps1, err := activations(model.Layers[:convs[0]+2], x)
	check(err)
	fmt.Printf("layers %s → %v\n", names(model.Layers[:convs[0]+2]), maps1.Shape())
	tiles1, h1, w1 := planes(maps1)
	describeMaps(tiles1)
	sharpest := argmaxStd(tiles1)
	fmt.Printf("map %d, the one with the most contrast:\n%s", sharpest, report.ASCII(tiles1[sharpest], h1, w1))
	maps1PNG := filepath.Join(*out, "conv1-maps.png")
	check(report.Grid(maps1PNG, tiles1, h1, w1, min(len(tiles1), 8), 6))

	// ── Cell 6: and after the second convolution: fewer pixels, more maps ──
	maps2, err := activations(model.Layers[:convs[1]+2], x)
	check(err)
	fmt.Printf("layers %s → %v\n", names(model.Layers[:convs[1]+2]), maps2.Shape())
	tiles2, h2, w2 := planes(maps2)
	describeMaps(tiles2)
	maps2PNG := filepath.Join(*out, "conv2-maps.png")
	check(report.Grid(maps2PNG, tiles2, h2, w2, 8, 12))

	fmt.Println()
	fmt.Printf("%s: the %d learned %d×%d kernels of %s, each scaled from its own minimum (black) to maximum (white)\n", filtersPNG, len(kernels), conv1.KH, conv1.KW, conv1.Name())
	fmt.Printf("%s: test digit %d (label %d) as the network sees it\n", digitPNG, *digit, x.Labels[0])
	fmt.Printf("%s: its %d maps after %s: each kernel's strokes and edges, where they occur in the digit\n", maps1PNG, len(tiles1), names(model.Layers[:convs[0]+2]))
	fmt.Printf("%s: its %d maps after the second convolution: combinations of strokes, coarser\n", maps2PNG, len(tiles2))
}

// convIndices lists the positions of the convolutions in model: nn.Conv2D,
// and the 1998 net's partially connected C3.
func convIndices(model *nn.Sequential) []int {
	var idx []int
	for i, l := range model.Layers {
		switch l.(type) {
		case *nn.Conv2D, *zoo.MaskedConv2D:
			idx = append(idx, i)
		}
	}
	return idx
}

// load reads a checkpoint into model. A trainer checkpoint also holds the
// optimizer's buffers, under "optimizer.": they are not the model's.
func load(path string, model nn.Layer) (step string, err error) {
	f, err := safetensors.Read(path)
	if err != nil {
		return "", err
	}
	state := map[string]tensor.Tensor{}
	for name, t := range f.Tensors {
		if !strings.HasPrefix(name, "optimizer.") {
			state[name] = t
		}
	}
	if err := nn.LoadStateDict(model.Params(), state); err != nil {
		return "", errors.WithMessagef(err, "%s into %s (pass the checkpoint's -variant)", path, model.Name())
	}
	return f.Metadata["convgraph.step"], nil
}

// trainBriefly trains model for steps batches of 64 (SGD, momentum 0.9,
// cosine) and returns its test accuracy.
func trainBriefly(model nn.Layer, train, test *datasets.Dataset, norm datasets.LoaderConfig, steps int, seed int64) (float64, error) {
	tc, ec := norm, norm
	tc.BatchSize, tc.Shuffle, tc.Seed, tc.DropLast, tc.Prefetch = 64, true, seed, true, 2
	ec.BatchSize, ec.Prefetch = 1000, 2
	trainLoader, err := datasets.NewLoader(train, tc)
	if err != nil {
		return 0, err
	}
	testLoader, err := datasets.NewLoader(test, ec)
	if err != nil {
		return 0, err
	}
	epochs := (steps + trainLoader.NumBatches() - 1) / trainLoader.NumBatches()
	t, err := solvers.NewTrainer(model, trainLoader, nil, solvers.Config{
		Epochs:    epochs,
		Optimizer: solvers.NewSGD(0.9, false, solvers.Decay{Rate: 5e-4, SkipNoDecay: true}),
		Schedule:  solvers.Cosine(0.05, 0, steps),
		Seed:      seed,
		StopAfter: steps,
	})
	if err != nil {
		return 0, err
	}
	if err := t.Run(); err != nil {
		return 0, err
	}
	_, acc, err := t.Evaluate(testLoader)
	return acc, err
}

// activations builds layers in Eval mode for one image and runs it.
func activations(layers []nn.Layer, x *datasets.Batch) (tensor.Tensor, error) {
	net, err := nn.Build(nn.NewSequential("", layers...), tensor.Float32, nn.Eval, 0, x.Shape()...)
	if err != nil {
		return nil, err
	}
	prog, err := net.G.Compile(net.Output)
	if err != nil {
		return nil, err
	}
	out, err := prog.Run(graph.Feeds{nn.InputName: x.Tensor()})
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// planes splits a (1, C, H, W) tensor into C tiles of H×W.
func planes(t tensor.Tensor) (tiles [][]float32, h, w int) {
	s := t.Shape()
	h, w = s[2], s[3]
	v := floats(t)
	for c := 0; c < s[1]; c++ {
		tiles = append(tiles, v[c*h*w:(c+1)*h*w])
	}
	return tiles, h, w
}

// describeMaps prints each map's mean and its share of zeros (ReLU's
// sparsity: a map is silent where its kernel finds nothing).
func describeMaps(tiles [][]float32) {
	for i, t := range tiles {
		var sum float64
		zeros := 0
		for _, v := range t {
			sum += float64(v)
			if v == 0 {
				zeros++
			}
		}
		sep := "  "
		if (i+1)%4 == 0 || i == len(tiles)-1 {
			sep = "\n"
		}
		fmt.Printf("map %2d: mean %6.3f, %3.0f%% zeros%s", i, sum/float64(len(t)), 100*float64(zeros)/float64(len(t)), sep)
	}
}

// argmaxStd picks the map whose values vary most: a map that is high
// everywhere mostly shows its bias, one with contrast shows what it detects.
func argmaxStd(tiles [][]float32) int {
	vars := make([]float64, len(tiles))
	for i, t := range tiles {
		var s, ss float64
		for _, v := range t {
			s, ss = s+float64(v), ss+float64(v)*float64(v)
		}
		n := float64(len(t))
		vars[i] = ss/n - (s/n)*(s/n)
	}
	return solvers.Argmax(vars)
}

// sideBySide draws kernels as terminal art in one row.
func sideBySide(kernels [][]float32, h, w int) string {
	rows := make([]string, h)
	for _, k := range kernels {
		for y, line := range strings.Split(strings.TrimSuffix(report.ASCII(k, h, w), "\n"), "\n") {
			rows[y] += line + "  "
		}
	}
	return strings.Join(rows, "\n") + "\n"
}

// matrix prints values w to a row.
func matrix(v []float32, w int) string {
	var b strings.Builder
	for i, x := range v {
		fmt.Fprintf(&b, "%7.3f", x)
		if (i+1)%w == 0 {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

func names(layers []nn.Layer) string {
	var s []string
	for _, l := range layers {
		if l.Name() != "" {
			s = append(s, l.Name())
		} else if st, ok := l.(fmt.Stringer); ok {
			s = append(s, st.String())
		}
	}
	return strings.Join(s, ", ")
}

func floats(t tensor.Tensor) []float32 {
	switch d := t.Data().(type) {
	case []float32:
		return d
	case []float64:
		out := make([]float32, len(d))
		for i, v := range d {
			out[i] = float32(v)
		}
		return out
	}
	return nil
}

func isSet(name string) bool {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

func check(err error) {
	if err != nil {
		log.Fatalf("filters: %+v", err)
	}
}
