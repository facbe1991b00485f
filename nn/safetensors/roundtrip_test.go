package safetensors

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"gorgonia.org/tensor"
)

// specialF32 and specialF64 are the values a lossy encoder would mangle:
// signed zeros, infinities, subnormals and NaNs with payloads (quiet and
// signalling), which must survive bit for bit.
var (
	specialF32 = []float32{
		float32(math.Copysign(0, -1)), 0, float32(math.Inf(1)), float32(math.Inf(-1)),
		math.Float32frombits(0x7fc00001), math.Float32frombits(0xffa00005), // qNaN, sNaN with payloads
		math.Float32frombits(1), math.MaxFloat32, -math.SmallestNonzeroFloat32, 1.5,
	}
	specialF64 = []float64{
		math.Copysign(0, -1), 0, math.Inf(1), math.Inf(-1),
		math.Float64frombits(0x7ff8000000000123), math.Float64frombits(0xfff4000000000001),
		math.Float64frombits(1), math.MaxFloat64, -math.SmallestNonzeroFloat64, 1.5,
	}
)

// sampleTensors covers every writable dtype, scalars, and shapes of rank
// 1 to 4; shared with the fuzz seeds.
func sampleTensors() map[string]tensor.Tensor {
	r := rand.New(rand.NewPCG(1, 2))
	f32 := make([]float32, 24)
	for i := range f32 {
		f32[i] = r.Float32()*2 - 1
	}
	return map[string]tensor.Tensor{
		"f32.special":                          dense([]int{10}, specialF32),
		"f64.special":                          dense([]int{2, 5}, specialF64),
		"f32.rank4":                            dense([]int{1, 2, 3, 4}, f32),
		"f32.scalar":                           tensor.New(tensor.FromScalar(float32(-0.25))),
		"i64":                                  dense([]int{3}, []int64{math.MinInt64, -1, math.MaxInt64}),
		"i32":                                  dense([]int{3}, []int32{math.MinInt32, -1, math.MaxInt32}),
		"i16":                                  dense([]int{2}, []int16{math.MinInt16, math.MaxInt16}),
		"i8":                                   dense([]int{2}, []int8{math.MinInt8, math.MaxInt8}),
		"u64":                                  dense([]int{2}, []uint64{0, math.MaxUint64}),
		"u32":                                  dense([]int{2}, []uint32{0, math.MaxUint32}),
		"u16":                                  dense([]int{2}, []uint16{0, math.MaxUint16}),
		"u8":                                   dense([]int{2, 2}, []uint8{0, 1, 128, 255}),
		"bool":                                 dense([]int{3}, []bool{true, false, true}),
		"name with \"quotes\" <&> and ünïcode": dense([]int{1}, []float64{42}),
	}
}

func TestRoundTripAllDtypes(t *testing.T) {
	in := sampleTensors()
	meta := map[string]string{"format": "pt", "": "empty key", "json": `{"nested": "quotes\n"}`}
	f, err := Decode(encode(t, in, meta))
	if err != nil {
		t.Fatalf("Decode: %+v", err)
	}
	if len(f.Tensors) != len(in) || len(f.Names) != len(in) {
		t.Fatalf("got %d tensors, want %d", len(f.Tensors), len(in))
	}
	for name, want := range in {
		sameTensor(t, name, f.Tensors[name], want, want.Dtype())
	}
	for k, v := range meta {
		if f.Metadata[k] != v {
			t.Errorf("metadata[%q] = %q, want %q", k, f.Metadata[k], v)
		}
	}
}

// TestRoundTripFile goes through Write and Read, exercising the chunked
// file reader with a tensor larger than one chunk.
func TestRoundTripFile(t *testing.T) {
	big := make([]float64, chunkSize/8*2+3) // spans three read chunks
	for i := range big {
		big[i] = math.Float64frombits(uint64(i) * 0x9e3779b97f4a7c15)
	}
	in := sampleTensors()
	in["big"] = dense([]int{len(big)}, big)
	path := filepath.Join(t.TempDir(), "model.safetensors")
	if err := Write(path, in, nil); err != nil {
		t.Fatalf("Write: %+v", err)
	}
	f, err := Read(path)
	if err != nil {
		t.Fatalf("Read: %+v", err)
	}
	for name, want := range in {
		sameTensor(t, name, f.Tensors[name], want, want.Dtype())
	}
}

// TestWriteViews checks that views are written as what they logically
// contain, not as their (larger, differently ordered) backing array.
func TestWriteViews(t *testing.T) {
	base := dense([]int{3, 3}, []float32{1, 2, 3, 4, 5, 6, 7, 8, 9})
	col, err := base.Slice(nil, tensor.S(1, 3))
	if err != nil {
		t.Fatal(err)
	}
	row, err := base.Slice(tensor.S(0, 1))
	if err != nil {
		t.Fatal(err)
	}
	col1, err := base.Slice(nil, tensor.S(1))
	if err != nil {
		t.Fatal(err)
	}
	tr := dense([]int{2, 3}, []float32{1, 2, 3, 4, 5, 6})
	if err := tr.T(); err != nil {
		t.Fatal(err)
	}
	f, err := Decode(encode(t, map[string]tensor.Tensor{"col": col, "col1": col1, "row": row, "tr": tr}, nil))
	if err != nil {
		t.Fatalf("Decode: %+v", err)
	}
	sameTensor(t, "col", f.Tensors["col"], dense([]int{3, 2}, []float32{2, 3, 5, 6, 8, 9}), tensor.Float32)
	sameTensor(t, "col1", f.Tensors["col1"], dense([]int{3}, []float32{2, 5, 8}), tensor.Float32)
	sameTensor(t, "row", f.Tensors["row"], dense([]int{3}, []float32{1, 2, 3}), tensor.Float32)
	sameTensor(t, "tr", f.Tensors["tr"], dense([]int{3, 2}, []float32{1, 4, 2, 5, 3, 6}), tensor.Float32)
}

// TestWriteGoInt: the format has no platform-sized integers, so int and
// uint are stored as I64/U64 and come back as Int64/Uint64.
func TestWriteGoInt(t *testing.T) {
	f, err := Decode(encode(t, map[string]tensor.Tensor{
		"i": dense([]int{2}, []int{-3, 4}),
		"u": dense([]int{1}, []uint{5}),
	}, nil))
	if err != nil {
		t.Fatalf("Decode: %+v", err)
	}
	sameTensor(t, "i", f.Tensors["i"], dense([]int{2}, []int64{-3, 4}), tensor.Int64)
	sameTensor(t, "u", f.Tensors["u"], dense([]int{1}, []uint64{5}), tensor.Uint64)
	if f.Dtypes["i"] != "I64" || f.Dtypes["u"] != "U64" {
		t.Errorf("Dtypes = %v", f.Dtypes)
	}
}

func TestEncodeRejects(t *testing.T) {
	masked := dense([]int{2}, []float32{1, 2})
	masked.ResetMask(false)
	cases := map[string]map[string]tensor.Tensor{
		"reserved name": {"__metadata__": dense([]int{1}, []float32{1})},
		"bad utf8 name": {"\xff": dense([]int{1}, []float32{1})},
		"nil tensor":    {"x": nil},
		"nil dense":     {"x": (*tensor.Dense)(nil)},
		"complex":       {"x": dense([]int{1}, []complex64{1})},
		"string":        {"x": dense([]int{1}, []string{"a"})},
		"zero dense":    {"x": new(tensor.Dense)},
		"masked":        {"x": masked},
		"col major":     {"x": tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float32{1, 2, 3, 4}), tensor.AsFortran(nil))},
	}
	for name, tensors := range cases {
		var b countingWriter
		err := Encode(&b, tensors, nil)
		if err == nil {
			t.Errorf("%s: Encode succeeded", name)
			continue
		}
		if b.n != 0 {
			t.Errorf("%s: wrote %d bytes before failing", name, b.n)
		}
		t.Logf("%s: %v", name, err)
	}
	if err := Encode(&countingWriter{}, nil, map[string]string{"k": "\xff"}); err == nil {
		t.Error("invalid UTF-8 metadata accepted")
	}
}

type countingWriter struct{ n int }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }

// TestF16Exhaustive checks every half-precision bit pattern against an
// independent definition of the format.
func TestF16Exhaustive(t *testing.T) {
	for h := range 1 << 16 {
		sign, exp, mant := h>>15, (h>>10)&0x1f, h&0x3ff
		var want float64
		switch exp {
		case 0:
			want = math.Ldexp(float64(mant), -24)
		case 0x1f:
			want = math.Inf(1)
		default:
			want = math.Ldexp(float64(mant|0x400), exp-25)
		}
		if sign == 1 {
			want = -want
		}
		got := f16ToF32(uint16(h))
		if exp == 0x1f && mant != 0 {
			// NaN: quiet/signalling bit and payload move up by 13 bits.
			if b := math.Float32bits(got); b != uint32(sign)<<31|0x7f800000|uint32(mant)<<13 {
				t.Fatalf("f16 %#04x -> %#08x", h, b)
			}
			continue
		}
		if float64(got) != want || math.Signbit(float64(got)) != (sign == 1) {
			t.Fatalf("f16 %#04x -> %v, want %v", h, got, want)
		}
	}
}
