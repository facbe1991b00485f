package datasets

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// makeIDX encodes an IDX file by hand, independently of the reader.
func makeIDX(t IDXType, dims []uint32, data []byte) []byte {
	var b bytes.Buffer
	b.Write([]byte{0, 0, byte(t), byte(len(dims))})
	for _, d := range dims {
		binary.Write(&b, binary.BigEndian, d)
	}
	b.Write(data)
	return b.Bytes()
}

func gz(t testing.TB, data []byte) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestReadIDX(t *testing.T) {
	pix := []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	raw := makeIDX(IDXUint8, []uint32{2, 2, 3}, pix)
	for name, in := range map[string][]byte{"raw": raw, "gzip": gz(t, raw)} {
		x, err := ReadIDX(bytes.NewReader(in))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if x.Type != IDXUint8 || len(x.Dims) != 3 || x.Dims[0] != 2 || x.Dims[1] != 2 || x.Dims[2] != 3 || x.Len() != 12 {
			t.Errorf("%s: got type %s dims %v", name, x.Type, x.Dims)
		}
		if !bytes.Equal(x.Data, pix) {
			t.Errorf("%s: data %v, want %v", name, x.Data, pix)
		}
	}
	// Wider types keep their raw big-endian bytes.
	x, err := ReadIDX(bytes.NewReader(makeIDX(IDXInt32, []uint32{2}, []byte{0, 0, 1, 0, 255, 255, 255, 255})))
	if err != nil || x.Type != IDXInt32 || len(x.Data) != 8 || x.Type.Size() != 4 {
		t.Fatalf("int32: %v %+v", err, x)
	}
	// A zero dimension is a valid, empty file.
	if x, err := ReadIDX(bytes.NewReader(makeIDX(IDXUint8, []uint32{0, 28, 28}, nil))); err != nil || x.Len() != 0 {
		t.Fatalf("empty: %v %+v", err, x)
	}
}

func TestReadIDXErrors(t *testing.T) {
	good := makeIDX(IDXUint8, []uint32{2, 3}, []byte{1, 2, 3, 4, 5, 6})
	gzGood := gz(t, good)
	corruptGz := append([]byte(nil), gzGood...)
	corruptGz[len(corruptGz)-6] ^= 0xff // CRC-32 in the trailer
	cases := []struct {
		name, in, want string
	}{
		{"empty", "", "truncated header"},
		{"short magic", "\x00\x00\x08", "truncated header"},
		{"bad magic", "\x12\x34\x08\x01\x00\x00\x00\x00", "bad magic"},
		{"unknown type", "\x00\x00\x07\x01\x00\x00\x00\x00", "unknown element type 0x07"},
		{"no dims", "\x00\x00\x08\x00", "0 dimensions"},
		{"short dims", "\x00\x00\x08\x02\x00\x00\x00\x02\x00\x00", "truncated header"},
		{"truncated data", string(good[:len(good)-1]), "expect 6 bytes, found 5"},
		{"trailing data", string(good) + "x", "trailing data"},
		{"huge", string(makeIDX(IDXFloat64, []uint32{1 << 31, 1 << 31}, nil)), "more than"},
		{"huge truncated", string(makeIDX(IDXUint8, []uint32{1 << 30}, []byte{1})), "found 1"},
		{"truncated gzip", string(gzGood[:len(gzGood)-10]), "idx"},
		{"corrupt gzip", string(corruptGz), "gzip"},
	}
	for _, c := range cases {
		_, err := ReadIDX(strings.NewReader(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

func TestReadIDXFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x-idx1-ubyte.gz")
	if err := os.WriteFile(p, gz(t, makeIDX(IDXUint8, []uint32{3}, []byte{7, 8, 9})), 0o644); err != nil {
		t.Fatal(err)
	}
	x, err := ReadIDXFile(p)
	if err != nil || !bytes.Equal(x.Data, []byte{7, 8, 9}) {
		t.Fatalf("%v %+v", err, x)
	}
	bad := filepath.Join(dir, "bad")
	os.WriteFile(bad, []byte("\x00\x00\x08\x01\x00\x00\x00\x05ab"), 0o644)
	if _, err := ReadIDXFile(bad); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("error %v should name the file %s", err, bad)
	}
	if _, err := ReadIDXFile(filepath.Join(dir, "missing")); err == nil {
		t.Error("missing file: no error")
	}
}

// FuzzReadIDX checks that no input makes the reader panic or return data
// inconsistent with its header.
func FuzzReadIDX(f *testing.F) {
	good := makeIDX(IDXUint8, []uint32{2, 2, 2}, []byte{1, 2, 3, 4, 5, 6, 7, 8})
	f.Add(good)
	f.Add(gz(f, good))
	f.Add(makeIDX(IDXFloat64, []uint32{1}, []byte{1, 2, 3, 4, 5, 6, 7, 8}))
	f.Add(makeIDX(IDXUint8, []uint32{0xffffffff, 0xffffffff}, nil))
	f.Add(good[:9])
	f.Add([]byte{0x1f, 0x8b})
	f.Fuzz(func(t *testing.T, in []byte) {
		x, err := ReadIDX(bytes.NewReader(in))
		if err != nil {
			return
		}
		if len(x.Data) != x.Len()*x.Type.Size() {
			t.Fatalf("dims %v type %s but %d data bytes", x.Dims, x.Type, len(x.Data))
		}
	})
}
