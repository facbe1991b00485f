// Command resnet-cifar10 repeats the degradation experiment of He et al.
// (2015), "Deep Residual Learning for Image Recognition", §4.2 and Fig. 6, at
// this machine's scale: plain nets and ResNets of the same depths are trained
// on CIFAR-10 with the same recipe, one after the other, and their training
// and test error curves are drawn side by side. In the paper the deeper plain
// net is worse than the shallower one, on the training set too (so it is not
// overfitting), while the deeper ResNet is better (Table 6: ResNet-20 8.75%,
// ResNet-56 6.97% test error).
//
//	go run ./examples/resnet-cifar10            # plain/ResNet 20 and 56, the paper's recipe, 10 epochs of 10,000 images
//	go run ./examples/resnet-cifar10 -fast      # cosine schedule, 4 epochs
//	go run ./examples/resnet-cifar10 -train 50000 -test 10000 -epochs 164  # the paper's 64k steps: days on a CPU
//
// The data is read from -data (default $CONVGRAPH_CIFAR10_DIR, else the
// project's shared/data/cifar10), in the official binary format. Each net
// keeps a checkpoint and a metrics log in -out; -resume continues every net
// from its checkpoint (with the same flags), so a long run can be stopped: at
// the defaults the four nets take 3-4 hours on 2 cores, ResNet-56 training at
// about 23 images/s.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/examples/internal/report"
	"github.com/convgraph/convgraph/nn"
	"github.com/convgraph/convgraph/solvers"
	"github.com/convgraph/convgraph/zoo"
	"github.com/convgraph/convgraph/zoo/datasets"
)

// evalBatch bounds the images per evaluation graph: a ResNet-110 keeps every
// activation of a batch in memory (and each convolution its im2col buffer).
const evalBatch = 100

func main() {
	defaultDir, dirErr := datasets.CIFAR10Dir()
	depthList := flag.String("depths", "20,56", "depths 6n+2 to compare, plain and residual (the paper: 20,32,44,56,110)")
	epochs := flag.Int("epochs", 10, "passes over the training subset (the paper: 164, i.e. 64k steps of 128 on 50,000 images; -fast: 4)")
	trainSize := flag.Int("train", 10000, "training images, the first of the 50,000 (0: all)")
	testSize := flag.Int("test", 2000, "test images, the first of the 10,000 (0: all)")
	batch := flag.Int("batch", 128, "images per step")
	lr := flag.Float64("lr", 0.1, "initial learning rate (÷10 at 50% and 75% of the steps; -fast: cosine to 0)")
	fast := flag.Bool("fast", false, "cosine schedule and 4 epochs (unless -epochs is given): a quicker look at the same picture")
	dataDir := flag.String("data", defaultDir, "CIFAR-10 folder in the binary format (data_batch_1..5.bin, test_batch.bin); default $"+datasets.CIFAR10DirEnv+" or shared/data/cifar10")
	seed := flag.Int64("seed", 1, "seed of the weights, the shuffling and the augmentation (the same for every net)")
	out := flag.String("out", "runs/resnet-cifar10", "folder for the checkpoints, the metrics logs and the figure")
	resume := flag.Bool("resume", false, "continue each net from its checkpoint in -out")
	quiet := flag.Bool("quiet", false, "no progress bar")
	flag.Parse()
	if *fast && !isSet("epochs") {
		*epochs = 4
	}
	depths, err := parseDepths(*depthList)
	check(err)
	check(os.MkdirAll(*out, 0o755))
	start := time.Now()

	// ── Cell 1: the data: CIFAR-10, 32×32 colour images of 10 classes ───────
	if *dataDir == "" {
		missing(dirErr)
	}
	train, test, err := datasets.LoadCIFAR10(*dataDir)
	if err != nil {
		missing(err)
	}
	fmt.Printf("CIFAR-10 in %s: train %d, test %d images, %d×%d×%d\n", *dataDir, train.Len(), test.Len(), train.C, train.H, train.W)
	if *trainSize > 0 {
		train = train.Slice(0, *trainSize)
	}
	if *testSize > 0 {
		test = test.Slice(0, *testSize)
	}
	fmt.Printf("using train %d, test %d; train images per class %v\n", train.Len(), test.Len(), classCounts(train))

	// ── Cell 2: batches: pad 4, random 32×32 crop, random flip; normalized ──
	trainLoader, err := datasets.NewLoader(train, datasets.LoaderConfig{
		BatchSize: *batch, Shuffle: true, Seed: *seed, DropLast: true, Prefetch: 2,
		Mean: datasets.CIFAR10Mean, Std: datasets.CIFAR10Std,
		Augment: datasets.CIFAR10Augment(),
	})
	check(err)
	testLoader, err := datasets.NewLoader(test, datasets.LoaderConfig{
		BatchSize: min(evalBatch, test.Len()), Prefetch: 2,
		Mean: datasets.CIFAR10Mean, Std: datasets.CIFAR10Std,
	})
	check(err)
	c, h, w := trainLoader.Shape()
	steps := *epochs * trainLoader.NumBatches()
	if steps == 0 {
		check(errors.Errorf("%d training images make no batch of %d", train.Len(), *batch))
	}
	fmt.Printf("batch (%d, %d, %d, %d), %d steps per epoch, %d epochs, %d steps\n", *batch, c, h, w, trainLoader.NumBatches(), *epochs, steps)

	// ── Cell 3: the recipe (He et al. §4.2), the same for every net ─────────
	schedule := func(depth int) solvers.Schedule {
		var s solvers.Schedule
		if *fast {
			s = solvers.Cosine(*lr, 0, steps)
		} else {
			s = solvers.MultiStep(*lr, 0.1, steps/2, steps*3/4) // the paper: 32k and 48k of 64k
		}
		if depth >= 110 {
			s = warmStart(s, *lr/10, 400)
		}
		return s
	}
	fmt.Printf("SGD, momentum 0.9, weight decay 1e-4, lr %g at steps 0, %d, %d, %d: %.4g, %.4g, %.4g, %.4g\n",
		*lr, steps/4, steps/2, steps*3/4, schedule(0).LR(0), schedule(0).LR(steps/4), schedule(0).LR(steps/2), schedule(0).LR(steps*3/4))

	// ── Cell 4: train each net in turn, plain first ─────────────────────────
	var runs []netRun
	for _, kind := range []zoo.Shortcut{zoo.NoShortcut, zoo.ShortcutA} {
		for _, depth := range depths {
			f := nn.NewFactory(tensor.Float32, *seed)
			model, err := zoo.NewCIFARResNet(f, depth, kind, 10)
			check(err)
			sum, err := nn.Summarize(model, 1, c, h, w)
			check(err)
			r := netRun{Name: model.Name(), Depth: depth, Residual: kind != zoo.NoShortcut, Params: sum.Params}
			fmt.Printf("%s: %d layers with weights, %d parameters, %.1f M multiply-adds per image\n", r.Name, depth, r.Params, float64(sum.MACs)/1e6)
			check(trainNet(&r, model, trainLoader, testLoader, solvers.Config{
				Epochs:          *epochs,
				Optimizer:       solvers.NewSGD(0.9, false, solvers.Decay{Rate: 1e-4}),
				Schedule:        schedule(depth),
				Seed:            *seed,
				Checkpoint:      filepath.Join(*out, r.Name+".safetensors"),
				CheckpointEvery: 100,
				Log:             filepath.Join(*out, r.Name+".jsonl"),
				Progress:        progressTo(*quiet),
			}, *resume))
			last := r.History[len(r.History)-1]
			fmt.Printf("%s: train error %.2f%%, test error %.2f%% after %d epochs (%.0f img/s, %s)\n",
				r.Name, 100*(1-last.TrainAcc), 100*(1-last.TestAcc), len(r.History), last.ImagesPerSec, r.Wall.Round(time.Second))
			runs = append(runs, r)
		}
	}

	// ── Cell 5: Fig. 6: plain nets left, ResNets right ──────────────────────
	figure := filepath.Join(*out, "figure6.png")
	check(plotFigure6(figure, runs))
	fmt.Println("figure:", figure)

	// ── Cell 6: the final errors, and what depth did to each family ─────────
	fmt.Printf("\n%-10s %8s %10s %10s %10s %9s\n", "net", "params", "train err", "test err", "best test", "time")
	for _, r := range runs {
		last := r.History[len(r.History)-1]
		fmt.Printf("%-10s %8d %9.2f%% %9.2f%% %9.2f%% %9s\n", r.Name, r.Params,
			100*(1-last.TrainAcc), 100*(1-last.TestAcc), 100*r.bestTestError(), r.Wall.Round(time.Second))
	}
	for _, residual := range []bool{false, true} {
		fam := family(runs, residual)
		if len(fam) < 2 {
			continue
		}
		a, b := fam[0], fam[len(fam)-1]
		fmt.Printf("%s → %s: train error %+.2f points, test error %+.2f points\n", a.Name, b.Name,
			100*(a.finalAcc(true)-b.finalAcc(true)), 100*(a.finalAcc(false)-b.finalAcc(false)))
	}
	fmt.Printf("wall time: %s\n", time.Since(start).Round(time.Second))
}

// netRun is one trained net: what the table and the figure need.
type netRun struct {
	Name     string
	Depth    int
	Residual bool
	Params   int
	History  []solvers.EpochStats
	Wall     time.Duration
}

func (r netRun) bestTestError() float64 {
	best := 1.0
	for _, e := range r.History {
		best = min(best, 1-e.TestAcc)
	}
	return best
}

// finalAcc is the last epoch's training (train true) or test accuracy.
func (r netRun) finalAcc(train bool) float64 {
	last := r.History[len(r.History)-1]
	if train {
		return last.TrainAcc
	}
	return last.TestAcc
}

// trainNet trains one net, or continues it from its checkpoint when resume
// is set and the checkpoint exists; the epochs before the checkpoint come
// back from the metrics log.
func trainNet(r *netRun, model nn.Layer, train, test *datasets.Loader, cfg solvers.Config, resume bool) error {
	t, err := solvers.NewTrainer(model, train, test, cfg)
	if err != nil {
		return err
	}
	if _, statErr := os.Stat(cfg.Checkpoint); resume && statErr == nil {
		if err := t.Resume(cfg.Checkpoint); err != nil { // History comes back from cfg.Log
			return err
		}
		if t.Epoch >= cfg.Epochs {
			fmt.Printf("%s: finished in its checkpoint (step %d)\n", r.Name, t.Step)
		} else {
			fmt.Printf("%s: resumed at epoch %d, batch %d (step %d)\n", r.Name, t.Epoch+1, t.Batch, t.Step)
		}
	} else if err := os.Remove(cfg.Log); err != nil && !os.IsNotExist(err) {
		return errors.Wrap(err, "metrics log")
	}
	prior, began := len(t.History), time.Now()
	if err := t.Run(); err != nil {
		return errors.WithMessage(err, r.Name)
	}
	r.History, r.Wall = t.History, time.Since(began)
	for _, e := range t.History[:prior] { // epochs of an earlier run: their training time
		r.Wall += time.Duration(e.Seconds * float64(time.Second))
	}
	if len(r.History) == 0 {
		return errors.Errorf("%s: no epoch was trained", r.Name)
	}
	return nil
}

// warmStart holds the rate at warm for the first steps, then follows s: the
// paper trains ResNet-110 at 0.01 "until the training error is below 80%
// (about 400 iterations)", then goes back to 0.1.
func warmStart(s solvers.Schedule, warm float64, steps int) solvers.Schedule {
	return solvers.ScheduleFunc(func(step int) float64 {
		if step < steps {
			return warm
		}
		return s.LR(step)
	})
}

// plotFigure6 draws the paper's Fig. 6: error against epochs, plain nets in
// the left panel and ResNets in the right, one colour per depth, dashed for
// the training error and solid for the test error.
func plotFigure6(path string, runs []netRun) error {
	panels := []report.Panel{
		{Title: "plain networks, CIFAR-10", XLabel: "epoch", YLabel: "error (%)"},
		{Title: "ResNets, CIFAR-10", XLabel: "epoch", YLabel: "error (%)"},
	}
	for _, r := range runs {
		var x, trainErr, testErr []float64
		for _, e := range r.History {
			x = append(x, float64(e.Epoch))
			trainErr, testErr = append(trainErr, 100*(1-e.TrainAcc)), append(testErr, 100*(1-e.TestAcc))
		}
		p := &panels[0]
		if r.Residual {
			p = &panels[1]
		}
		// A solid series takes the next colour and the dashed one after it
		// shares it (report's palette rule): test first, then train.
		p.Series = append(p.Series,
			report.Series{Name: r.Name + " test", X: x, Y: testErr},
			report.Series{Name: r.Name + " train", X: x, Y: trainErr, Dashed: true})
	}
	return report.SavePanels(path, panels...)
}

// family returns the plain (residual false) or residual runs, shallowest first.
func family(runs []netRun, residual bool) []netRun {
	var out []netRun
	for _, r := range runs {
		if r.Residual == residual {
			out = append(out, r)
		}
	}
	return out
}

func parseDepths(s string) ([]int, error) {
	var depths []int
	for _, f := range strings.Split(s, ",") {
		d, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || d < 8 || (d-2)%6 != 0 {
			return nil, errors.Errorf("-depths %q: %q is not a depth 6n+2 ≥ 8 (20, 32, 44, 56, 110)", s, f)
		}
		depths = append(depths, d)
	}
	slices.Sort(depths) // the table and the comparisons go shallow to deep
	return slices.Compact(depths), nil
}

func classCounts(d *datasets.Dataset) []int {
	counts := make([]int, len(d.Classes))
	for _, l := range d.Labels {
		counts[l]++
	}
	return counts
}

func isSet(name string) bool {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

func progressTo(quiet bool) io.Writer {
	if quiet {
		return nil // no bar
	}
	return os.Stderr
}

// missing explains where CIFAR-10 was looked for and how to provide it, and exits.
func missing(err error) {
	fmt.Fprintf(os.Stderr, "resnet-cifar10: %v\n\n"+
		"CIFAR-10 is not part of any Go module, so it is not downloaded. Get the binary\n"+
		"version (https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz), unpack it and\n"+
		"pass its cifar-10-batches-bin folder with -data or $%s.\n", err, datasets.CIFAR10DirEnv)
	os.Exit(2)
}

func check(err error) {
	if err != nil {
		log.Fatalf("resnet-cifar10: %+v", err)
	}
}
