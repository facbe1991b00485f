package safetensors

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"reflect"
	"sort"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// File is a decoded safetensors file.
type File struct {
	// Names lists the tensor names in sorted order, for deterministic
	// iteration over Tensors.
	Names []string
	// Tensors holds each tensor as a row-major *tensor.Dense that owns its
	// memory (nothing aliases the input).
	Tensors map[string]tensor.Tensor
	// Dtypes holds each tensor's dtype as stored in the file ("F16", ...),
	// since F16 and BF16 are widened to Float32 in Tensors.
	Dtypes map[string]string
	// Metadata is the "__metadata__" object; empty, never nil, if absent.
	Metadata map[string]string
}

// chunkSize bounds the scratch buffer used to convert data, so reading a
// tensor costs its own size plus at most this much, not twice its size.
const chunkSize = 1 << 20

// Read loads every tensor in the file at path. The file is read tensor by
// tensor rather than slurped, so peak memory is about the size of the
// decoded tensors.
func Read(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, errors.Wrap(err, "safetensors: open")
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, errors.Wrapf(err, "safetensors: stat %s", path)
	}
	if !fi.Mode().IsRegular() {
		return nil, formatErr(path, "", "not a regular file (mode %v)", fi.Mode())
	}
	return decode(path, f, fi.Size())
}

// Decode parses a safetensors file held in memory. The result does not
// alias data.
func Decode(data []byte) (*File, error) {
	return decode("", bytes.NewReader(data), int64(len(data)))
}

// decode reads a file of size bytes from r; src names it in errors.
func decode(src string, r io.ReaderAt, size int64) (*File, error) {
	var lenBuf [8]byte
	if size < 8 {
		return nil, formatErr(src, "", "file is %d bytes, too short for the 8-byte header length", size)
	}
	if err := readFull(src, r, lenBuf[:], 0); err != nil {
		return nil, err
	}
	// Compare as uint64 before converting, so a huge length cannot wrap
	// negative.
	n := binary.LittleEndian.Uint64(lenBuf[:])
	if n > MaxHeaderSize {
		return nil, formatErr(src, "", "header length %d exceeds the %d-byte limit", n, MaxHeaderSize)
	}
	if int64(n) > size-8 {
		return nil, formatErr(src, "", "header length %d but only %d bytes follow the length field (truncated file?)", n, size-8)
	}
	header := make([]byte, n)
	if err := readFull(src, r, header, 8); err != nil {
		return nil, err
	}
	dataStart := 8 + int64(n)
	entries, meta, err := parseHeader(src, header, size-dataStart)
	if err != nil {
		return nil, err
	}
	file := &File{
		Names:    make([]string, 0, len(entries)),
		Tensors:  make(map[string]tensor.Tensor, len(entries)),
		Dtypes:   make(map[string]string, len(entries)),
		Metadata: meta,
	}
	// All offsets are validated against size, so this buffer and every
	// tensor below are bounded by the input's size.
	buf := make([]byte, min(chunkSize, max(8, (size-dataStart+7)&^7)))
	for _, e := range entries {
		t, err := readTensor(src, r, dataStart, &e, buf)
		if err != nil {
			return nil, err
		}
		file.Names = append(file.Names, e.name)
		file.Tensors[e.name] = t
		file.Dtypes[e.name] = e.dtype.name
	}
	sort.Strings(file.Names)
	return file, nil
}

// readTensor reads and converts one tensor chunk by chunk through buf, whose
// length is a multiple of 8 and so of every element size.
func readTensor(src string, r io.ReaderAt, dataStart int64, e *entry, buf []byte) (tensor.Tensor, error) {
	size := e.dtype.size
	dst := reflect.MakeSlice(reflect.SliceOf(e.dtype.out.Type), e.n, e.n).Interface()
	per := len(buf) / size
	for i := 0; i < e.n; i += per {
		k := min(per, e.n-i)
		chunk := buf[:k*size]
		if err := readFull(src, r, chunk, dataStart+e.begin+int64(i*size)); err != nil {
			return nil, errors.WithMessagef(err, "reading tensor %q", e.name)
		}
		if bad := decodeLE(e.dtype.name, dst, i, chunk); bad >= 0 {
			return nil, formatErr(src, e.name, "element %d of a BOOL tensor is byte %d; expected 0 or 1", bad, chunk[(bad-i)*size])
		}
	}
	return newDense(src, e, dst)
}

// newDense builds the tensor, turning any gorgonia panic into an error so a
// hostile file can never crash the caller.
func newDense(src string, e *entry, backing any) (t tensor.Tensor, err error) {
	defer func() {
		if p := recover(); p != nil {
			t, err = nil, formatErr(src, e.name, "cannot build tensor of shape %v: %v", e.shape, p)
		}
	}()
	return tensor.New(tensor.WithShape(e.shape...), tensor.WithBacking(backing)), nil
}

// readFull reads exactly len(b) bytes at off; a short read means the file
// ended early (or shrank while being read).
func readFull(src string, r io.ReaderAt, b []byte, off int64) error {
	n, err := r.ReadAt(b, off)
	if n == len(b) {
		return nil
	}
	if err == nil || err == io.EOF {
		return formatErr(src, "", "truncated: wanted %d bytes at offset %d, got %d", len(b), off, n)
	}
	if src == "" {
		src = "data"
	}
	return errors.Wrap(err, fmt.Sprintf("safetensors: read %s at offset %d", src, off))
}
