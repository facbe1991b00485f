// Command 02-lenet5 is section 6 of the course (shared/guide/lecture.md),
// LeNet-5, as a notebook: the network as published (LeCun, Bottou, Bengio &
// Haffner 1998) and as courses write it today, their summaries, the shape
// after each stage, a forward pass of the untrained nets on real MNIST
// digits, one gradient step, and C3's partial connection table (the
// paper's Table I). Every cell prints what it computed; every number the
// paper gives is compared with it, and a mismatch stops the program.
//
//	go run ./examples/02-lenet5
//
// It is deterministic (fixed seeds), needs no flags or downloads (MNIST ships
// in a Go module) and runs in about a second.
package main

import (
	"fmt"
	"log"
	"math"
	"strings"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/examples/internal/notebook"
	"github.com/convgraph/convgraph/nn"
	"github.com/convgraph/convgraph/solvers"
	"github.com/convgraph/convgraph/zoo"
	"github.com/convgraph/convgraph/zoo/datasets"
)

// variants are the two LeNet-5s of the zoo: the paper's, on 32×32 inputs,
// and the modern one (ReLU, max pooling, full C3) on MNIST's own 28×28.
var variants = []string{"lenet5", "lenet5-modern"}

// digits is how many test digits the forward pass and the gradient step see.
const digits = 8

// lr is the rate of the single SGD step of Cell 4.
const lr = 0.02

func main() {
	// ── Cell 1: the two variants and their summaries ────────────────────────
	notebook.Cell(1, "the two variants and their summaries")
	models := map[string]nn.Layer{}
	inputs := map[string][]int{}
	summaries := map[string]*nn.Summary{}
	for _, name := range variants {
		// One factory per model, so each starts from the same seed whatever
		// was built before it.
		model, in, err := zoo.New(name, nn.NewFactory(tensor.Float32, 1), 10)
		notebook.Check(err)
		sum, err := nn.Summarize(model, append([]int{1}, in...)...)
		notebook.Check(err)
		models[name], inputs[name], summaries[name] = model, in, sum
		fmt.Printf("%s (input %s):\n", name, dims(in))
		fmt.Print(sum)
		fmt.Println()
	}
	notebook.Expect("lenet5 parameters", summaries["lenet5"].Params, 60850)
	notebook.Expect("lenet5-modern parameters", summaries["lenet5-modern"].Params, 61706)

	// ── Cell 2: the shape after each stage ──────────────────────────────────
	notebook.Cell(2, "the shape after each stage")
	// The paper's Fig. 2, stage by stage, with the trainable parameters
	// §II.B counts. Its output layer is 10 RBF units with fixed weights; the
	// zoo's is a linear classifier, 84·10 + 10 = 850 parameters.
	paper := []struct {
		stage, shape string
		params       int
	}{
		{"c1", "6×28×28", 156}, {"s2", "6×14×14", 12}, {"c3", "16×10×10", 1516}, {"s4", "16×5×5", 32},
		{"c5", "120×1×1", 48120}, {"f6", "84", 10164}, {"output", "10", 850},
	}
	fmt.Println("lenet5, against LeCun et al. (1998), Fig. 2 and §II.B:")
	fmt.Printf("  %-7s %-46s %-9s %-9s %7s\n", "stage", "kind", "output", "paper", "params")
	stages := stageRows(summaries["lenet5"], "lenet5")
	if len(stages) != len(paper) {
		log.Fatalf("lenet5 has %d stages, the paper %d", len(stages), len(paper))
	}
	for i, r := range stages {
		p := paper[i]
		fmt.Printf("  %-7s %-46s %-9s %-9s %7d\n", r.Path, r.Kind, dims(r.Out[1:]), p.shape, r.Params)
		if r.Path != p.stage || dims(r.Out[1:]) != p.shape || r.Params != p.params {
			log.Fatalf("lenet5 stage %d: %s %s with %d parameters, the paper says %s %s with %d",
				i, r.Path, dims(r.Out[1:]), r.Params, p.stage, p.shape, p.params)
		}
	}
	fmt.Println("  ✓ every stage has the paper's shape and parameter count")
	for _, name := range variants {
		fmt.Printf("%s: %s", name, dims(inputs[name]))
		for _, r := range summaries[name].Rows {
			if isActivation(r.Kind) || r.Path == name {
				continue
			}
			fmt.Printf(" →%s→ %s", short(r), dims(r.Out[1:]))
		}
		fmt.Println()
	}

	// ── Cell 3: the untrained nets on real MNIST digits ─────────────────────
	notebook.Cell(3, "the untrained nets on real MNIST digits")
	_, test, err := datasets.LoadMNIST("")
	notebook.Check(err)
	fmt.Printf("MNIST test set: %d digits of %d×%d; the first %d\n", test.Len(), test.H, test.W, digits)
	batches := map[string]*datasets.Batch{}
	for _, name := range variants {
		batches[name] = firstBatch(test.Slice(0, digits), inputs[name], name)
		b := batches[name]
		fmt.Printf("%s batch %v, labels %v, pixels in [%.3f, %.3f]\n", name, b.Shape(), b.Labels, minOf(b.X), maxOf(b.X))
	}
	// Chance is a loss of ln 10: an untrained net should be near it, its
	// probabilities near 0.1 and its guesses no better than chance.
	fmt.Printf("chance: loss ln 10 = %.4f, probability 0.1 for each class\n", math.Log(10))
	for _, name := range variants {
		b := batches[name]
		eval, err := nn.NewClassifier(models[name], tensor.Float32, nn.Eval, 1, b.Shape()...)
		notebook.Check(err)
		res, err := eval.Run(b.Tensor(), labels(b))
		notebook.Check(err)
		logits := floats(res.Logits)
		fmt.Printf("\n%s: loss %.4f; logits and softmax probabilities per digit:\n", name, res.Loss)
		fmt.Printf("  %-5s %-5s %-79s %s\n", "label", "guess", "logits 0 … 9", "p(label)  max p")
		for i := range b.N {
			row := logits[i*10 : (i+1)*10]
			p := softmax(row)
			guess := argmax(row)
			fmt.Printf("  %-5d %-5d %s  %.3f    %.3f\n", b.Labels[i], guess, fixed(row, 7), p[b.Labels[i]], p[guess])
		}
		// How much the logits depend on the digit at all: the largest gap
		// between two digits' values of the same logit. For the 1998 net it
		// is tiny: weights from U(±2.4/Fi) have a deviation of 1.39/Fi, so a
		// stage of fan-in Fi scales the part of its output that depends on the
		// image by about 1.14·1.39/√Fi (1.14, the squashing's slope at 0):
		// 0.32 in C1, 0.16 in C3, 0.08 in C5, 0.15 in F6 and in the output
		// layer, which S2 and S4 (×1.6) do not make up for. What is left is
		// the biases' constant part.
		var spread float64
		for k := range 10 {
			lo, hi := math.Inf(1), math.Inf(-1)
			for i := range b.N {
				lo, hi = min(lo, logits[i*10+k]), max(hi, logits[i*10+k])
			}
			spread = max(spread, hi-lo)
		}
		fmt.Printf("  the same logit differs between two digits by at most %.4f\n", spread)
		if math.Abs(res.Loss-math.Log(10)) > 0.5 {
			log.Fatalf("%s: an untrained loss of %.4f, far from ln 10 = %.4f", name, res.Loss, math.Log(10))
		}
		fmt.Printf("  ✓ the loss is within 0.5 of ln 10 = %.4f\n", math.Log(10))
	}

	// ── Cell 4: one gradient step on the same digits ────────────────────────
	notebook.Cell(4, "one gradient step on the same digits")
	// Plain SGD, w ← w − lr·∇w. To first order the loss falls by
	// lr·Σ‖∇w‖², which the step should come close to.
	for _, name := range variants {
		b := batches[name]
		train, err := nn.NewClassifier(models[name], tensor.Float32, nn.Train, 1, b.Shape()...)
		notebook.Check(err)
		before, err := train.Run(b.Tensor(), labels(b))
		notebook.Check(err)
		fmt.Printf("%s: %d trainable tensors; loss before the step %.4f\n", name, len(train.Trainable), before.Loss)
		fmt.Printf("  %-14s %-16s %10s\n", "parameter", "shape", "‖grad‖")
		var sumSq float64
		for i, p := range train.Trainable {
			n := norm(before.Grads[i])
			sumSq += n * n
			fmt.Printf("  %-14s %-16s %10.5f\n", p.Name, fmt.Sprint(p.Value.Shape()), n)
		}
		if c3 := maskedC3(models[name]); c3 != nil {
			// The mask zeroes the unconnected weights in the forward pass, so
			// they receive no gradient either.
			g := floats(before.Grads[index(train.Trainable, c3.Conv.Weight)])
			mask := floats(c3.Mask.Value)
			var outside, inside int
			for i, m := range mask {
				switch {
				case m == 0 && g[i] != 0:
					outside++
				case m != 0 && g[i] != 0:
					inside++
				}
			}
			fmt.Printf("  c3.weight: %d nonzero gradients among its 1500 connected weights, %d among the %d unconnected\n",
				inside, outside, len(mask)-1500)
			notebook.Expect("c3 gradients outside Table I", outside, 0)
		}
		sgd := solvers.NewSGD(0, false, solvers.Decay{})
		predicted := lr * sumSq
		notebook.Check(sgd.Step(train.Trainable, before.Grads, lr))
		after, err := train.Run(b.Tensor(), labels(b))
		notebook.Check(err)
		fmt.Printf("  SGD step at lr %g: loss %.4f → %.4f (fell by %.4f; first order predicts lr·Σ‖∇w‖² = %.4f)\n",
			lr, before.Loss, after.Loss, before.Loss-after.Loss, predicted)
		if !(after.Loss < before.Loss) {
			log.Fatalf("%s: the loss rose from %.4f to %.4f after one step", name, before.Loss, after.Loss)
		}
		fmt.Printf("  ✓ the loss fell\n")
	}

	// ── Cell 5: C3's connection table (Table I of the paper) ────────────────
	notebook.Cell(5, "C3's connection table (Table I of the paper)")
	c3 := maskedC3(models["lenet5"])
	if c3 == nil {
		log.Fatal("lenet5 has no masked C3 layer")
	}
	fmt.Println(c3.Conv.Path+":", c3)
	table := connections(c3)
	// Row i is S2's map i, column j is C3's map j (Table I, as printed).
	fmt.Print("     ")
	for j := range 16 {
		fmt.Printf("%3d", j)
	}
	fmt.Println()
	pairs := 0
	for i, row := range table {
		fmt.Printf("  %d  ", i)
		for _, x := range row {
			fmt.Printf("%3s", map[bool]string{true: "X", false: ""}[x == 'X'])
			if x == 'X' {
				pairs++
			}
		}
		fmt.Println()
	}
	// LeCun et al. (1998), Table I: "Each column indicates which feature map
	// in S2 are combined by the units in a particular feature map of C3."
	tableI := [6]string{
		"X   XXX  XXXX XX",
		"XX   XXX  XXXX X",
		"XXX   XXX  X XXX",
		" XXX  XXXX  X XX",
		"  XXX  XXXX XX X",
		"   XXX  XXXX XXX",
	}
	for i := range tableI {
		notebook.Expect(fmt.Sprintf("row %d against Table I", i), table[i], tableI[i])
	}
	fmt.Printf("%d of the 96 map pairs connected, %d·25 weights + 16 biases = %d parameters\n", pairs, pairs, pairs*25+16)
	notebook.Expect("C3 parameters", c3.EffectiveParams(), 1516)
}

// stageRows are the rows of a named layer of the model (its stages),
// without the model's own row.
func stageRows(s *nn.Summary, model string) []nn.SummaryRow {
	var rows []nn.SummaryRow
	for _, r := range s.Rows {
		if r.Path != "" && r.Path != model {
			rows = append(rows, r)
		}
	}
	return rows
}

func isActivation(kind string) bool { return kind == "ReLU" || kind == "LeCunTanh" }

// short names a summary row in a stage chain: its path, or its kind
// without arguments for an unnamed layer (MaxPool2D, Flatten).
func short(r nn.SummaryRow) string {
	if r.Path != "" {
		return r.Path
	}
	kind, _, _ := strings.Cut(r.Kind, "(")
	return kind
}

// dims writes a shape as the lecture does, 6×28×28.
func dims(s []int) string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = fmt.Sprint(d)
	}
	return strings.Join(parts, "×")
}

// firstBatch is all of d as one normalized batch for a model whose input is
// in (C, H, W): padded to the model's side (28 → 32 for the 1998 net) and
// scaled as the paper scales (background −0.1, ink 1.175) for lenet5, or
// with MNIST's mean and deviation for the modern net.
func firstBatch(d *datasets.Dataset, in []int, name string) *datasets.Batch {
	mean, std := datasets.MNISTMean, datasets.MNISTStd
	if name == "lenet5" {
		mean, std = datasets.LeNet5Mean, datasets.LeNet5Std
	}
	l, err := datasets.NewLoader(d, datasets.LoaderConfig{BatchSize: d.Len(), Mean: mean, Std: std, Pad: (in[1] - d.H) / 2})
	notebook.Check(err)
	it := l.Batches(0, 0)
	defer it.Close()
	b, ok := it.Next()
	if !ok {
		notebook.Check(errors.Errorf("%s: no batch from %d digits", name, d.Len()))
	}
	return b.Clone()
}

// labels is a batch's classes as the classifier's integer input.
func labels(b *datasets.Batch) tensor.Tensor {
	return tensor.New(tensor.WithShape(b.N), tensor.WithBacking(append([]int(nil), b.Labels...)))
}

// maskedC3 is the model's partially connected C3, or nil (the modern net's
// C3 is a plain convolution).
func maskedC3(model nn.Layer) *zoo.MaskedConv2D {
	seq, ok := model.(*nn.Sequential)
	if !ok {
		return nil
	}
	for _, l := range seq.Layers {
		if m, ok := l.(*zoo.MaskedConv2D); ok {
			return m
		}
	}
	return nil
}

// connections reads C3's mask (16, 6, 5, 5) back as Table I: row i, column
// j holds 'X' when C3's map j sees S2's map i. Each 5×5 kernel must be all
// ones or all zeros.
func connections(c3 *zoo.MaskedConv2D) [6]string {
	mask := floats(c3.Mask.Value)
	var rows [6][16]byte
	for j := range 16 {
		for i := range 6 {
			k := mask[(j*6+i)*25 : (j*6+i+1)*25]
			rows[i][j] = ' '
			if k[0] != 0 {
				rows[i][j] = 'X'
			}
			for _, v := range k {
				if (v != 0) != (k[0] != 0) {
					log.Fatalf("c3 mask: the kernel from S2 map %d to C3 map %d is partly masked", i, j)
				}
			}
		}
	}
	var table [6]string
	for i, r := range rows {
		table[i] = string(r[:])
	}
	return table
}

// index is the position of p in ps.
func index(ps []*nn.Param, p *nn.Param) int {
	for i, q := range ps {
		if q == p {
			return i
		}
	}
	log.Fatalf("parameter %s is not trainable", p.Name)
	return -1
}

// floats is the float32 data of t as float64.
func floats(t tensor.Tensor) []float64 {
	v, ok := t.Data().([]float32)
	if !ok {
		log.Fatalf("floats: a %v tensor %v, want float32", t.Dtype(), t.Shape())
	}
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

func norm(t tensor.Tensor) float64 {
	var s float64
	for _, v := range floats(t) {
		s += v * v
	}
	return math.Sqrt(s)
}

func softmax(z []float64) []float64 {
	m := z[argmax(z)]
	p := make([]float64, len(z))
	var sum float64
	for i, v := range z {
		p[i] = math.Exp(v - m)
		sum += p[i]
	}
	for i := range p {
		p[i] /= sum
	}
	return p
}

func argmax(v []float64) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}

func minOf(v []float32) float32 {
	m := v[0]
	for _, x := range v {
		m = min(m, x)
	}
	return m
}

func maxOf(v []float32) float32 {
	m := v[0]
	for _, x := range v {
		m = max(m, x)
	}
	return m
}

// fixed writes v with 3 decimals in columns of width w.
func fixed(v []float64, w int) string {
	var b strings.Builder
	for i, x := range v {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%*.3f", w, x)
	}
	return b.String()
}
