// Command ensemble is the lecture's "ensemble of 7 CNNs" at MNIST scale:
// Krizhevsky et al. (2012) averaged the predictions of 7 AlexNets and took
// the ImageNet top-5 error from 18.2% to 15.4%. Here K LeNet-5s that differ
// only in their seed (initial weights, order of the batches) are trained in
// turn, and their softmax probabilities on the test set are averaged: the
// ensemble errs less than its average member, and usually less than its best.
//
//	go run ./examples/ensemble               # 5 nets, 1 epoch each: about a minute
//	go run ./examples/ensemble -k 7 -epochs 3
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"os"
	"time"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/examples/internal/report"
	"github.com/convgraph/convgraph/nn"
	"github.com/convgraph/convgraph/solvers"
	"github.com/convgraph/convgraph/zoo"
	"github.com/convgraph/convgraph/zoo/datasets"
)

func main() {
	k := flag.Int("k", 5, "models in the ensemble (Krizhevsky et al.: 7)")
	epochs := flag.Int("epochs", 1, "passes over the training images, per model")
	trainSize := flag.Int("train", 0, "training images, the first of the 60,000 (0: all)")
	testSize := flag.Int("test", 0, "test images, the first of the 10,000 (0: all)")
	batch := flag.Int("batch", 64, "images per step")
	lr := flag.Float64("lr", 0.05, "peak learning rate (SGD, momentum 0.9, cosine decay)")
	variant := flag.String("variant", "lenet5-modern", "lenet5-modern or lenet5 (1998)")
	seed := flag.Int64("seed", 1, "model i uses seed+i for its weights, shuffling and dropout")
	quiet := flag.Bool("quiet", false, "no progress bar")
	flag.Parse()
	if *k < 1 {
		check(errors.Errorf("-k %d: want at least 1 model", *k))
	}
	start := time.Now()

	// ── Cell 1: the data ────────────────────────────────────────────────────
	train, test, err := datasets.LoadMNIST("")
	check(err)
	if *trainSize > 0 {
		train = train.Slice(0, *trainSize)
	}
	if *testSize > 0 {
		test = test.Slice(0, *testSize)
	}
	fmt.Printf("train %d, test %d images, %d×%d×%d\n", train.Len(), test.Len(), train.C, train.H, train.W)

	// ── Cell 2: K models, each from its own seed ────────────────────────────
	var probs [][]float64 // probs[m][i*10+c]: model m's P(class c | test image i)
	labels := make([]int, test.Len())
	for m := 0; m < *k; m++ {
		s := *seed + int64(m)
		model, in, err := zoo.New(*variant, nn.NewFactory(tensor.Float32, s), 10)
		check(err)
		norm := datasets.LoaderConfig{Mean: datasets.MNISTMean, Std: datasets.MNISTStd, Pad: (in[1] - train.H) / 2, Prefetch: 2}
		tc, ec := norm, norm
		tc.BatchSize, tc.Shuffle, tc.Seed, tc.DropLast = *batch, true, s, true
		ec.BatchSize = 1000
		trainLoader, err := datasets.NewLoader(train, tc)
		check(err)
		testLoader, err := datasets.NewLoader(test, ec)
		check(err)
		steps := *epochs * trainLoader.NumBatches()
		trainer, err := solvers.NewTrainer(model, trainLoader, nil, solvers.Config{
			Epochs:    *epochs,
			Optimizer: solvers.NewSGD(0.9, false, solvers.Decay{Rate: 5e-4, SkipNoDecay: true}),
			Schedule:  solvers.Cosine(*lr, 0, steps),
			Seed:      s,
			Progress:  progressTo(*quiet),
		})
		check(err)
		began := time.Now()
		check(trainer.Run())
		p, err := predict(trainer, testLoader, labels)
		check(err)
		probs = append(probs, p)
		last := trainer.History[len(trainer.History)-1]
		fmt.Printf("model %d (seed %d): %d steps, train loss %.4f, test error %.2f%% (%s)\n",
			m+1, s, steps, last.TrainLoss, 100*errorRate(p, labels), time.Since(began).Round(100*time.Millisecond))
	}

	// ── Cell 3: average the probabilities, one more member at a time ────────
	for n := 1; n <= *k; n++ {
		fmt.Printf("ensemble of %d: test error %.2f%%\n", n, 100*errorRate(mean(probs[:n]), labels))
	}

	// ── Cell 4: the ensemble against its members ────────────────────────────
	ens := mean(probs)
	var errs []float64
	for _, p := range probs {
		errs = append(errs, errorRate(p, labels))
	}
	best, avg := math.Inf(1), 0.0
	for _, e := range errs {
		best, avg = min(best, e), avg+e/float64(len(errs))
	}
	fmt.Printf("members: mean error %.2f%%, best %.2f%%; majority vote %.2f%%; averaged probabilities %.2f%%\n",
		100*avg, 100*best, 100*voteError(probs, labels), 100*errorRate(ens, labels))

	// ── Cell 5: a digit the ensemble gets right and most members get wrong ──
	if i, ok := rescued(probs, ens, labels); ok {
		fmt.Printf("test image %d, label %d: members say %v, the ensemble %d (p = %.2f)\n",
			i, labels[i], memberVotes(probs, i), argmax(ens, i), ens[i*10+argmax(ens, i)])
		fmt.Print(report.ASCII(floatImage(test.Image(i)), test.H, test.W))
	} else {
		fmt.Println("no test image where the ensemble overrules a majority of wrong members")
	}
	fmt.Printf("wall time: %s\n", time.Since(start).Round(time.Second))
}

// predict returns the model's softmax probabilities on every image of l, by
// data set index (10 per image), and fills labels.
func predict(t *solvers.Trainer, l *datasets.Loader, labels []int) ([]float64, error) {
	probs := make([]float64, 10*len(labels))
	for b := range l.Batches(0, 0).All() {
		logits, err := t.Predict(b)
		if err != nil {
			return nil, err
		}
		if s := logits.Shape(); s[1] != 10 {
			return nil, errors.Errorf("predict: logits %v: want 10 classes", s)
		}
		z := floats64(logits)
		for r, idx := range b.Indices {
			softmax(probs[idx*10:(idx+1)*10], z[r*10:(r+1)*10])
			labels[idx] = b.Labels[r]
		}
	}
	return probs, nil
}

// softmax writes exp(z − max z) / Σ exp(z − max z) into p: subtracting the
// maximum keeps exp from overflowing and changes nothing else.
func softmax(p, z []float64) {
	hi := math.Inf(-1)
	for _, v := range z {
		hi = max(hi, v)
	}
	var sum float64
	for i, v := range z {
		p[i] = math.Exp(v - hi)
		sum += p[i]
	}
	for i := range p {
		p[i] /= sum
	}
}

// mean averages the members' probabilities.
func mean(probs [][]float64) []float64 {
	out := make([]float64, len(probs[0]))
	for _, p := range probs {
		for i, v := range p {
			out[i] += v / float64(len(probs))
		}
	}
	return out
}

func argmax(p []float64, i int) int { return solvers.Argmax(p[i*10 : (i+1)*10]) }

func errorRate(p []float64, labels []int) float64 {
	wrong := 0
	for i, l := range labels {
		if argmax(p, i) != l {
			wrong++
		}
	}
	return float64(wrong) / float64(len(labels))
}

// voteError is the error of a majority vote of the members' top classes
// (ties go to the lower class): the other way to combine them.
func voteError(probs [][]float64, labels []int) float64 {
	wrong := 0
	for i, l := range labels {
		votes := make([]float64, 10)
		for _, p := range probs {
			votes[argmax(p, i)]++
		}
		if solvers.Argmax(votes) != l {
			wrong++
		}
	}
	return float64(wrong) / float64(len(labels))
}

func memberVotes(probs [][]float64, i int) []int {
	var v []int
	for _, p := range probs {
		v = append(v, argmax(p, i))
	}
	return v
}

// rescued finds the first image that the averaged probabilities classify
// right although most members get it wrong.
func rescued(probs [][]float64, ens []float64, labels []int) (int, bool) {
	for i, l := range labels {
		if argmax(ens, i) != l {
			continue
		}
		wrong := 0
		for _, p := range probs {
			if argmax(p, i) != l {
				wrong++
			}
		}
		if 2*wrong > len(probs) {
			return i, true
		}
	}
	return 0, false
}

func floatImage(pix []uint8) []float32 {
	out := make([]float32, len(pix))
	for i, v := range pix {
		out[i] = float32(v)
	}
	return out
}

func floats64(t tensor.Tensor) []float64 {
	switch d := t.Data().(type) {
	case []float32:
		out := make([]float64, len(d))
		for i, v := range d {
			out[i] = float64(v)
		}
		return out
	case []float64:
		return d
	}
	return nil
}

func progressTo(quiet bool) io.Writer {
	if quiet {
		return nil // no bar
	}
	return os.Stderr
}

func check(err error) {
	if err != nil {
		log.Fatalf("ensemble: %+v", err)
	}
}
