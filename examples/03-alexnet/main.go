// Command 03-alexnet is section 6 of the course (shared/guide/lecture.md),
// AlexNet (Krizhevsky, Sutskever & Hinton 2012), as a notebook: the lecture's
// shape table reproduced line by line from the model, with each layer's
// parameter count worked out by hand and read from the model's summary; the
// totals of the one- and two-tower nets; the lecture's training recipe
// mapped to the solvers API; and one forward pass at a reduced input. Every
// number the lecture gives is compared with the model, and a mismatch stops
// the program.
//
//	go run ./examples/03-alexnet
//
// It is deterministic (fixed seeds), needs no flags or downloads and runs in
// a few seconds (most of it drawing the 123 million initial weights of the
// two 227×227 nets, which are summarized but never run).
package main

import (
	"fmt"
	"log"
	"math"
	"math/rand"
	"strings"
	"time"

	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/examples/internal/notebook"
	"github.com/convgraph/convgraph/nn"
	"github.com/convgraph/convgraph/solvers"
	"github.com/convgraph/convgraph/zoo"
)

// line is one line of the lecture's AlexNet table. Convolutions and fully
// connected layers also carry what their parameter count follows from:
// out filters of k×k×in weights and a bias each (k = 1, in = the inputs, for
// a fully connected layer).
type line struct {
	shape, text string
	k, in, out  int // 0 for pooling and normalization: no parameters
}

// lecture is the table of §6, as printed there.
var lecture = []line{
	{shape: "[227x227x3]", text: "INPUT"},
	{"[55x55x96]", "CONV1: 96 11x11 filters at stride 4, pad 0", 11, 3, 96},
	{shape: "[27x27x96]", text: "MAX POOL1: 3x3 filters at stride 2"},
	{shape: "[27x27x96]", text: "NORM1: normalization layer"},
	{"[27x27x256]", "CONV2: 256 5x5 filters at stride 1, pad 2", 5, 96, 256},
	{shape: "[13x13x256]", text: "MAX POOL2: 3x3 filters at stride 2"},
	{shape: "[13x13x256]", text: "NORM2: normalization layer"},
	{"[13x13x384]", "CONV3: 384 3x3 filters at stride 1, pad 1", 3, 256, 384},
	{"[13x13x384]", "CONV4: 384 3x3 filters at stride 1, pad 1", 3, 384, 384},
	{"[13x13x256]", "CONV5: 256 3x3 filters at stride 1, pad 1", 3, 384, 256},
	{shape: "[6x6x256]", text: "MAX POOL3: 3x3 filters at stride 2"},
	{"[4096]", "FC6: 4096 neurons", 1, 6 * 6 * 256, 4096},
	{"[4096]", "FC7: 4096 neurons", 1, 4096, 4096},
	{"[1000]", "FC8: 1000 neurons (class scores)", 1, 4096, 1000},
}

func main() {
	// ── Cell 1: the model, built for 227×227×3 and 1000 classes ─────────────
	notebook.Cell(1, "the model, built for 227×227×3 and 1000 classes")
	start := time.Now()
	alexnet, err := zoo.NewAlexNet(nn.NewFactory(tensor.Float32, 1), zoo.AlexNetConfig{Classes: 1000, Input: 227})
	notebook.Check(err)
	fmt.Printf("%d layers, %d parameter tensors, drawn in %.1fs:\n", len(alexnet.Layers), len(nn.Trainable(alexnet.Params())), time.Since(start).Seconds())
	for _, l := range alexnet.Layers {
		fmt.Printf(" %s", name(l))
	}
	fmt.Println()
	// Summarize only builds the graph, which is where shapes are checked:
	// nothing runs at 227×227.
	sum, err := nn.Summarize(alexnet, 1, 3, 227, 227)
	notebook.Check(err)
	fmt.Printf("summary: %d rows, input %v, output %v\n", len(sum.Rows), sum.Input, sum.Rows[len(sum.Rows)-1].Out)

	// ── Cell 2: the lecture's table, line by line ───────────────────────────
	notebook.Cell(2, "the lecture's table, line by line")
	// The lecture's lines are the summary's rows less the ReLUs, the
	// flatten, the dropouts and the model's own row.
	rows := tableRows(sum, "alexnet")
	if len(rows) != len(lecture)-1 {
		log.Fatalf("the model has %d table rows, the lecture %d layers", len(rows), len(lecture)-1)
	}
	fmt.Printf("%-57s %-13s %-42s %s\n", "the lecture", "the model", "layer", "parameters")
	fmt.Printf("%-57s %-13s %s\n", lecture[0].shape+"  "+lecture[0].text, hwc(sum.Input), "input")
	notebook.Expect("input", hwc(sum.Input), lecture[0].shape)
	total := 0
	for i, r := range rows {
		want := lecture[i+1]
		got := hwc(r.Out)
		params := "parameters: 0"
		byHand := 0
		if want.out > 0 {
			byHand = (want.k*want.k*want.in + 1) * want.out
			params = fmt.Sprintf("%s = (%s + 1)·%d", commas(r.Params), factors(want), want.out)
		}
		fmt.Printf("%-13s%-44s %-13s %-42s %s\n", want.shape, want.text, got, r.Kind, params)
		if got != want.shape || r.Params != byHand {
			log.Fatalf("%s: the model gives %s with %d parameters, the lecture %s with %d", want.text, got, r.Params, want.shape, byHand)
		}
		total += r.Params
	}
	fmt.Println("✓ every shape is the lecture's, every count the one worked out by hand")
	fmt.Printf("sum of the rows: %s; the summary's total: %s\n", commas(total), commas(sum.Params))
	notebook.Expect("total parameters, one tower", commas(sum.Params), "62,378,344")
	fc := rows[len(rows)-3].Params + rows[len(rows)-2].Params + rows[len(rows)-1].Params
	fmt.Printf("the three fully connected layers hold %s of them (%.1f%%); the five convolutions %s\n",
		commas(fc), 100*float64(fc)/float64(sum.Params), commas(sum.Params-fc))

	// ── Cell 3: two towers, as the net was split over two GPUs ──────────────
	notebook.Cell(3, "two towers, as the net was split over two GPUs")
	// conv2, conv4 and conv5 see only the maps of their own GPU (2 groups):
	// each of their filters has half the input channels.
	twoTower, err := zoo.NewAlexNet(nn.NewFactory(tensor.Float32, 1), zoo.AlexNetConfig{Classes: 1000, Input: 227, TwoTower: true})
	notebook.Check(err)
	sum2, err := nn.Summarize(twoTower, 1, 3, 227, 227)
	notebook.Check(err)
	rows2 := tableRows(sum2, "alexnet-2tower")
	saved := 0
	for i, r := range rows2 {
		if r.Params != rows[i].Params || r.Kind != rows[i].Kind {
			fmt.Printf("%-6s %-38s %-12s %10s parameters (one tower: %s)\n", r.Path, r.Kind, hwc(r.Out), commas(r.Params), commas(rows[i].Params))
			if hwc(r.Out) != hwc(rows[i].Out) {
				log.Fatalf("%s: two towers give %s, one tower %s", r.Path, hwc(r.Out), hwc(rows[i].Out))
			}
			saved += rows[i].Params - r.Params
		}
	}
	halves := (5*5*96*256 + 3*3*384*384 + 3*3*384*256) / 2
	fmt.Printf("half the weights of conv2, conv4, conv5: (5·5·96·256 + 3·3·384·384 + 3·3·384·256)/2 = %s; the summaries differ by %s\n", commas(halves), commas(saved))
	notebook.Expect("parameters saved by two towers", commas(saved), commas(halves))
	notebook.Expect("total parameters, two towers", commas(sum2.Params), "60,965,224")

	// ── Cell 4: the training recipe, in the solvers API ─────────────────────
	notebook.Cell(4, "the training recipe, in the solvers API")
	const (
		batch    = 128
		momentum = 0.9
		lr       = 1e-2
		decay    = 5e-4
		patience = 2 // epochs without a lower validation loss before ÷10 (the paper did it by eye)
	)
	sgd := solvers.NewSGD(momentum, false, solvers.Decay{Rate: decay}) // the paper decays every weight, biases too
	plateau := solvers.NewPlateau(lr, patience)
	cfg := solvers.Config{Epochs: 90, Optimizer: sgd, Schedule: plateau, Seed: 1} // "roughly 90 cycles" (§5)
	fmt.Printf("%-42s → %s\n", "batch size 128", fmt.Sprintf("datasets.LoaderConfig{BatchSize: %d, Shuffle: true, DropLast: true}; input (%d, 3, 227, 227)", batch, batch))
	fmt.Printf("%-42s → %s\n", "SGD with momentum 0.9, weight decay 5e-4", fmt.Sprintf("solvers.NewSGD(%g, false, solvers.Decay{Rate: %g}): momentum %g, Nesterov %t, decay %+v", momentum, decay, sgd.Momentum, sgd.Nesterov, sgd.Decay))
	fmt.Printf("%-42s → %s\n", "learning rate 1e-2, ÷10 on a plateau", fmt.Sprintf("solvers.NewPlateau(%g, %d): base %g, factor %g, patience %d, threshold %g", lr, patience, plateau.Base, plateau.Factor, plateau.Patience, plateau.Threshold))
	var dropouts, relus []string
	for _, r := range sum.Rows {
		switch {
		case strings.HasPrefix(r.Kind, "Dropout"):
			dropouts = append(dropouts, r.Path+" "+r.Kind)
		case r.Kind == "ReLU":
			relus = append(relus, r.Kind)
		}
	}
	fmt.Printf("%-42s → %s\n", "dropout 0.5", "in the model, after FC6 and FC7: "+strings.Join(dropouts, ", "))
	fmt.Printf("%-42s → %d ReLU layers, after every conv and hidden FC layer\n", "ReLU", len(relus))
	fmt.Printf("%-42s → solvers.Config{Epochs: %d, Optimizer: sgd, Schedule: plateau}: the trainer feeds the plateau each epoch's test loss\n", "the loop", cfg.Epochs)
	notebook.Expect("dropout layers", strings.Join(dropouts, ", "), "dropout6 Dropout(p=0.5), dropout7 Dropout(p=0.5)")
	notebook.Expect("ReLU layers", len(relus), 7)
	// The paper writes the update as v ← 0.9·v − 0.0005·ε·w − ε·∂L/∂w,
	// w ← w + v (§5). solvers.SGD keeps PyTorch's form, v ← μ·v + ∂L/∂w + λ·w,
	// w ← w − lr·v: at a fixed rate the two are one rule, v_paper = −lr·v.
	// Three steps on L = ½‖w‖² (so ∂L/∂w = w), both ways:
	w := &nn.Param{Name: "w", Trainable: true, Value: tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{1, -2}))}
	paperW, paperV := []float64{1, -2}, []float64{0, 0}
	probe := solvers.NewSGD(momentum, false, solvers.Decay{Rate: decay})
	for step := 1; step <= 3; step++ {
		grad := w.Value.Clone().(tensor.Tensor)
		notebook.Check(probe.Step([]*nn.Param{w}, []tensor.Tensor{grad}, lr))
		for i := range paperW {
			paperV[i] = momentum*paperV[i] - decay*lr*paperW[i] - lr*paperW[i]
			paperW[i] += paperV[i]
		}
		got := w.Value.Data().([]float64)
		fmt.Printf("step %d: solvers.SGD w = [%.9f %.9f], the paper's rule w = [%.9f %.9f]\n", step, got[0], got[1], paperW[0], paperW[1])
		if math.Abs(got[0]-paperW[0]) > 1e-12 || math.Abs(got[1]-paperW[1]) > 1e-12 {
			log.Fatalf("step %d: solvers.SGD and the paper's update differ", step)
		}
	}
	fmt.Println("✓ solvers.SGD is the paper's update")
	// An invented run of validation losses, to show when the rate drops:
	// after patience+1 epochs in a row without a new best.
	fmt.Println("the plateau rule on an invented run of validation losses (the rate the next epoch gets):")
	fmt.Printf("  %-6s %-5s %s\n", "epoch", "loss", "lr")
	for epoch, loss := range []float64{2.9, 2.1, 1.8, 1.79, 1.80, 1.81, 1.80, 1.5, 1.45, 1.46, 1.47, 1.46} {
		mark := ""
		if plateau.Observe(loss) {
			mark = fmt.Sprintf("  ÷10: %d epochs without a new best", patience+1)
		}
		fmt.Printf("  %-6d %-5.2f %.3g%s\n", epoch+1, loss, plateau.LR(0), mark)
	}
	notebook.Expect("rate after two plateaus", fmt.Sprintf("%.3g", plateau.LR(0)), fmt.Sprintf("%.3g", lr/100))

	// ── Cell 5: one forward pass at a reduced input, 67×67, 10 classes ──────
	notebook.Cell(5, "one forward pass at a reduced input, 67×67, 10 classes")
	// 67 is the smallest side the three poolings leave a 1×1 map for: FC6
	// then reads 256 features instead of 9216. There is no ImageNet here, so
	// the two images are Gaussian noise.
	small, err := zoo.NewAlexNet(nn.NewFactory(tensor.Float32, 1), zoo.AlexNetConfig{Classes: 10, Input: 67})
	notebook.Check(err)
	sumSmall, err := nn.Summarize(small, 1, 3, 67, 67)
	notebook.Check(err)
	fmt.Print("[67x67x3]")
	for _, r := range tableRows(sumSmall, "alexnet") {
		fmt.Printf(" →%s→ %s", short(r), hwc(r.Out))
	}
	fmt.Printf("\nparameters: %s (FC6: %s)\n", commas(sumSmall.Params), commas(tableRows(sumSmall, "alexnet")[10].Params))
	const n = 2
	rng := rand.New(rand.NewSource(1))
	pixels := make([]float32, n*3*67*67)
	for i := range pixels {
		pixels[i] = float32(rng.NormFloat64())
	}
	eval, err := nn.NewClassifier(small, tensor.Float32, nn.Eval, 1, n, 3, 67, 67)
	notebook.Check(err)
	start = time.Now()
	res, err := eval.Run(tensor.New(tensor.WithShape(n, 3, 67, 67), tensor.WithBacking(pixels)),
		tensor.New(tensor.WithShape(n), tensor.WithBacking([]int{3, 7})))
	notebook.Check(err)
	fmt.Printf("forward pass of %d images in %.2fs: logits %v, loss %.4f (ln 10 = %.4f)\n", n, time.Since(start).Seconds(), res.Logits.Shape(), res.Loss, math.Log(10))
	logits := res.Logits.Data().([]float32)
	for i := range n {
		row := logits[i*10 : (i+1)*10]
		fmt.Printf("  image %d logits %s\n", i, fixed(row))
		fmt.Printf("          probs  %s\n", fixed(softmax(row)))
	}
	// The two images get nearly the same scores. Weights from N(0, 0.01²)
	// scale the part of a layer's output that depends on its input by about
	// 0.01·√(fan-in)/√2 (0.13 in conv1, 0.1 in FC6 here), and the two LRNs
	// shrink it further, so what is left is mostly the constant the biases
	// of 1 put in (§5: "to provide the ReLUs with positive inputs").
	var gap float64
	for k := range 10 {
		gap = max(gap, math.Abs(float64(logits[k]-logits[10+k])))
	}
	fmt.Printf("the two images' logits differ by at most %.5f\n", gap)
	notebook.Expect("logits shape", fmt.Sprint(res.Logits.Shape()), "(2, 10)")
	for _, v := range logits {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			log.Fatalf("logit %v is not finite", v)
		}
	}
	fmt.Println("✓ every logit is finite")
}

// tableRows are the summary's rows that the lecture's table lists: the
// convolutions, poolings, normalizations and fully connected layers.
func tableRows(s *nn.Summary, model string) []nn.SummaryRow {
	var rows []nn.SummaryRow
	for _, r := range s.Rows {
		kind, _, _ := strings.Cut(r.Kind, "(")
		switch kind {
		case "Conv2D", "MaxPool2D", "LRN", "Linear":
			rows = append(rows, r)
		case "ReLU", "Flatten", "Dropout":
		default:
			if r.Path != model {
				log.Fatalf("%s: unexpected row %s %s", model, r.Path, r.Kind)
			}
		}
	}
	return rows
}

// name is a layer's path, or its kind for an unnamed one.
func name(l nn.Layer) string {
	if l.Name() != "" {
		return l.Name()
	}
	kind, _, _ := strings.Cut(fmt.Sprint(l), "(")
	return kind
}

// short names a row in a chain of shapes: its path or its kind.
func short(r nn.SummaryRow) string {
	if r.Path != "" {
		return r.Path
	}
	kind, _, _ := strings.Cut(r.Kind, "(")
	return map[string]string{"MaxPool2D": "pool", "LRN": "norm"}[kind]
}

// hwc writes an NCHW shape as the lecture does, [55x55x96], and an (N, F)
// shape as [4096].
func hwc(s tensor.Shape) string {
	if len(s) == 4 {
		return fmt.Sprintf("[%dx%dx%d]", s[2], s[3], s[1])
	}
	return fmt.Sprintf("[%d]", s[len(s)-1])
}

// factors writes the weights per filter: 11·11·3, or 9216 for a fully
// connected layer.
func factors(l line) string {
	if l.k == 1 {
		return fmt.Sprint(l.in)
	}
	return fmt.Sprintf("%d·%d·%d", l.k, l.k, l.in)
}

// commas writes n with thousands separators: 62,378,344.
func commas(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func softmax(z []float32) []float32 {
	m := z[0]
	for _, v := range z {
		m = max(m, v)
	}
	p := make([]float32, len(z))
	var sum float64
	for i, v := range z {
		e := math.Exp(float64(v - m))
		p[i], sum = float32(e), sum+e
	}
	for i := range p {
		p[i] = float32(float64(p[i]) / sum)
	}
	return p
}

func fixed(v []float32) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprintf("%7.4f", x)
	}
	return strings.Join(s, " ")
}
