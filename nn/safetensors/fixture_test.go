package safetensors

import (
	"bytes"
	"math"
	"testing"

	"gorgonia.org/tensor"
)

// TestFixtureOneF32 pins the exact byte layout, so a change that would make
// our files unreadable elsewhere cannot slip through a round-trip test.
func TestFixtureOneF32(t *testing.T) {
	got := encode(t, map[string]tensor.Tensor{"x": dense([]int{2}, []float32{1, 2})}, nil)
	header := `{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}` + "  " // 54 bytes padded to 56
	want := []byte{
		56, 0, 0, 0, 0, 0, 0, 0, // header length, little-endian u64
	}
	want = append(want, header...)
	want = append(want,
		0x00, 0x00, 0x80, 0x3f, // 1.0f little-endian
		0x00, 0x00, 0x00, 0x40, // 2.0f
	)
	if !bytes.Equal(got, want) {
		t.Fatalf("encoding\n got %q\nwant %q", got, want)
	}
}

// TestFixtureLayout pins the ordering rules: metadata first with sorted
// keys, data ordered widest dtype first then by name (as the reference
// implementation does, keeping each tensor aligned).
func TestFixtureLayout(t *testing.T) {
	got := encode(t, map[string]tensor.Tensor{
		"a": dense([]int{3}, []uint8{7, 8, 9}),
		"c": dense([]int{1}, []float32{0.5}),
		"b": dense([]int{1, 1}, []float32{-2}),
	}, map[string]string{"z": "last", "format": "pt"})
	header := `{"__metadata__":{"format":"pt","z":"last"},` +
		`"b":{"dtype":"F32","shape":[1,1],"data_offsets":[0,4]},` +
		`"c":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},` +
		`"a":{"dtype":"U8","shape":[3],"data_offsets":[8,11]}}`
	for len(header)%8 != 0 {
		header += " "
	}
	want := raw(header, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x00, 0x00, 0x3f, 7, 8, 9)
	if !bytes.Equal(got, want) {
		t.Fatalf("encoding\n got %q\nwant %q", got, want)
	}
}

// TestDecodeHandWritten reads a file written the way other tools may write
// it: keys in any order, whitespace, padding, a scalar, and the dtypes we
// only read (F16, BF16).
func TestDecodeHandWritten(t *testing.T) {
	header := ` { "h": {"shape": [3], "data_offsets": [0, 6], "dtype": "F16"},
	"s": {"dtype": "I64", "shape": [], "data_offsets": [10, 18]},
	"__metadata__": {"k": "v\u00e9"},
	"g": {"data_offsets": [6, 8], "dtype": "BF16", "shape": [1]},
	"m": {"dtype": "BOOL", "shape": [2,1], "data_offsets": [8, 10]} }    `
	data := []byte{
		0x00, 0x3c, 0x00, 0xc0, 0x01, 0x00, // F16 1, -2, smallest subnormal
		0x80, 0x3f, // BF16 1.0
		1, 0, // BOOL true, false
		0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // I64 -2
	}
	f, err := Decode(raw(header, data...))
	if err != nil {
		t.Fatalf("Decode: %+v", err)
	}
	if got, want := f.Names, []string{"g", "h", "m", "s"}; !equalStrings(got, want) {
		t.Errorf("Names = %v, want %v", got, want)
	}
	if f.Metadata["k"] != "vé" || len(f.Metadata) != 1 {
		t.Errorf("Metadata = %v", f.Metadata)
	}
	if f.Dtypes["h"] != "F16" || f.Dtypes["g"] != "BF16" {
		t.Errorf("Dtypes = %v", f.Dtypes)
	}
	sameTensor(t, "h", f.Tensors["h"], dense([]int{3}, []float32{1, -2, float32(math.Ldexp(1, -24))}), tensor.Float32)
	sameTensor(t, "g", f.Tensors["g"], dense([]int{1}, []float32{1}), tensor.Float32)
	sameTensor(t, "m", f.Tensors["m"], dense([]int{2, 1}, []bool{true, false}), tensor.Bool)
	sameTensor(t, "s", f.Tensors["s"], tensor.New(tensor.FromScalar(int64(-2))), tensor.Int64)
}

func TestDecodeEmpty(t *testing.T) {
	b := encode(t, nil, nil)
	if want := raw("{}      "); !bytes.Equal(b, want) {
		t.Fatalf("empty encoding %q, want %q", b, want)
	}
	f, err := Decode(b)
	if err != nil || len(f.Tensors) != 0 || len(f.Names) != 0 || f.Metadata == nil {
		t.Fatalf("Decode(empty) = %+v, %v", f, err)
	}
	if _, err := Decode(raw(`{"__metadata__":null}`)); err != nil {
		t.Errorf("null metadata: %v", err)
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
