// Command 04-resnet is section 6 of the course (shared/guide/lecture.md),
// ResNet (He, Zhang, Ren & Sun 2015), as a notebook: the anatomy of a basic
// block, of a downsampling block and its two kinds of shortcut, and of a
// bottleneck; the summaries of ResNet-18 and ResNet-20; and "why the
// shortcut", measured on plain and residual nets of 20 and 56 layers at
// initialization on one CIFAR-10 batch: the gradient that reaches each
// net's first layer, how far that gradient describes the loss (by finite
// differences), and what happens without normalization. Every count the
// paper or torchvision gives is compared with the model, and a mismatch
// stops the program.
//
//	go run ./examples/04-resnet
//
// It is deterministic (fixed seeds), needs no flags and runs in a few
// seconds. It reads the first 16 CIFAR-10 test images from
// $CONVGRAPH_CIFAR10_DIR or shared/data/cifar10 when they are there, and
// says so; otherwise it uses 16 random images and says that instead.
package main

import (
	"fmt"
	"log"
	"math"
	"math/rand"
	"path/filepath"
	"strings"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/examples/internal/notebook"
	"github.com/convgraph/convgraph/graph"
	"github.com/convgraph/convgraph/nn"
	"github.com/convgraph/convgraph/ops"
	"github.com/convgraph/convgraph/zoo"
	"github.com/convgraph/convgraph/zoo/datasets"
)

// batch is the number of images in Cells 5-7: one forward and backward
// pass of each net.
const batch = 16

// net is one of the four nets of the shortcut experiment.
type net struct {
	name     string
	depth    int
	shortcut zoo.Shortcut
}

var nets = []net{
	{"plain20", 20, zoo.NoShortcut}, {"resnet20", 20, zoo.ShortcutA},
	{"plain56", 56, zoo.NoShortcut}, {"resnet56", 56, zoo.ShortcutA},
}

func main() {
	// ── Cell 1: a basic block, layer by layer ───────────────────────────────
	notebook.Cell(1, "a basic block, layer by layer")
	// ResNet-18's layer1.0: two 3×3 convolutions of 64 maps, each followed
	// by a batch norm, and the input added back before the last ReLU:
	// out = relu(bn2(conv2(relu(bn1(conv1(x))))) + x).
	resnet18, err := zoo.NewResNet(nn.NewFactory(tensor.Float32, 1), 18, 1000)
	notebook.Check(err)
	basic := resnet18.Layers[0].Layers[0].(*zoo.BasicBlock)
	s := summarize(basic, 1, 64, 56, 56)
	fmt.Print(s)
	fmt.Printf("conv1 → bn1 → relu → conv2 → bn2 → + x → relu; the shortcut is the identity (Downsample == nil: %t)\n", basic.Downsample == nil)
	notebook.Expect("output shape", fmt.Sprint(out(s)), "(1, 64, 56, 56)")
	notebook.Expect("basic block parameters, 2·(3·3·64·64) + 2·(64 + 64)", s.Params, 2*3*3*64*64+2*(64+64))

	// ── Cell 2: a downsampling block and its shortcut ───────────────────────
	notebook.Cell(2, "a downsampling block and its shortcut")
	// ResNet-18's layer2.0 halves the map and doubles the channels: its
	// conv1 has stride 2, so x no longer has the output's shape. torchvision
	// projects x (option B): a 1×1 convolution at stride 2 and a batch norm.
	down := resnet18.Layers[1].Layers[0].(*zoo.BasicBlock)
	s = summarize(down, 1, 64, 56, 56)
	fmt.Print(s)
	notebook.Expect("output shape", fmt.Sprint(out(s)), "(1, 128, 28, 28)")
	notebook.Expect("projection parameters, 64·128 + 2·128", rowParams(s, "layer2.0.downsample"), 64*128+2*128)
	// The CIFAR nets use option A instead: subsample x and append zero
	// channels. No parameters; here ResNet-20's layer2.0, 16 → 32 maps.
	resnet20, err := zoo.NewCIFARResNet(nn.NewFactory(tensor.Float32, 1), 20, zoo.ShortcutA, 10)
	notebook.Check(err)
	s = summarize(resnet20.Layers[1].Layers[0], 1, 16, 32, 32)
	for _, r := range s.Rows {
		if r.Path == "layer2.0.downsample" {
			fmt.Printf("resnet20 layer2.0: (1, 16, 32, 32) → %v; shortcut %s, %d parameters\n", out(s), r.Kind, r.Params)
			notebook.Expect("option A shortcut parameters", r.Params, 0)
		}
	}
	// Option A on a small input: 2 channels of 4×4 become 4 channels of 2×2,
	// the first two sampled at stride 2, the last two zero.
	x := tensor.New(tensor.WithShape(1, 2, 4, 4), tensor.WithBacking(count(32)))
	y := shortcutA(x, 2, 4)
	fmt.Printf("x %v:\n%s", x.Shape(), planes(x))
	fmt.Printf("ShortcutA(x, stride 2, 4 channels) %v:\n%s", y.Shape(), planes(y))
	notebook.Expect("ShortcutA(x)", flat(y), "[1 3 9 11 17 19 25 27 0 0 0 0 0 0 0 0]")

	// ── Cell 3: a bottleneck block ──────────────────────────────────────────
	notebook.Cell(3, "a bottleneck block")
	// ResNet-50's layer1.1: a 1×1 convolution reduces 256 maps to 64, a 3×3
	// works on the 64, and a 1×1 expands back to 256 (Fig. 5, right).
	resnet50, err := zoo.NewResNet(nn.NewFactory(tensor.Float32, 1), 50, 1000)
	notebook.Check(err)
	neck := resnet50.Layers[0].Layers[1].(*zoo.Bottleneck)
	s = summarize(neck, 1, 256, 56, 56)
	fmt.Print(s)
	notebook.Expect("output shape", fmt.Sprint(out(s)), "(1, 256, 56, 56)")
	byHand := 256*64 + 3*3*64*64 + 64*256 + 2*(64+64+256)
	notebook.Expect("bottleneck parameters, 256·64 + 3·3·64·64 + 64·256 + 2·(64 + 64 + 256)", s.Params, byHand)
	twoConvs := 2*3*3*256*256 + 2*2*256
	fmt.Printf("a basic block on 256 maps would hold 2·(3·3·256·256) + 2·(256 + 256) = %d, %.1f times as many\n",
		twoConvs, float64(twoConvs)/float64(byHand))
	first := resnet50.Layers[0].Layers[0].(*zoo.Bottleneck)
	fmt.Printf("layer1.0 widens 64 → 256 maps at stride 1, so it projects: %s\n", first.Downsample.(*nn.Sequential).Path)

	// ── Cell 4: the summaries of ResNet-18 and ResNet-20 ────────────────────
	notebook.Cell(4, "the summaries of ResNet-18 and ResNet-20")
	s18 := summarize(resnet18, 1, 3, 224, 224)
	fmt.Print(ends(s18.String(), 8, 7))
	notebook.Expect("resnet18 parameters (torchvision)", commas(s18.Params), "11,689,512")
	s20 := summarize(resnet20, 1, 3, 32, 32)
	fmt.Print(ends(s20.String(), 6, 7))
	notebook.Expect("resnet20 parameters (He et al. Table 6: 0.27M)", commas(s20.Params), "269,722")
	plain20, err := zoo.NewCIFARResNet(nn.NewFactory(tensor.Float32, 1), 20, zoo.NoShortcut, 10)
	notebook.Check(err)
	notebook.Expect("plain20 parameters (shortcut A adds none)", commas(summarize(plain20, 1, 3, 32, 32).Params), "269,722")

	// ── Cell 5: why the shortcut: gradients at initialization ───────────────
	notebook.Cell(5, "why the shortcut: gradients at initialization")
	x, labels, source := images()
	fmt.Printf("%d images %v from %s, labels %v\n", batch, x.Shape(), source, labels.Data())
	// Each net as it is trained: batch norms normalize with the batch's
	// statistics. One forward and backward pass; ‖∂L/∂W‖ of a few layers,
	// from the first convolution to the classifier.
	layers := []string{"conv1", "layer1.0.conv1", "layer2.0.conv1", "layer3.0.conv1", "last conv", "fc"}
	norms := map[string]map[string]float64{}
	losses := map[string]float64{}
	for _, n := range nets {
		model := build(n)
		train, err := nn.NewClassifier(model, tensor.Float32, nn.Train, 1, x.Shape()...)
		notebook.Check(err)
		res, err := train.Run(x, labels)
		notebook.Check(err)
		losses[n.name] = res.Loss
		norms[n.name] = map[string]float64{}
		for i, p := range train.Trainable {
			if layer, ok := row(p.Name, n.depth); ok {
				norms[n.name][layer] = norm(res.Grads[i])
			}
		}
	}
	table("train mode: ‖∂L/∂W‖ at initialization", layers, norms, losses)
	fmt.Printf("first-layer gradient norm, train mode: plain20 %.4g resnet20 %.4g plain56 %.4g resnet56 %.4g\n",
		norms["plain20"]["conv1"], norms["resnet20"]["conv1"], norms["plain56"]["conv1"], norms["resnet56"]["conv1"])
	// He et al. (§4.1) train their plain nets with batch norm, which they
	// say keeps gradients from vanishing ("we also verify that the backward
	// propagated gradients exhibit healthy norms with BN"). Here they do not
	// vanish either: from the classifier back to the input, the plain net's
	// gradient grows stage after stage, and at 56 layers its first layer
	// gets a gradient hundreds of times the residual net's. Yang et al.
	// (2019), "A Mean Field Theory of Batch Normalization", show that batch
	// norm makes gradients explode with depth at initialization. The
	// shortcut gives every block a path on which the gradient passes
	// unchanged, so the residual nets' norms stay within a small factor
	// from the last layer to the first, at either depth.
	for _, n := range nets {
		fmt.Printf("%-8s ‖∂L/∂W‖ conv1 / last conv = %8.1f\n", n.name, norms[n.name]["conv1"]/norms[n.name]["last conv"])
	}
	fmt.Printf("from 20 to 56 layers the first-layer gradient grows %.0f× in the plain net, %.1f× in the residual one\n",
		norms["plain56"]["conv1"]/norms["plain20"]["conv1"], norms["resnet56"]["conv1"]/norms["resnet20"]["conv1"])

	// ── Cell 6: how far each gradient holds, by finite differences ─────────
	notebook.Cell(6, "how far each gradient holds, by finite differences")
	// A gradient this large could be a bug. Along u = g/‖g‖, g the gradient
	// of conv1's weight, the central difference (L(w + εu) − L(w − εu))/2ε
	// tends to ‖g‖ as ε → 0. How small ε must be says how far from w the
	// gradient still describes the loss. In float64: in float32 the plain
	// net's gradient itself moves by a few percent with the rounding of its
	// convolutions (direct against Winograd's), the same shattering at the
	// scale of one rounding.
	steps := []float64{1e-2, 1e-4, 1e-8}
	fmt.Printf("  %-9s %9s %9s", "", "‖w‖", "‖g‖")
	for _, eps := range steps {
		fmt.Printf("%20s", fmt.Sprintf("FD at ε = %g", eps))
	}
	fmt.Println()
	for _, n := range nets[2:] {
		w, g, fd := directional(n, x, labels, steps)
		fmt.Printf("  %-9s %9.4g %9.4g", n.name, w, g)
		for _, d := range fd {
			fmt.Printf("%20s", fmt.Sprintf("%.4g (%.0f%%)", d, 100*d/g))
		}
		fmt.Println()
		if last := fd[len(fd)-1]; math.Abs(last-g) > 0.05*g {
			log.Fatalf("%s: the gradient of conv1 is %g, finite differences at ε = %g say %g", n.name, g, steps[len(steps)-1], last)
		}
	}
	fmt.Printf("✓ both gradients agree with finite differences at ε = %g within 5%%\n", steps[len(steps)-1])
	// So the plain net's gradient is right, but it describes the loss only
	// very close to w, whose norm is about 2.4: a little further along it
	// the loss no longer changes as the gradient says (the percentages are
	// of ‖g‖). The residual net's gradient still holds at ε = 1e-2.
	// Balduzzi et al. (2017), "The Shattered Gradients Problem", describe
	// this: with depth, a plain net's gradient comes to look like noise,
	// and the shortcuts keep it coherent. Gradient descent has little to go
	// on where the gradient holds only over steps far smaller than any
	// learning rate takes.

	// ── Cell 7: without normalization, the plain net's signal vanishes ──────
	notebook.Cell(7, "without normalization, the plain net's signal vanishes")
	// The same nets built in eval mode: each batch norm uses its running
	// statistics, still at their initial mean 0 and variance 1, so it
	// passes its input through unchanged and nothing is normalized. The
	// textbook picture returns for the plain nets: their output fades with
	// depth (the logits hardly vary between images, the loss sits at
	// ln 10) and the first layer's gradient vanishes. Without normalization
	// the residual nets go the other way: every block adds its branch to x,
	// and the signal grows with depth.
	evalNorms := map[string]map[string]float64{}
	evalLosses := map[string]float64{}
	for _, n := range nets {
		loss, conv1, fc, spread := evalGradients(n, x, labels)
		evalLosses[n.name] = loss
		evalNorms[n.name] = map[string]float64{"conv1": conv1, "fc": fc, "logit spread": spread}
	}
	table("eval mode (no normalization): ‖∂L/∂W‖ at initialization", []string{"conv1", "fc", "logit spread"}, evalNorms, evalLosses)
	fmt.Printf("first-layer gradient norm, eval mode: plain20 %.4g resnet20 %.4g plain56 %.4g resnet56 %.4g\n",
		evalNorms["plain20"]["conv1"], evalNorms["resnet20"]["conv1"], evalNorms["plain56"]["conv1"], evalNorms["resnet56"]["conv1"])
	fmt.Printf("(ln 10 = %.4f; logit spread: the largest standard deviation of a logit over the batch)\n", math.Log(10))
}

func summarize(l nn.Layer, shape ...int) *nn.Summary {
	s, err := nn.Summarize(l, shape...)
	notebook.Check(err)
	return s
}

// out is the output shape of a summarized layer (its own row comes last).
func out(s *nn.Summary) tensor.Shape { return s.Rows[len(s.Rows)-1].Out }

// rowParams adds up the parameters of the rows under path.
func rowParams(s *nn.Summary, path string) int {
	n := 0
	for _, r := range s.Rows {
		if r.Path == path || strings.HasPrefix(r.Path, path+".") {
			n += r.Params
		}
	}
	return n
}

// ends keeps the first head and last tail lines of a summary table.
func ends(text string, head, tail int) string {
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) <= head+tail {
		return text
	}
	skipped := fmt.Sprintf("… %d more rows …", len(lines)-head-tail)
	return strings.Join(append(append(lines[:head:head], skipped), lines[len(lines)-tail:]...), "\n") + "\n"
}

// shortcutA runs ops.ShortcutA on x in a graph of its own.
func shortcutA(x *tensor.Dense, stride, channels int) tensor.Tensor {
	g, err := graph.New(tensor.Float64)
	notebook.Check(err)
	in, err := g.Input("x", x.Shape()...)
	notebook.Check(err)
	y, err := ops.ShortcutA(in, stride, channels)
	notebook.Check(err)
	prog, err := g.Compile(y)
	notebook.Check(err)
	res, err := prog.Run(graph.Feeds{"x": x})
	notebook.Check(err)
	return res[0]
}

// count is 1, 2, …, n.
func count(n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = float64(i + 1)
	}
	return v
}

// planes writes a (1, C, H, W) float64 tensor channel by channel, the rows
// of each channel side by side with the next.
func planes(t tensor.Tensor) string {
	s := t.Shape()
	v := t.Data().([]float64)
	var b strings.Builder
	for i := range s[2] {
		b.WriteString(" ")
		for c := range s[1] {
			b.WriteString("  [")
			for j := range s[3] {
				fmt.Fprintf(&b, "%3g", v[(c*s[2]+i)*s[3]+j])
			}
			b.WriteString(" ]")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// flat writes a float64 tensor's elements in order: [1 3 9 11 …].
func flat(t tensor.Tensor) string { return fmt.Sprint(t.Data()) }

// images is one batch of CIFAR-10 test images, normalized, or random ones
// when CIFAR-10 is not on this machine; source says which.
func images() (x, labels *tensor.Dense, source string) {
	dir, err := datasets.CIFAR10Dir()
	if err == nil {
		var test *datasets.Dataset
		if test, err = datasets.LoadCIFAR10Files("cifar10-test", filepath.Join(dir, datasets.CIFAR10TestFile)); err == nil {
			l, err := datasets.NewLoader(test.Slice(0, batch), datasets.LoaderConfig{BatchSize: batch, Mean: datasets.CIFAR10Mean, Std: datasets.CIFAR10Std})
			notebook.Check(err)
			it := l.Batches(0, 0)
			defer it.Close()
			b, ok := it.Next()
			if !ok {
				log.Fatalf("cifar10: no batch of %d from %s", batch, dir)
			}
			b = b.Clone()
			return b.Tensor(), intTensor(b.Labels), "the CIFAR-10 test set in " + dir
		}
	}
	rng := rand.New(rand.NewSource(1))
	pixels := make([]float32, batch*3*32*32)
	for i := range pixels {
		pixels[i] = float32(rng.NormFloat64())
	}
	classes := make([]int, batch)
	for i := range classes {
		classes[i] = rng.Intn(10)
	}
	source = fmt.Sprintf("random N(0, 1) pixels (CIFAR-10 is not here: %v)", err)
	return tensor.New(tensor.WithShape(batch, 3, 32, 32), tensor.WithBacking(pixels)), intTensor(classes), source
}

func intTensor(v []int) *tensor.Dense {
	return tensor.New(tensor.WithShape(len(v)), tensor.WithBacking(append([]int(nil), v...)))
}

// build makes one of the four nets, each from the same seed.
func build(n net) *zoo.ResNet { return buildAs(n, tensor.Float32) }

// buildAs builds net n in the given dtype, its weights from seed 1.
func buildAs(n net, dt tensor.Dtype) *zoo.ResNet {
	m, err := zoo.NewCIFARResNet(nn.NewFactory(dt, 1), n.depth, n.shortcut, 10)
	notebook.Check(err)
	return m
}

// row names the table row of a weight: "conv1", "layer2.0.conv1", "last
// conv" (the last block's conv2) or "fc"; ok is false for other parameters.
func row(param string, depth int) (string, bool) {
	last := fmt.Sprintf("layer3.%d.conv2.weight", (depth-2)/6-1)
	switch param {
	case "conv1.weight", "layer1.0.conv1.weight", "layer2.0.conv1.weight", "layer3.0.conv1.weight", "fc.weight":
		return strings.TrimSuffix(param, ".weight"), true
	case last:
		return "last conv", true
	}
	return "", false
}

// table prints one row per layer and one column per net, and the losses.
func table(title string, rows []string, norms map[string]map[string]float64, losses map[string]float64) {
	fmt.Println(title + ":")
	fmt.Printf("  %-15s", "")
	for _, n := range nets {
		fmt.Printf("%11s", n.name)
	}
	fmt.Println()
	for _, r := range rows {
		fmt.Printf("  %-15s", r)
		for _, n := range nets {
			fmt.Printf("%11.4g", norms[n.name][r])
		}
		fmt.Println()
	}
	fmt.Printf("  %-15s", "loss")
	for _, n := range nets {
		fmt.Printf("%11.4f", losses[n.name])
	}
	fmt.Println()
}

// directional returns ‖w‖ and ‖g‖, w conv1's weight and g the gradient of
// the loss with respect to it, and the central differences of the loss
// along g/‖g‖ at each step in steps, on the train-mode graph.
func directional(n net, x, labels tensor.Tensor, steps []float64) (wnorm, gnorm float64, fd []float64) {
	model := buildAs(n, tensor.Float64)
	x64 := make([]float64, x.Shape().TotalSize())
	for i, v := range x.Data().([]float32) {
		x64[i] = float64(v)
	}
	x = tensor.New(tensor.WithShape(x.Shape()...), tensor.WithBacking(x64))
	train, err := nn.NewClassifier(model, tensor.Float64, nn.Train, 1, x.Shape()...)
	notebook.Check(err)
	res, err := train.Run(x, labels)
	notebook.Check(err)
	w := model.Conv1.Weight
	var g []float64
	for i, p := range train.Trainable {
		if p == w {
			g = append([]float64(nil), res.Grads[i].Data().([]float64)...)
		}
	}
	for _, v := range g {
		gnorm += v * v
	}
	for _, v := range w.Value.Data().([]float64) {
		wnorm += v * v
	}
	gnorm, wnorm = math.Sqrt(gnorm), math.Sqrt(wnorm)
	wv := w.Value.Data().([]float64)
	orig := append([]float64(nil), wv...)
	defer copy(wv, orig)
	loss := func(step float64) float64 {
		for i := range wv {
			wv[i] = orig[i] + step*g[i]/gnorm
		}
		r, err := train.Run(x, labels)
		notebook.Check(err)
		return r.Loss
	}
	for _, eps := range steps {
		fd = append(fd, (loss(eps)-loss(-eps))/(2*eps))
	}
	return wnorm, gnorm, fd
}

// evalGradients builds net n in eval mode with a cross-entropy loss and
// returns the loss, the gradient norms of conv1's and fc's weights, and the
// largest standard deviation of a logit over the batch.
func evalGradients(n net, x, labels tensor.Tensor) (loss, conv1, fc, spread float64) {
	model := build(n)
	built, err := nn.Build(model, tensor.Float32, nn.Eval, 1, x.Shape()...)
	notebook.Check(err)
	lab, err := built.G.InputOf(nn.LabelsName, tensor.Int, x.Shape()[0])
	notebook.Check(err)
	l, err := ops.SoftmaxCrossEntropy(built.Output, lab)
	notebook.Check(err)
	var wrt gorgonia.Nodes
	for _, p := range []*nn.Param{model.Conv1.Weight, model.FC.Weight} {
		node, err := built.Param(p)
		notebook.Check(err)
		wrt = append(wrt, node)
	}
	grads, err := built.G.Grad(l, wrt...)
	notebook.Check(err)
	prog, err := built.G.Compile(append(gorgonia.Nodes{l, built.Output}, grads...)...)
	notebook.Check(err)
	res, err := prog.Run(graph.Feeds{nn.InputName: x, nn.LabelsName: labels})
	notebook.Check(err)
	loss, err = nn.Scalar(res[0])
	notebook.Check(err)
	logits := res[1].Data().([]float32)
	rows, classes := res[1].Shape()[0], res[1].Shape()[1]
	for k := range classes {
		var sum, sumSq float64
		for i := range rows {
			v := float64(logits[i*classes+k])
			sum, sumSq = sum+v, sumSq+v*v
		}
		mean := sum / float64(rows)
		spread = max(spread, math.Sqrt(max(sumSq/float64(rows)-mean*mean, 0)))
	}
	return loss, norm(res[2]), norm(res[3]), spread
}

func norm(t tensor.Tensor) float64 {
	var s float64
	for _, v := range t.Data().([]float32) {
		s += float64(v) * float64(v)
	}
	return math.Sqrt(s)
}

// commas writes n with thousands separators: 11,689,512.
func commas(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
