package nn

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/graph"
	"github.com/convgraph/convgraph/nn/safetensors"
)

// Save writes params (every parameter and buffer of a model, Params()) to
// path in the safetensors format, under their state_dict names, with
// metadata (epoch, architecture, ...). The write is atomic: a crash leaves
// the old file or the new one, never half of one.
func Save(path string, params []*Param, metadata map[string]string) error {
	state, err := StateDict(params)
	if err != nil {
		return errors.WithMessagef(err, "save %s", path)
	}
	return errors.WithMessagef(safetensors.Write(path, state, metadata), "save %s", path)
}

// Load reads the checkpoint at path into params, copying into their existing
// tensors (so graphs built on them see the new values), and returns its
// metadata. The file must hold exactly params, each with its shape and dtype
// (F16 and BF16 tensors, which the reader widens exactly to float32, load
// into float32 parameters): otherwise nothing is copied and the error names
// every offending tensor.
func Load(path string, params []*Param) (metadata map[string]string, err error) {
	f, err := safetensors.Read(path)
	if err != nil {
		return nil, errors.WithMessagef(err, "load %s", path)
	}
	if err := LoadStateDict(params, f.Tensors); err != nil {
		return nil, errors.WithMessagef(err, "load %s", path)
	}
	return f.Metadata, nil
}

// StateDict maps each parameter's name to its tensor (not a copy), like
// torch's state_dict. Two parameters of one name are an error.
func StateDict(params []*Param) (map[string]tensor.Tensor, error) {
	state := make(map[string]tensor.Tensor, len(params))
	for _, p := range params {
		if _, dup := state[p.Name]; dup {
			return nil, errors.Errorf("state dict: two parameters named %q", p.Name)
		}
		state[p.Name] = p.Value
	}
	return state, nil
}

// LoadStateDict copies state into params, by name. It checks everything
// first, so a bad state dict changes nothing: every parameter needs a tensor
// of its shape and dtype (no silent conversion: a float64 checkpoint does not
// load into float32 parameters), and every tensor needs a parameter.
func LoadStateDict(params []*Param, state map[string]tensor.Tensor) error {
	own, err := StateDict(params)
	if err != nil {
		return err
	}
	var missing, extra, bad []string
	for _, p := range params {
		t, ok := state[p.Name]
		switch {
		case !ok || t == nil:
			missing = append(missing, p.Name)
		case t.Dtype() != p.Value.Dtype():
			bad = append(bad, fmt.Sprintf("%s (checkpoint %v, parameter %v)", p.Name, t.Dtype(), p.Value.Dtype()))
		case !t.Shape().Eq(p.Value.Shape()):
			bad = append(bad, fmt.Sprintf("%s (checkpoint shape %v, parameter %v)", p.Name, t.Shape(), p.Value.Shape()))
		}
	}
	for name := range state {
		if _, ok := own[name]; !ok {
			extra = append(extra, name)
		}
	}
	if len(missing)+len(extra)+len(bad) > 0 {
		return mismatch(missing, extra, bad)
	}
	for _, p := range params {
		if err := graph.CopyInto(p.Value, state[p.Name]); err != nil {
			return errors.WithMessage(err, p.Name)
		}
	}
	return nil
}

// mismatch lists the problems of a state dict, sorted, one kind per line.
func mismatch(missing, extra, bad []string) error {
	var lines []string
	add := func(what string, names []string) {
		if len(names) > 0 {
			sort.Strings(names)
			lines = append(lines, what+": "+strings.Join(names, ", "))
		}
	}
	add("missing", missing)
	add("unexpected", extra)
	add("mismatched", bad)
	return errors.Errorf("state dict does not match the model:\n  %s", strings.Join(lines, "\n  "))
}
