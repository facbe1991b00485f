package safetensors

import (
	"bytes"
	"encoding/binary"
	"math"
	"reflect"
	"testing"

	"gorgonia.org/tensor"
)

// raw assembles a file from a literal header and data buffer, so tests can
// craft any byte layout, valid or not.
func raw(header string, data ...byte) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	b = append(b, header...)
	return append(b, data...)
}

func encode(t testing.TB, tensors map[string]tensor.Tensor, meta map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Encode(&b, tensors, meta); err != nil {
		t.Fatalf("Encode: %+v", err)
	}
	return b.Bytes()
}

func dense(shape []int, backing any) *tensor.Dense {
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(backing))
}

// bits returns t's logical row-major contents as comparable bit patterns, so
// NaN payloads and -0 compare exactly (== on floats would not).
func bits(t tensor.Tensor) []uint64 {
	d := t.(*tensor.Dense)
	if d.RequiresIterator() {
		d = d.Materialize().(*tensor.Dense)
	}
	v := reflect.ValueOf(d.Data())
	if v.Kind() != reflect.Slice {
		s := reflect.MakeSlice(reflect.SliceOf(v.Type()), 1, 1)
		s.Index(0).Set(v)
		v = s
	}
	n := d.Shape().TotalSize()
	if len(d.Shape()) == 0 {
		n = 1
	}
	out := make([]uint64, n)
	for i := range out {
		switch e := v.Index(i).Interface().(type) {
		case float32:
			out[i] = uint64(math.Float32bits(e))
		case float64:
			out[i] = math.Float64bits(e)
		case bool:
			if e {
				out[i] = 1
			}
		default:
			ev := reflect.ValueOf(e)
			if ev.CanInt() {
				out[i] = uint64(ev.Int())
			} else {
				out[i] = ev.Uint()
			}
		}
	}
	return out
}

// sameTensor fails unless got has want's shape and bit-identical contents;
// wantDtype is the dtype expected after reading back.
func sameTensor(t *testing.T, name string, got, want tensor.Tensor, wantDtype tensor.Dtype) {
	t.Helper()
	if got == nil {
		t.Fatalf("%s: missing", name)
	}
	if got.Dtype() != wantDtype {
		t.Errorf("%s: dtype %v, want %v", name, got.Dtype(), wantDtype)
	}
	if !got.Shape().Eq(want.Shape()) || len(got.Shape()) != len(want.Shape()) {
		t.Errorf("%s: shape %v, want %v", name, got.Shape(), want.Shape())
	}
	if g, w := bits(got), bits(want); !reflect.DeepEqual(g, w) {
		t.Errorf("%s: data bits %x, want %x", name, g, w)
	}
}
