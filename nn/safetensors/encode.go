package safetensors

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"io"
	"reflect"
	"sort"
	"strconv"
	"unicode/utf8"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// item is one tensor ready to be written.
type item struct {
	name       string
	dtype      *dtype
	shape      []int
	data       any // flat row-major backing slice, exactly n elements
	n          int
	begin, end int64
}

// plan is a fully validated file waiting to be written. Splitting
// validation from writing means an invalid input is rejected before a single
// byte reaches the writer (and before Write creates a temp file).
type plan struct {
	header []byte // JSON, space-padded so the data starts 8-byte aligned
	items  []item // in data order
}

// Encode writes tensors and metadata to w in safetensors format. Tensors
// must be *tensor.Dense of bool, (u)int8/16/32/64, int, uint, float32 or
// float64; views (slices, transposes) are written as their logical,
// row-major contents. Validation errors are reported before anything is
// written; an I/O error may leave w holding a partial file (Write avoids
// that).
//
// The layout matches the reference implementation: data is ordered by dtype
// from widest to narrowest, then by name, so every tensor is aligned to its
// element size; the header lists "__metadata__" (keys sorted) first, then
// the tensors in data order.
func Encode(w io.Writer, tensors map[string]tensor.Tensor, metadata map[string]string) error {
	p, err := prepare(tensors, metadata)
	if err != nil {
		return err
	}
	return p.writeTo(w)
}

func prepare(tensors map[string]tensor.Tensor, metadata map[string]string) (*plan, error) {
	// Visit names in order so that, of several bad tensors, the same one is
	// reported every time.
	names := make([]string, 0, len(tensors))
	for name := range tensors {
		names = append(names, name)
	}
	sort.Strings(names)
	items := make([]item, 0, len(tensors))
	for _, name := range names {
		t := tensors[name]
		if name == metadataKey {
			return nil, errors.Errorf("safetensors: tensor name %q is reserved for metadata", name)
		}
		if !utf8.ValidString(name) {
			return nil, errors.Errorf("safetensors: tensor name %q is not valid UTF-8", name)
		}
		it, err := flatten(name, t)
		if err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	sort.Slice(items, func(i, j int) bool {
		if items[i].dtype.rank != items[j].dtype.rank {
			return items[i].dtype.rank > items[j].dtype.rank
		}
		return items[i].name < items[j].name
	})
	var pos int64
	for i := range items {
		items[i].begin = pos
		pos += int64(items[i].n) * int64(items[i].dtype.size)
		items[i].end = pos
	}
	header, err := buildHeader(items, metadata)
	if err != nil {
		return nil, err
	}
	return &plan{header: header, items: items}, nil
}

// flatten checks that t can be written and extracts its row-major data.
// gorgonia can panic on odd tensors (e.g. a zero-value Dense), so panics
// become errors here.
func flatten(name string, t tensor.Tensor) (it item, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = errors.Errorf("safetensors: tensor %q: cannot read its data: %v", name, p)
		}
	}()
	d, ok := t.(*tensor.Dense)
	switch {
	case !ok:
		return it, errors.Errorf("safetensors: tensor %q is %T; only *tensor.Dense can be written", name, t)
	case d == nil:
		return it, errors.Errorf("safetensors: tensor %q is a nil *tensor.Dense", name)
	case d.Dtype().Type == nil:
		return it, errors.Errorf("safetensors: tensor %q has no element type (zero-value tensor.Dense)", name)
	}
	dt, ok := writeDtype(d.Dtype())
	if !ok {
		return it, errors.Errorf("safetensors: tensor %q has element type %v, which safetensors cannot store", name, d.Dtype())
	}
	switch {
	case !d.IsNativelyAccessible():
		return it, errors.Errorf("safetensors: tensor %q lives in memory Go cannot read (e.g. a GPU); copy it to the host first", name)
	case d.DataOrder().IsColMajor():
		return it, errors.Errorf("safetensors: tensor %q is column-major; the format is row-major, convert it first", name)
	case d.IsMasked():
		return it, errors.Errorf("safetensors: tensor %q has a mask, which the format cannot store", name)
	}
	if d.RequiresIterator() {
		m, ok := d.Materialize().(*tensor.Dense)
		if !ok {
			return it, errors.Errorf("safetensors: tensor %q: cannot materialise view", name)
		}
		d = m
	}
	shape := []int(d.Shape().Clone())
	n := 1
	for _, s := range shape {
		n *= s
	}
	if n <= 0 {
		return it, errors.Errorf("safetensors: tensor %q has shape %v with no elements", name, shape)
	}
	data := reflect.ValueOf(d.Data())
	if len(shape) == 0 { // a scalar's Data() is the value, not a slice
		s := reflect.MakeSlice(reflect.SliceOf(data.Type()), 1, 1)
		s.Index(0).Set(data)
		data = s
	}
	if data.Kind() != reflect.Slice || data.Len() < n {
		return it, errors.Errorf("safetensors: tensor %q of shape %v has %d elements of backing data", name, shape, data.Len())
	}
	return item{name: name, dtype: dt, shape: shape, data: data.Slice(0, n).Interface(), n: n}, nil
}

// buildHeader writes the JSON header by hand to control its order.
func buildHeader(items []item, metadata map[string]string) ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	if len(metadata) > 0 {
		keys := make([]string, 0, len(metadata))
		for k, v := range metadata {
			if !utf8.ValidString(k) || !utf8.ValidString(v) {
				return nil, errors.Errorf("safetensors: metadata %q: %q is not valid UTF-8", k, v)
			}
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteString(`"` + metadataKey + `":{`)
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSONString(&b, k)
			b.WriteByte(':')
			writeJSONString(&b, metadata[k])
		}
		b.WriteByte('}')
	}
	for i, it := range items {
		if i > 0 || len(metadata) > 0 {
			b.WriteByte(',')
		}
		writeJSONString(&b, it.name)
		b.WriteString(`:{"dtype":"` + it.dtype.name + `","shape":[`)
		for j, s := range it.shape {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(itoa(int64(s)))
		}
		b.WriteString(`],"data_offsets":[` + itoa(it.begin) + `,` + itoa(it.end) + `]}`)
	}
	b.WriteByte('}')
	for b.Len()%8 != 0 {
		b.WriteByte(' ')
	}
	if b.Len() > MaxHeaderSize {
		return nil, errors.Errorf("safetensors: header would be %d bytes, over the %d-byte limit readers enforce", b.Len(), MaxHeaderSize)
	}
	return b.Bytes(), nil
}

// writeJSONString writes s as a JSON string without HTML escaping, so names
// like "a<b" stay readable in the header.
func writeJSONString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // cannot fail for a string
	b.Truncate(b.Len() - 1)
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// writeTo emits the length, header and data, converting through a bounded
// buffer so encoding never doubles the memory held by the tensors.
func (p *plan) writeTo(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	var lenBuf [8]byte
	binary.LittleEndian.PutUint64(lenBuf[:], uint64(len(p.header)))
	// bufio errors are sticky, so a failure here surfaces at the next
	// Write or the final Flush.
	bw.Write(lenBuf[:])
	bw.Write(p.header)
	buf := make([]byte, 0, 64<<10)
	for _, it := range p.items {
		per := cap(buf) / it.dtype.size
		for i := 0; i < it.n; i += per {
			buf = appendLE(buf[:0], it.data, i, min(it.n, i+per))
			if _, err := bw.Write(buf); err != nil {
				return errors.Wrap(err, "safetensors: write")
			}
		}
	}
	return errors.Wrap(bw.Flush(), "safetensors: write")
}
