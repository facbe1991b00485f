package solvers

import (
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/nn"
	"github.com/convgraph/convgraph/ops"
	"github.com/convgraph/convgraph/zoo/datasets"
)

// tinyData is 48 random 1×6×6 images in 3 classes.
func tinyData() *datasets.Dataset {
	rng := rand.New(rand.NewSource(3))
	d := &datasets.Dataset{Name: "tiny", C: 1, H: 6, W: 6, Classes: []string{"a", "b", "c"}}
	for i := 0; i < 48; i++ {
		label := uint8(i % 3)
		for j := 0; j < 36; j++ {
			v := uint8(rng.Intn(100))
			if j%3 == int(label) { // a stripe pattern per class
				v += 100
			}
			d.Pixels = append(d.Pixels, v)
		}
		d.Labels = append(d.Labels, label)
	}
	return d
}

// tinyModel is conv → batch norm → relu → max-pool → dropout → linear: every
// kind of state a checkpoint must carry (weights, running statistics,
// momentum) and random masks that a resumed run must draw again.
func tinyModel(seed int64) nn.Layer {
	f := nn.NewFactory(tensor.Float32, seed)
	return nn.NewSequential("",
		f.Conv2D("conv", 1, 4, 3, 3, ops.Conv{}, false), f.BatchNorm("bn", 4), nn.ReLU,
		nn.MaxPool2D(ops.Pool2D{KH: 2, KW: 2}), nn.Flatten(), nn.Dropout("drop", 0.25), f.Linear("fc", 16, 3, true))
}

func tinyTrainer(t *testing.T, dir string, stopAfter int) *Trainer {
	t.Helper()
	d := tinyData()
	train, err := datasets.NewLoader(d, datasets.LoaderConfig{BatchSize: 8, Shuffle: true, Seed: 5, DropLast: true})
	if err != nil {
		t.Fatal(err)
	}
	test, err := datasets.NewLoader(d.Slice(0, 20), datasets.LoaderConfig{BatchSize: 8})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := NewTrainer(tinyModel(1), train, test, Config{
		Epochs: 3, Optimizer: NewSGD(0.9, true, Decay{Rate: 1e-3}), Schedule: NewPlateau(0.05, 0),
		Checkpoint: filepath.Join(dir, "ckpt.safetensors"), CheckpointEvery: 4,
		Log: filepath.Join(dir, "log.jsonl"), StopAfter: stopAfter,
	})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// TestResumeIsExact: a run stopped mid-epoch, or at an epoch's last step,
// and resumed from its checkpoint ends with the same weights, running
// statistics and step as an uninterrupted run, bit for bit, and reports the
// same per-epoch statistics.
func TestResumeIsExact(t *testing.T) {
	whole := tinyTrainer(t, t.TempDir(), 0)
	if err := whole.Run(); err != nil {
		t.Fatalf("%+v", err)
	}
	if whole.History[2].TestLoss == 0 || whole.History[2].TrainAcc <= 0.34 {
		t.Fatalf("the tiny model did not learn: %+v", whole.History)
	}
	for _, c := range []struct {
		stop, epoch, batch int
	}{{7, 1, 1}, {6, 0, 6}} { // 6 steps per epoch: mid-epoch 2, and the end of epoch 1
		dir := t.TempDir()
		first := tinyTrainer(t, dir, c.stop)
		if err := first.Run(); err != nil {
			t.Fatalf("%+v", err)
		}
		second := tinyTrainer(t, dir, 0)
		if err := second.Resume(filepath.Join(dir, "ckpt.safetensors")); err != nil {
			t.Fatalf("%+v", err)
		}
		if second.Step != c.stop || second.Epoch != c.epoch || second.Batch != c.batch {
			t.Fatalf("resumed at step %d epoch %d batch %d, want %d, %d, %d", second.Step, second.Epoch, second.Batch, c.stop, c.epoch, c.batch)
		}
		if err := second.Run(); err != nil {
			t.Fatalf("%+v", err)
		}
		if second.Step != whole.Step {
			t.Fatalf("resumed run took %d steps, uninterrupted %d", second.Step, whole.Step)
		}
		want, got := whole.Model.Params(), second.Model.Params()
		for i := range want {
			if a, ok := want[i].Value.Data().([]float32); ok {
				b := got[i].Value.Data().([]float32)
				for j := range a {
					if math.Float32bits(a[j]) != math.Float32bits(b[j]) {
						t.Fatalf("stop at %d: %s[%d]: resumed %v, uninterrupted %v", c.stop, want[i].Name, j, b[j], a[j])
					}
				}
			}
		}
		if len(second.History) != len(whole.History) {
			t.Fatalf("stop at %d: resumed history has %d epochs, want %d", c.stop, len(second.History), len(whole.History))
		}
		for e, w := range whole.History {
			g := second.History[e]
			if g.Step != w.Step || g.LR != w.LR || g.TrainLoss != w.TrainLoss || g.TrainAcc != w.TrainAcc || g.TestLoss != w.TestLoss || g.TestAcc != w.TestAcc {
				t.Fatalf("stop at %d: epoch %d: resumed %+v, uninterrupted %+v", c.stop, e+1, g, w)
			}
		}
	}
}

func TestNaNLossStops(t *testing.T) {
	tr := tinyTrainer(t, t.TempDir(), 0)
	tr.Config.Schedule = Fixed(1e30) // the first step blows the weights up
	err := tr.Run()
	if err == nil || !strings.Contains(err.Error(), "step") || !(strings.Contains(err.Error(), "loss is NaN") || strings.Contains(err.Error(), "loss is +Inf") || strings.Contains(err.Error(), "gradient holds")) {
		t.Fatalf("want an error naming the step and the non-finite value, got %v", err)
	}
}

func TestTrainerWritesLog(t *testing.T) {
	dir := t.TempDir()
	tr := tinyTrainer(t, dir, 0)
	tr.Config.Epochs = 1
	if err := tr.Run(); err != nil {
		t.Fatalf("%+v", err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "log.jsonl"))
	if err != nil || !strings.Contains(string(b), `"epoch":1`) || !strings.Contains(string(b), `"test_acc"`) {
		t.Fatalf("metrics log: %q, %v", b, err)
	}
}
