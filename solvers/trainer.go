package solvers

import (
	"io"
	"math"
	"time"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/nn"
	"github.com/convgraph/convgraph/zoo/datasets"
)

// Config sets up a training run.
type Config struct {
	Epochs    int
	Optimizer Optimizer
	Schedule  Schedule // learning rate per step; a *Plateau is also fed each epoch's test loss
	ClipNorm  float64  // 0: no gradient clipping
	Seed      int64    // dropout masks

	Checkpoint      string // path of the checkpoint file; "" for none
	CheckpointEvery int    // also save every this many steps (0: only at the end of each epoch)
	Log             string // path of a JSON-lines metrics log, one line per epoch; "" for none
	Progress        io.Writer
	// StopAfter ends the run after this many steps (0: run every epoch), as
	// a kill would, for resume tests and quick looks.
	StopAfter int
}

// Trainer runs the training loop of one classifier: epochs over a loader,
// evaluation after each epoch, progress, metrics, checkpoints.
type Trainer struct {
	Model   nn.Layer
	Train   *datasets.Loader
	Test    *datasets.Loader // may be nil
	Config  Config
	OnEpoch func(EpochStats) // called after each epoch's evaluation, if set
	History []EpochStats
	Step    int // optimizer steps taken
	Epoch   int // the epoch in progress
	Batch   int // the next batch of Epoch
	// partial sums the epoch in progress, kept in checkpoints so that a
	// resumed epoch reports what an uninterrupted one would
	partial    epochSums
	classifier *nn.Classifier
	evals      map[int]*nn.Classifier // eval graphs by batch size
}

// EpochStats is one line of the metrics log.
type EpochStats struct {
	Epoch        int     `json:"epoch"`
	Step         int     `json:"step"`
	LR           float64 `json:"lr"`
	TrainLoss    float64 `json:"train_loss"`
	TrainAcc     float64 `json:"train_acc"`
	TestLoss     float64 `json:"test_loss,omitempty"`
	TestAcc      float64 `json:"test_acc,omitempty"`
	ImagesPerSec float64 `json:"images_per_sec"`
	Seconds      float64 `json:"seconds"`
}

// NewTrainer builds the model's float32 training graph for the train loader's batch
// shape. The train loader must drop the last partial batch (shapes are static
// per graph); evaluation builds a graph per batch size it meets.
func NewTrainer(model nn.Layer, train, test *datasets.Loader, cfg Config) (*Trainer, error) {
	if cfg.Optimizer == nil || cfg.Schedule == nil {
		return nil, errors.New("trainer: config needs an Optimizer and a Schedule")
	}
	lc := train.Config()
	if !lc.DropLast && train.Dataset().Len()%lc.BatchSize != 0 {
		return nil, errors.Errorf("trainer: the train loader must drop its last partial batch (%d images, batch %d): shapes are static per graph", train.Dataset().Len(), lc.BatchSize)
	}
	c, h, w := train.Shape()
	clf, err := nn.NewClassifier(model, tensor.Float32, nn.Train, cfg.Seed, lc.BatchSize, c, h, w)
	if err != nil {
		return nil, errors.WithMessage(err, "trainer")
	}
	return &Trainer{Model: model, Train: train, Test: test, Config: cfg, classifier: clf, evals: map[int]*nn.Classifier{}}, nil
}

// Run trains from the trainer's current position (0, or a resumed
// checkpoint's) to the last epoch.
func (t *Trainer) Run() error {
	bar := newProgress(t.Config.Progress, t.Train.NumBatches())
	for ; t.Epoch < t.Config.Epochs; t.Epoch, t.Batch = t.Epoch+1, 0 {
		stats, stopped, err := t.trainEpoch(bar)
		if err != nil {
			return err
		}
		if stopped {
			return t.save()
		}
		if t.Test != nil {
			if stats.TestLoss, stats.TestAcc, err = t.Evaluate(t.Test); err != nil {
				return err
			}
			if p, ok := t.Config.Schedule.(*Plateau); ok {
				p.Observe(stats.TestLoss)
			}
		}
		t.History = append(t.History, stats)
		bar.epochDone(stats)
		if err := appendLog(t.Config.Log, stats); err != nil {
			return err
		}
		if t.OnEpoch != nil {
			t.OnEpoch(stats)
		}
		t.Epoch, t.Batch = t.Epoch+1, 0 // the checkpoint resumes at the next epoch
		if err := t.save(); err != nil {
			return err
		}
		t.Epoch, t.Batch = t.Epoch-1, 0
	}
	return nil
}

// epochSums are the running totals of one epoch's training.
type epochSums struct {
	Loss    float64 `json:"loss_sum"` // Σ batch loss · batch size
	Correct int     `json:"correct"`
	Seen    int     `json:"seen"`
	Seconds float64 `json:"seconds"`
	LR      float64 `json:"lr"`
}

func (e epochSums) stats(epoch, step int) EpochStats {
	s := EpochStats{Epoch: epoch, Step: step, LR: e.LR, Seconds: e.Seconds}
	if e.Seen > 0 {
		s.TrainLoss, s.TrainAcc = e.Loss/float64(e.Seen), float64(e.Correct)/float64(e.Seen)
	}
	if e.Seconds > 0 {
		s.ImagesPerSec = float64(e.Seen) / e.Seconds
	}
	return s
}

func (t *Trainer) trainEpoch(bar *progress) (EpochStats, bool, error) {
	if t.Batch == 0 {
		t.partial = epochSums{}
	}
	sums := &t.partial
	stats := sums.stats(t.Epoch+1, t.Step)
	start, before := time.Now(), sums.Seconds
	it := t.Train.Batches(t.Epoch, t.Batch)
	defer it.Close()
	bar.startEpoch(t.Epoch+1, t.Config.Epochs, t.Batch)
	for {
		b, ok := it.Next()
		if !ok {
			break
		}
		lr := t.Config.Schedule.LR(t.Step)
		t.classifier.SetStep(t.Step) // dropout masks are a function of the step: resume draws the same
		res, err := t.classifier.Run(b.Tensor(), labelsTensor(b.Labels))
		if err != nil {
			return stats, false, errors.WithMessagef(err, "trainer: step %d (epoch %d, batch %d)", t.Step, t.Epoch+1, t.Batch)
		}
		if math.IsNaN(res.Loss) || math.IsInf(res.Loss, 0) {
			return stats, false, errors.Errorf("trainer: step %d (epoch %d, batch %d): loss is %v", t.Step, t.Epoch+1, t.Batch, res.Loss)
		}
		if t.Config.ClipNorm > 0 {
			if _, err := ClipGradNorm(res.Grads, t.Config.ClipNorm); err != nil {
				return stats, false, err
			}
		}
		if err := t.Config.Optimizer.Step(t.classifier.Trainable, res.Grads, lr); err != nil {
			return stats, false, errors.WithMessagef(err, "trainer: step %d", t.Step)
		}
		t.Step, t.Batch = t.Step+1, t.Batch+1
		sums.Loss += res.Loss * float64(b.N)
		sums.Correct += countCorrect(res.Logits, b.Labels)
		sums.Seen += b.N
		sums.LR = lr
		sums.Seconds = before + time.Since(start).Seconds()
		stats = sums.stats(t.Epoch+1, t.Step)
		bar.update(t.Batch, stats)
		if t.Config.CheckpointEvery > 0 && t.Step%t.Config.CheckpointEvery == 0 {
			if err := t.save(); err != nil {
				return stats, false, err
			}
		}
		if t.Config.StopAfter > 0 && t.Step >= t.Config.StopAfter {
			return stats, true, nil
		}
	}
	stats.Step = t.Step
	return stats, false, nil
}

// Evaluate runs the model in eval mode over every batch of l and returns the
// mean loss and the accuracy.
func (t *Trainer) Evaluate(l *datasets.Loader) (loss, acc float64, err error) {
	it := l.Batches(0, 0)
	defer it.Close()
	var correct, seen int
	for {
		b, ok := it.Next()
		if !ok {
			break
		}
		clf, err := t.evalGraph(b)
		if err != nil {
			return 0, 0, err
		}
		res, err := clf.Run(b.Tensor(), labelsTensor(b.Labels))
		if err != nil {
			return 0, 0, errors.WithMessage(err, "evaluate")
		}
		loss += res.Loss * float64(b.N)
		correct += countCorrect(res.Logits, b.Labels)
		seen += b.N
	}
	if seen == 0 {
		return 0, 0, errors.New("evaluate: no batches")
	}
	return loss / float64(seen), float64(correct) / float64(seen), nil
}

// Predict returns the logits of one batch in eval mode (a copy the caller keeps).
func (t *Trainer) Predict(b *datasets.Batch) (tensor.Tensor, error) {
	clf, err := t.evalGraph(b)
	if err != nil {
		return nil, err
	}
	res, err := clf.Run(b.Tensor(), labelsTensor(b.Labels))
	if err != nil {
		return nil, err
	}
	return res.Logits.Clone().(tensor.Tensor), nil
}

func (t *Trainer) evalGraph(b *datasets.Batch) (*nn.Classifier, error) {
	if c, ok := t.evals[b.N]; ok {
		return c, nil
	}
	c, err := nn.NewClassifier(t.Model, tensor.Float32, nn.Eval, t.Config.Seed, b.N, b.C, b.H, b.W)
	if err != nil {
		return nil, errors.WithMessage(err, "evaluate")
	}
	t.evals[b.N] = c
	return c, nil
}

func labelsTensor(labels []int) tensor.Tensor {
	return tensor.New(tensor.WithShape(len(labels)), tensor.WithBacking(append([]int(nil), labels...)))
}

// countCorrect counts rows of logits (N, K) whose argmax is the label.
func countCorrect(logits tensor.Tensor, labels []int) int {
	n := 0
	for i, label := range labels {
		if RowArgmax(logits, i) == label {
			n++
		}
	}
	return n
}

// RowArgmax is the argmax of row i of a float (N, K) tensor.
func RowArgmax(t tensor.Tensor, i int) int {
	k := t.Shape()[1]
	switch d := t.Data().(type) {
	case []float32:
		return Argmax(d[i*k : (i+1)*k])
	case []float64:
		return Argmax(d[i*k : (i+1)*k])
	}
	return -1
}

// Argmax is the index of the largest value (the first, on ties).
func Argmax[T float32 | float64](v []T) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}
