package solvers

import (
	"encoding/json"
	"os"
	"strconv"
	"strings"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/nn"
	"github.com/convgraph/convgraph/nn/safetensors"
)

// optimizerPrefix keeps optimizer buffers apart from the model's state dict
// in one checkpoint file.
const optimizerPrefix = "optimizer."

// trainingState is what a checkpoint holds besides tensors, in its metadata.
type trainingState struct {
	Step    int       `json:"step"`
	Epoch   int       `json:"epoch"`
	Batch   int       `json:"batch"`
	OptStep int       `json:"optimizer_step"`
	Plateau *Plateau  `json:"plateau,omitempty"`
	Partial epochSums `json:"epoch_so_far"`
}

// save writes the model's parameters and buffers, the optimizer's buffers and
// the loop position atomically (a temp file, then a rename).
func (t *Trainer) save() error {
	if t.Config.Checkpoint == "" {
		return nil
	}
	tensors := map[string]tensor.Tensor{}
	for _, p := range t.Model.Params() {
		tensors[p.Name] = p.Value
	}
	buffers, optStep := t.Config.Optimizer.State()
	for name, b := range buffers {
		tensors[optimizerPrefix+name] = b
	}
	st := trainingState{Step: t.Step, Epoch: t.Epoch, Batch: t.Batch, OptStep: optStep, Partial: t.partial}
	if p, ok := t.Config.Schedule.(*Plateau); ok {
		st.Plateau = p
	}
	js, err := json.Marshal(st)
	if err != nil {
		return errors.Wrap(err, "checkpoint")
	}
	meta := map[string]string{"convgraph.training": string(js), "convgraph.step": strconv.Itoa(t.Step)}
	return errors.WithMessage(safetensors.Write(t.Config.Checkpoint, tensors, meta), "checkpoint")
}

// Resume loads a checkpoint written by this trainer's model and optimizer
// and continues where it stopped: the same epoch, batch, step, learning-rate
// state and momentum buffers, so the final weights equal an uninterrupted
// run's.
func (t *Trainer) Resume(path string) error {
	f, err := safetensors.Read(path)
	if err != nil {
		return errors.WithMessage(err, "resume")
	}
	var st trainingState
	if err := json.Unmarshal([]byte(f.Metadata["convgraph.training"]), &st); err != nil {
		return errors.Wrapf(err, "resume: %s: training state metadata", path)
	}
	model := map[string]tensor.Tensor{}
	opt := map[string]tensor.Tensor{}
	for name, v := range f.Tensors {
		if rest, ok := strings.CutPrefix(name, optimizerPrefix); ok && rest != "" {
			opt[rest] = v
		} else {
			model[name] = v
		}
	}
	if err := nn.LoadStateDict(t.Model.Params(), model); err != nil {
		return errors.WithMessagef(err, "resume: %s", path)
	}
	if err := t.Config.Optimizer.SetState(opt, st.OptStep); err != nil {
		return errors.WithMessagef(err, "resume: %s", path)
	}
	if p, ok := t.Config.Schedule.(*Plateau); ok && st.Plateau != nil {
		*p = *st.Plateau
	}
	t.Step, t.Epoch, t.Batch, t.partial = st.Step, st.Epoch, st.Batch, st.Partial
	history, err := readLog(t.Config.Log, t.Epoch)
	if err != nil {
		return errors.WithMessage(err, "resume")
	}
	t.History = history
	return nil
}

// readLog returns the first epochs lines of the metrics log at path (none
// when path is "" or the file does not exist), so that a resumed run's
// History holds the epochs finished before it.
func readLog(path string, epochs int) ([]EpochStats, error) {
	if path == "" || epochs == 0 {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, errors.Wrap(err, "metrics log")
	}
	var h []EpochStats
	for i, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var s EpochStats
		if err := json.Unmarshal([]byte(line), &s); err != nil {
			return nil, errors.Wrapf(err, "metrics log %s: line %d", path, i+1)
		}
		if s.Epoch <= epochs {
			h = append(h, s)
		}
	}
	return h, nil
}
