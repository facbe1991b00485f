package safetensors

import (
	"reflect"
	"runtime"
	"testing"

	"gorgonia.org/tensor"
)

// FuzzDecode feeds arbitrary bytes to the decoder. It must never panic,
// never allocate far more than the input's size, and whatever it accepts
// must survive re-encoding unchanged.
func FuzzDecode(f *testing.F) {
	valid := [][]byte{
		encode(f, sampleTensors(), map[string]string{"format": "pt"}),
		encode(f, map[string]tensor.Tensor{"x": dense([]int{2}, []float32{1, 2})}, nil),
		encode(f, nil, nil),
		raw(`{"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"b":{"dtype":"BF16","shape":[],"data_offsets":[4,6]}}`, 0, 0x3c, 0xff, 0x7f, 0x80, 0x3f),
	}
	for _, v := range valid {
		f.Add(v)
		for _, n := range []int{0, 7, 8, 9, len(v) / 2, len(v) - 1} {
			f.Add(v[:n])
		}
	}
	for _, c := range corruptCases {
		f.Add(c.data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		file, err := Decode(data)
		runtime.ReadMemStats(&after)
		// Decoded tensors are at most 2x the input (F16 -> F32), plus a
		// small per-tensor overhead bounded by the header bytes.
		if got := after.TotalAlloc - before.TotalAlloc; got > 64*uint64(len(data))+(256<<10) {
			t.Fatalf("%d-byte input allocated %d bytes", len(data), got)
		}
		if err != nil {
			return
		}
		again, err := Decode(encode(t, file.Tensors, file.Metadata))
		if err != nil {
			t.Fatalf("re-encoded file does not decode: %+v", err)
		}
		if !reflect.DeepEqual(again.Names, file.Names) || !reflect.DeepEqual(again.Metadata, file.Metadata) {
			t.Fatalf("names/metadata changed: %v %v -> %v %v", file.Names, file.Metadata, again.Names, again.Metadata)
		}
		for _, name := range file.Names {
			a, b := file.Tensors[name], again.Tensors[name]
			if !reflect.DeepEqual(bits(a), bits(b)) || !a.Shape().Eq(b.Shape()) || a.Dtype() != b.Dtype() {
				t.Fatalf("tensor %q changed on re-encode", name)
			}
		}
	})
}
