package safetensors

import (
	"bytes"
	"testing"

	"gorgonia.org/tensor"
)

// The byte vectors below are the expected outputs in the reference Rust
// implementation's own tests (huggingface/safetensors, tensor.rs), so
// matching them shows our files are laid out exactly as PyTorch users'
// tooling writes them.

func TestReferenceVectorsEncode(t *testing.T) {
	f32s := []float32{0, 1, 2, 3, 4, 5}
	data := []byte{0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64}
	cases := []struct {
		name    string
		tensors map[string]tensor.Tensor
		meta    map[string]string
		want    []byte
	}{
		{
			"test_serialization",
			map[string]tensor.Tensor{"attn.0": dense([]int{1, 2, 3}, f32s)},
			nil,
			append([]byte{64, 0, 0, 0, 0, 0, 0, 0}, append([]byte(`{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}`), data...)...),
		},
		{
			"test_serialization_forced_alignement",
			map[string]tensor.Tensor{"attn0": dense([]int{1, 1, 2, 3}, f32s)},
			nil,
			append([]byte{72, 0, 0, 0, 0, 0, 0, 0}, append([]byte(`{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}       `), data...)...),
		},
		{
			"test_empty",
			nil, nil,
			[]byte{8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32},
		},
		{
			"test_empty with metadata",
			nil, map[string]string{"framework": "pt"},
			append([]byte{40, 0, 0, 0, 0, 0, 0, 0}, `{"__metadata__":{"framework":"pt"}}     `...),
		},
	}
	for _, c := range cases {
		if got := encode(t, c.tensors, c.meta); !bytes.Equal(got, c.want) {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
		if _, err := Decode(c.want); err != nil {
			t.Errorf("%s: Decode: %v", c.name, err)
		}
	}
}

// TestReferenceUnpaddedHeader: files from before header padding have a
// header length that is not a multiple of 8; they must still load.
func TestReferenceUnpaddedHeader(t *testing.T) {
	b := append([]byte("<\x00\x00\x00\x00\x00\x00\x00"+`{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}`), make([]byte, 16)...)
	f, err := Decode(b)
	if err != nil {
		t.Fatalf("Decode: %+v", err)
	}
	sameTensor(t, "test", f.Tensors["test"], dense([]int{2, 2}, []int32{0, 0, 0, 0}), tensor.Int32)
}
