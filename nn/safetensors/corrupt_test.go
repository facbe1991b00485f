package safetensors

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// f32x1 is a valid one-tensor entry used to build otherwise-broken files.
const f32x1 = `"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}`

var four = []byte{0, 0, 128, 63}

// corruptCases maps a description to a broken file and a fragment its error
// must contain, so messages stay specific enough to act on.
var corruptCases = []struct {
	name, want string
	data       []byte
}{
	{"empty file", "too short", nil},
	{"7 bytes", "too short", []byte{1, 2, 3, 4, 5, 6, 7}},
	{"header length over limit", "exceeds", binary.LittleEndian.AppendUint64(nil, MaxHeaderSize+1)},
	{"header length 2^64-1", "exceeds", binary.LittleEndian.AppendUint64(nil, ^uint64(0))},
	{"header past end", "only 2 bytes follow", append(binary.LittleEndian.AppendUint64(nil, 3), '{', '}')},
	{"invalid JSON", "invalid character", raw(`{"a":}`)},
	{"invalid JSON key", "invalid header JSON", raw(`{a:1}`)},
	{"unterminated JSON", "invalid header JSON", raw(`{`+f32x1, four...)},
	{"not an object", "must be a JSON object", raw(`[]`)},
	{"empty header", "must be a JSON object", raw(``)},
	{"invalid UTF-8", "UTF-8", raw("{\"\xff\":1}")},
	{"trailing garbage", "non-whitespace after", raw(`{}x`)},
	{"second object", "non-whitespace after", raw(`{}{}`)},
	{"entry not an object", `tensor "a": invalid header entry`, raw(`{"a":5}`)},
	{"unknown dtype", `unknown dtype "F7"`, raw(`{"a":{"dtype":"F7","shape":[1],"data_offsets":[0,4]}}`, four...)},
	{"unsupported dtype", `dtype "F8_E4M3" is not supported`, raw(`{"a":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}}`, 0)},
	{"missing dtype", `missing "dtype"`, raw(`{"a":{"shape":[1],"data_offsets":[0,4]}}`, four...)},
	{"missing shape", `missing "shape"`, raw(`{"a":{"dtype":"F32","data_offsets":[0,4]}}`, four...)},
	{"null shape", `missing "shape"`, raw(`{"a":{"dtype":"F32","shape":null,"data_offsets":[0,4]}}`, four...)},
	{"missing offsets", `missing "data_offsets"`, raw(`{"a":{"dtype":"F32","shape":[1]}}`, four...)},
	{"one offset", "found 1 numbers", raw(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[4]}}`, four...)},
	{"fractional dim", "invalid header entry", raw(`{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}`, four...)},
	{"huge dim", "invalid header entry", raw(`{"a":{"dtype":"F32","shape":[1e30],"data_offsets":[0,4]}}`, four...)},
	{"string dim", "invalid header entry", raw(`{"a":{"dtype":"F32","shape":["1"],"data_offsets":[0,4]}}`, four...)},
	{"negative dim", "negative dimension", raw(`{"a":{"dtype":"F32","shape":[-1,-4],"data_offsets":[0,4]}}`, four...)},
	{"shape overflow", "overflow", raw(`{"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,0]}}`)},
	{"shape overflow wraps to span", "overflow", raw(`{"a":{"dtype":"U8","shape":[4294967296,4294967296,1],"data_offsets":[0,0]}}`)},
	{"shape vs span", "needs 8 bytes, but data_offsets [0, 4] span 4", raw(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}`, four...)},
	{"zero elements", "no elements", raw(`{"a":{"dtype":"F32","shape":[0,3],"data_offsets":[0,0]}}`)},
	{"negative offset", "0 <= begin", raw(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}}`, four...)},
	{"end before begin", "0 <= begin <= end", raw(`{"a":{"dtype":"U8","shape":[1],"data_offsets":[2,1]}}`, 0, 0)},
	{"end past buffer", "<= 4 (data buffer size)", raw(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, four...)},
	{"truncated data", "<= 3 (data buffer size)", raw(`{`+f32x1+`}`, 0, 0, 128)},
	{"duplicate tensor", `tensor "a": appears twice`, raw(`{`+f32x1+`,`+f32x1+`}`, four...)},
	{"duplicate metadata", `"__metadata__": appears twice`, raw(`{"__metadata__":{},"__metadata__":{}}`)},
	{"duplicate metadata key", `key "k" appears twice`, raw(`{"__metadata__":{"k":"1","k":"2"}}`)},
	{"metadata not object", "must be an object", raw(`{"__metadata__":[]}`)},
	{"metadata number", `key "k" must map to a string, found 1`, raw(`{"__metadata__":{"k":1}}`)},
	{"overlap", `overlap tensor "a"`, raw(`{`+f32x1+`,"b":{"dtype":"U8","shape":[2],"data_offsets":[2,4]}}`, four...)},
	{"alias", `overlap tensor "a"`, raw(`{`+f32x1+`,"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, four...)},
	{"hole", "2-byte hole", raw(`{`+f32x1+`,"b":{"dtype":"U8","shape":[1],"data_offsets":[6,7]}}`, 0, 0, 128, 63, 0, 0, 0)},
	{"not from zero", "starts at 2; expected 0", raw(`{"a":{"dtype":"U8","shape":[2],"data_offsets":[2,4]}}`, 0, 0, 0, 0)},
	{"trailing data", "1 unused trailing bytes", raw(`{`+f32x1+`}`, 0, 0, 128, 63, 9)},
	{"bad bool", "element 1 of a BOOL tensor is byte 2", raw(`{"a":{"dtype":"BOOL","shape":[2],"data_offsets":[0,2]}}`, 1, 2)},
}

func TestDecodeCorrupt(t *testing.T) {
	for _, c := range corruptCases {
		f, err := Decode(c.data)
		if err == nil {
			t.Errorf("%s: Decode succeeded: %v", c.name, f.Names)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q does not contain %q", c.name, err, c.want)
		}
		var fe *FormatError
		if !errors.As(err, &fe) {
			t.Errorf("%s: error %v is not a *FormatError", c.name, err)
		}
	}
}

// TestReadCorruptNamesFile: errors from Read must say which file is bad.
func TestReadCorruptNamesFile(t *testing.T) {
	dir := t.TempDir()
	for i, c := range corruptCases[:8] {
		path := filepath.Join(dir, c.name+".safetensors")
		if err := os.WriteFile(path, c.data, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Read(path)
		if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("case %d %s: Read error %v should name %s and contain %q", i, c.name, err, path, c.want)
		}
	}
	if _, err := Read(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v, want os.ErrNotExist", err)
	}
	if _, err := Read(dir); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("directory: %v", err)
	}
}

// TestDecodeTruncations cuts a valid file at every length: each prefix
// must fail cleanly, never panic or succeed.
func TestDecodeTruncations(t *testing.T) {
	b := encode(t, sampleTensors(), map[string]string{"k": "v"})
	for n := range len(b) {
		if _, err := Decode(b[:n]); err == nil {
			t.Fatalf("prefix of %d/%d bytes decoded without error", n, len(b))
		}
	}
}

// TestHostileSizesAllocateLittle: a tiny file claiming a huge header or
// tensor must be rejected before anything of the claimed size is allocated.
func TestHostileSizesAllocateLittle(t *testing.T) {
	huge := `{"a":{"dtype":"F64","shape":[1073741824,16],"data_offsets":[0,137438953472]}}`
	inputs := map[string][]byte{
		"header at limit": binary.LittleEndian.AppendUint64(nil, MaxHeaderSize),
		"tensor 128GiB":   raw(huge, 1, 2, 3),
		"span matches":    raw(`{"a":{"dtype":"U8","shape":[1000000000],"data_offsets":[0,1000000000]}}`),
		"many dims":       raw(`{"a":{"dtype":"U8","shape":[`+strings.Repeat("1,", 1000)+`1],"data_offsets":[0,1]}}`, 1),
		"deeply nested":   raw(`{"__metadata__":` + strings.Repeat("[", 5000)),
		"big declared ok": raw(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, four...),
	}
	for name, in := range inputs {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		Decode(in)
		runtime.ReadMemStats(&after)
		if got := after.TotalAlloc - before.TotalAlloc; got > 1<<20 {
			t.Errorf("%s: %d-byte input allocated %d bytes", name, len(in), got)
		}
	}
	// Same through Read, which must check the length against the file size
	// before allocating the header.
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, inputs["header at limit"], 0o644); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := Read(path)
	runtime.ReadMemStats(&after)
	if err == nil {
		t.Fatal("Read succeeded")
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 1<<20 {
		t.Errorf("Read of hostile file allocated %d bytes", got)
	}
}
