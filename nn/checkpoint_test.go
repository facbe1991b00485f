package nn

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"gorgonia.org/tensor"
)

// bits reads every element of a tensor as raw bits, so NaN and −0 compare.
func bits(t tensor.Tensor) []uint64 {
	switch d := t.Data().(type) {
	case []float32:
		out := make([]uint64, len(d))
		for i, v := range d {
			out[i] = uint64(math.Float32bits(v))
		}
		return out
	case []float64:
		out := make([]uint64, len(d))
		for i, v := range d {
			out[i] = math.Float64bits(v)
		}
		return out
	case int64:
		return []uint64{uint64(d)}
	}
	panic("unexpected tensor data")
}

func sameBits(a, b tensor.Tensor) bool {
	x, y := bits(a), bits(b)
	if len(x) != len(y) {
		return false
	}
	for i := range x {
		if x[i] != y[i] {
			return false
		}
	}
	return true
}

// zeroed returns a fresh tinyNet whose tensors are all zero.
func zeroed(dt tensor.Dtype) []*Param {
	model, _ := tinyNet(dt)
	for _, p := range model.Params() {
		Zeros(nil, p.Value, 0, 0)
	}
	return model.Params()
}

func TestCheckpointRoundTrip(t *testing.T) {
	model, bn := tinyNet(tensor.Float32)
	w := bn.Weight.Value.Data().([]float32)
	w[0], w[1] = float32(math.NaN()), float32(math.Copysign(0, -1))
	must(t, bn.NumBatchesTracked.Value.Memset(int64(7)))
	path := filepath.Join(t.TempDir(), "tiny.safetensors")
	must(t, Save(path, model.Params(), map[string]string{"epoch": "3"}))

	loaded := zeroed(tensor.Float32)
	meta, err := Load(path, loaded)
	must(t, err)
	if meta["epoch"] != "3" {
		t.Errorf("metadata %v, want epoch 3", meta)
	}
	for i, p := range model.Params() {
		if !sameBits(p.Value, loaded[i].Value) {
			t.Errorf("%s: loaded %v, saved %v", p.Name, loaded[i].Value, p.Value)
		}
	}
}

func TestCheckpointMismatch(t *testing.T) {
	model, _ := tinyNet(tensor.Float32)
	path := filepath.Join(t.TempDir(), "tiny.safetensors")
	must(t, Save(path, model.Params(), nil))
	f := NewFactory(tensor.Float32, 1)
	ps := zeroed(tensor.Float32)
	cases := []struct {
		name   string
		params []*Param
		want   []string
	}{
		{"missing", append(ps[:len(ps):len(ps)], f.Linear("head", 4, 2, false).Weight), []string{"missing: head.weight"}},
		{"unexpected", ps[:len(ps)-1], []string{"unexpected: fc.bias"}},
		{"shape", append(ps[:len(ps)-1:len(ps)-1], f.Linear("fc", 12, 5, true).Bias), []string{"fc.bias (checkpoint shape (4), parameter (5))"}},
		{"dtype", zeroed(tensor.Float64), []string{"conv.weight (checkpoint float32, parameter float64)", "fc.bias (checkpoint float32"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load(path, c.params)
			wantErr(t, err, append(c.want, path)...)
			for _, p := range c.params[:len(c.params)-1] {
				if p.Value.Dtype() != tensor.Int64 && floatsOf(p.Value)[0] != 0 {
					t.Fatalf("%s was written although the load failed", p.Name)
				}
			}
		})
	}
	dup := []*Param{model.Params()[0], model.Params()[0]}
	wantErr(t, Save(path, dup, nil), `two parameters named "conv.weight"`)
}

func TestCheckpointCorrupt(t *testing.T) {
	model, _ := tinyNet(tensor.Float32)
	path := filepath.Join(t.TempDir(), "tiny.safetensors")
	must(t, Save(path, model.Params(), nil))
	fi, err := os.Stat(path)
	must(t, err)
	must(t, os.Truncate(path, fi.Size()-10))
	_, err = Load(path, zeroed(tensor.Float32))
	wantErr(t, err, "load", path)
	_, err = Load(filepath.Join(t.TempDir(), "absent.safetensors"), zeroed(tensor.Float32))
	wantErr(t, err, "absent.safetensors")
}
