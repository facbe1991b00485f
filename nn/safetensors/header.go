package safetensors

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"sort"
	"unicode/utf8"
)

// MaxHeaderSize bounds the JSON header. Real headers are kilobytes; the
// bound stops a corrupt length field from making us allocate gigabytes. It
// is the reference implementation's limit (just under 100 MiB), so we
// neither accept nor write headers that PyTorch's loader would refuse.
const MaxHeaderSize = 100_000_000

const metadataKey = "__metadata__"

// entry is one validated header record.
type entry struct {
	name       string
	dtype      *dtype
	shape      []int
	n          int   // element count, > 0
	begin, end int64 // byte offsets into the data buffer
}

// rawEntry mirrors the JSON; pointers tell a missing field from an empty one
// (a scalar has "shape": []).
type rawEntry struct {
	Dtype       *string  `json:"dtype"`
	Shape       *[]int64 `json:"shape"`
	DataOffsets *[]int64 `json:"data_offsets"`
}

// parseHeader parses and fully validates header against a data buffer of
// dataLen bytes. It returns the entries ordered by offset and the metadata
// (never nil). Nothing it allocates is larger than a small multiple of
// len(header).
func parseHeader(src string, header []byte, dataLen int64) ([]entry, map[string]string, error) {
	if !utf8.Valid(header) {
		return nil, nil, formatErr(src, "", "header is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(header))
	if err := expectDelim(dec, '{'); err != nil {
		return nil, nil, formatErr(src, "", "header must be a JSON object: %v", err)
	}
	// Parse key by key: encoding/json would silently keep the last of two
	// duplicate names, and a duplicate is a sign of a corrupt or crafted file.
	var entries []entry
	meta := map[string]string{}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, formatErr(src, "", "invalid header JSON: %v", err)
		}
		name, _ := tok.(string) // object keys are always strings
		if seen[name] {
			return nil, nil, formatErr(src, name, "appears twice in the header")
		}
		seen[name] = true
		if name == metadataKey {
			if meta, err = parseMetadata(src, dec); err != nil {
				return nil, nil, err
			}
			continue
		}
		var raw rawEntry
		if err := dec.Decode(&raw); err != nil {
			return nil, nil, formatErr(src, name, "invalid header entry: %v", err)
		}
		e, err := checkEntry(src, name, &raw, dataLen)
		if err != nil {
			return nil, nil, err
		}
		entries = append(entries, e)
	}
	if err := expectDelim(dec, '}'); err != nil {
		return nil, nil, formatErr(src, "", "invalid header JSON: %v", err)
	}
	if rest := header[dec.InputOffset():]; len(bytes.TrimLeft(rest, " \t\r\n")) != 0 {
		return nil, nil, formatErr(src, "", "header has %d bytes of non-whitespace after the JSON object", len(rest))
	}
	if err := checkLayout(src, entries, dataLen); err != nil {
		return nil, nil, err
	}
	return entries, meta, nil
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return &json.UnmarshalTypeError{Value: "token " + tokenString(tok), Offset: dec.InputOffset()}
	}
	return nil
}

func tokenString(tok json.Token) string {
	b, err := json.Marshal(tok)
	if err != nil {
		return "?"
	}
	return string(b)
}

// parseMetadata reads the "__metadata__" value: null or an object of
// string values, rejecting duplicate keys for the same reason as tensors.
func parseMetadata(src string, dec *json.Decoder) (map[string]string, error) {
	meta := map[string]string{}
	tok, err := dec.Token()
	if err != nil {
		return nil, formatErr(src, "", "invalid %s: %v", metadataKey, err)
	}
	if tok == nil {
		return meta, nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, formatErr(src, "", "%s must be an object of strings, found %s", metadataKey, tokenString(tok))
	}
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, formatErr(src, "", "invalid %s: %v", metadataKey, err)
		}
		key, _ := kt.(string)
		vt, err := dec.Token()
		if err != nil {
			return nil, formatErr(src, "", "invalid %s: %v", metadataKey, err)
		}
		val, ok := vt.(string)
		if !ok {
			return nil, formatErr(src, "", "%s key %q must map to a string, found %s", metadataKey, key, tokenString(vt))
		}
		if _, dup := meta[key]; dup {
			return nil, formatErr(src, "", "%s key %q appears twice", metadataKey, key)
		}
		meta[key] = val
	}
	if err := expectDelim(dec, '}'); err != nil {
		return nil, formatErr(src, "", "invalid %s: %v", metadataKey, err)
	}
	return meta, nil
}

// checkEntry validates one tensor on its own: dtype, shape and offsets
// against each other and against the data buffer length.
func checkEntry(src, name string, raw *rawEntry, dataLen int64) (entry, error) {
	e := entry{name: name}
	switch {
	case raw.Dtype == nil:
		return e, formatErr(src, name, "missing \"dtype\"")
	case raw.Shape == nil:
		return e, formatErr(src, name, "missing \"shape\"")
	case raw.DataOffsets == nil:
		return e, formatErr(src, name, "missing \"data_offsets\"")
	}
	dt, ok := dtypes[*raw.Dtype]
	if !ok {
		if knownUnsupported[*raw.Dtype] {
			return e, formatErr(src, name, "dtype %q is not supported (supported: %s)", *raw.Dtype, supportedNames())
		}
		return e, formatErr(src, name, "unknown dtype %q (supported: %s)", *raw.Dtype, supportedNames())
	}
	e.dtype = dt
	offs := *raw.DataOffsets
	if len(offs) != 2 {
		return e, formatErr(src, name, "data_offsets must be [begin, end], found %d numbers", len(offs))
	}
	e.begin, e.end = offs[0], offs[1]
	if e.begin < 0 || e.end < e.begin || e.end > dataLen {
		return e, formatErr(src, name, "data_offsets [%d, %d] must satisfy 0 <= begin <= end <= %d (data buffer size)", e.begin, e.end, dataLen)
	}
	// The element count must fit both int (gorgonia shapes) and, times the
	// element size, int64; check each multiplication before doing it.
	n := int64(1)
	shape := *raw.Shape
	for _, d := range shape {
		if d < 0 {
			return e, formatErr(src, name, "shape %v has a negative dimension", shape)
		}
		if d != 0 && n > math.MaxInt/int64(dt.size)/d {
			return e, formatErr(src, name, "shape %v has too many elements (overflow)", shape)
		}
		n *= d
	}
	if span := e.end - e.begin; n*int64(dt.size) != span {
		return e, formatErr(src, name, "shape %v of %s needs %d bytes, but data_offsets [%d, %d] span %d", shape, dt.name, n*int64(dt.size), e.begin, e.end, span)
	}
	if n == 0 {
		// gorgonia.org/tensor panics on zero-length backing arrays.
		return e, formatErr(src, name, "shape %v has no elements; zero-element tensors cannot be represented in gorgonia.org/tensor", shape)
	}
	e.n = int(n)
	e.shape = make([]int, len(shape))
	for i, d := range shape {
		e.shape[i] = int(d)
	}
	return e, nil
}

// checkLayout requires the tensors to tile [0, dataLen) exactly, which rules
// out overlaps (aliasing), holes and trailing bytes (hidden payloads). It
// sorts entries by offset.
func checkLayout(src string, entries []entry, dataLen int64) error {
	sort.Slice(entries, func(i, j int) bool {
		if entries[i].begin != entries[j].begin {
			return entries[i].begin < entries[j].begin
		}
		return entries[i].name < entries[j].name
	})
	var pos int64
	prev := ""
	for i, e := range entries {
		switch {
		case e.begin < pos:
			return formatErr(src, e.name, "data_offsets [%d, %d] overlap tensor %q, which ends at %d", e.begin, e.end, prev, pos)
		case e.begin > pos && i == 0:
			return formatErr(src, e.name, "first tensor's data starts at %d; expected 0 (%d unused bytes)", e.begin, e.begin)
		case e.begin > pos:
			return formatErr(src, e.name, "data starts at %d but tensor %q ends at %d: %d-byte hole", e.begin, prev, pos, e.begin-pos)
		}
		pos, prev = e.end, e.name
	}
	if pos != dataLen {
		return formatErr(src, "", "tensors cover %d bytes but the data buffer has %d (%d unused trailing bytes)", pos, dataLen, dataLen-pos)
	}
	return nil
}
