package datasets

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"io"
	"os"

	"github.com/pkg/errors"
)

// IDXType is the element type code of an IDX file (third byte of the magic).
type IDXType byte

// Element types defined by the IDX format (http://yann.lecun.com/exdb/mnist/).
const (
	IDXUint8   IDXType = 0x08
	IDXInt8    IDXType = 0x09
	IDXInt16   IDXType = 0x0B
	IDXInt32   IDXType = 0x0C
	IDXFloat32 IDXType = 0x0D
	IDXFloat64 IDXType = 0x0E
)

// Size returns the size of one element in bytes, or 0 for an unknown type.
func (t IDXType) Size() int {
	switch t {
	case IDXUint8, IDXInt8:
		return 1
	case IDXInt16:
		return 2
	case IDXInt32, IDXFloat32:
		return 4
	case IDXFloat64:
		return 8
	}
	return 0
}

func (t IDXType) String() string {
	switch t {
	case IDXUint8:
		return "uint8"
	case IDXInt8:
		return "int8"
	case IDXInt16:
		return "int16"
	case IDXInt32:
		return "int32"
	case IDXFloat32:
		return "float32"
	case IDXFloat64:
		return "float64"
	}
	return "unknown"
}

// maxIDXBytes bounds the payload a header may declare. It keeps a corrupt
// header from overflowing the size computation; real IDX files are far
// smaller (MNIST training images: 47 MB).
const maxIDXBytes = 1 << 40

// IDX is the decoded content of an IDX file. Data holds the elements as
// stored: big-endian, row-major, len(Data) == product(Dims) * Type.Size().
// Keeping raw bytes avoids a copy for the uint8 files that MNIST uses.
type IDX struct {
	Type IDXType
	Dims []int
	Data []byte
}

// Len returns the number of elements, the product of Dims.
func (x *IDX) Len() int {
	n := 1
	for _, d := range x.Dims {
		n *= d
	}
	return n
}

// ReadIDX decodes an IDX stream, gzip-compressed or not: gzip is detected
// by its magic bytes (1f 8b), which cannot start an IDX file (its first two
// bytes are zero), so callers need not know how a file was stored.
//
// It checks the magic, the element type, that the data is exactly as long as
// the dimensions declare (no truncation, no trailing bytes) and, for gzip,
// the checksum. It never allocates much more than the input actually holds,
// so a corrupt header cannot exhaust memory.
func ReadIDX(r io.Reader) (*IDX, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	head, _ := br.Peek(2)
	if len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, errors.Wrap(err, "idx: bad gzip header")
		}
		defer zr.Close()
		return decodeIDX(bufio.NewReaderSize(zr, 1<<16), true)
	}
	return decodeIDX(br, false)
}

func decodeIDX(r io.Reader, gz bool) (*IDX, error) {
	var magic [4]byte
	if n, err := io.ReadFull(r, magic[:]); err != nil {
		return nil, errors.Errorf("idx: truncated header: expected 4 magic bytes, found %d (%v)", n, err)
	}
	if magic[0] != 0 || magic[1] != 0 {
		return nil, errors.Errorf("idx: bad magic: expected 00 00 <type> <ndims>, found % x", magic)
	}
	t := IDXType(magic[2])
	if t.Size() == 0 {
		return nil, errors.Errorf("idx: unknown element type 0x%02x: expected one of 08 09 0b 0c 0d 0e", magic[2])
	}
	nd := int(magic[3])
	if nd == 0 {
		return nil, errors.New("idx: header declares 0 dimensions: expected at least 1")
	}
	raw := make([]byte, 4*nd)
	if n, err := io.ReadFull(r, raw); err != nil {
		return nil, errors.Errorf("idx: truncated header: expected %d dimension bytes for %d dimensions, found %d", len(raw), nd, n)
	}
	dims := make([]int, nd)
	size := int64(t.Size())
	for i := range dims {
		d := binary.BigEndian.Uint32(raw[4*i:])
		dims[i] = int(d)
		if d != 0 && size > maxIDXBytes/int64(d) {
			return nil, errors.Errorf("idx: dimensions %v declare more than %d bytes of data", dims[:i+1], int64(maxIDXBytes))
		}
		size *= int64(d)
	}

	data, err := readN(r, size)
	if err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil, errors.Errorf("idx: truncated data: dimensions %v of %s expect %d bytes, found %d",
				dims, t, size, len(data))
		}
		return nil, errors.Wrapf(err, "idx: reading %d data bytes", size)
	}
	// One more read must hit EOF: trailing bytes mean the header is wrong,
	// and for gzip the final read also verifies the checksum.
	var extra [1]byte
	if n, err := io.ReadFull(r, extra[:]); n > 0 {
		return nil, errors.Errorf("idx: trailing data: dimensions %v of %s expect %d bytes, found more", dims, t, size)
	} else if err != io.EOF {
		if gz {
			return nil, errors.Wrap(err, "idx: corrupt gzip stream")
		}
		return nil, errors.Wrap(err, "idx: reading past the data")
	}
	return &IDX{Type: t, Dims: dims, Data: data}, nil
}

// readN reads exactly n bytes. Rather than trusting a possibly corrupt
// header with one large allocation, it grows the buffer (doubling, capped
// at n) only as data actually arrives, so that the result has no spare
// capacity and truncated input costs little memory.
func readN(r io.Reader, n int64) ([]byte, error) {
	data := make([]byte, 0, min(n, 1<<22))
	for int64(len(data)) < n {
		if len(data) == cap(data) {
			grown := make([]byte, len(data), min(n, 2*int64(cap(data))))
			copy(grown, data)
			data = grown
		}
		k, err := r.Read(data[len(data):cap(data)])
		data = data[:len(data)+k]
		if err != nil && int64(len(data)) < n {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return data, err
		}
	}
	return data, nil
}

// ReadIDXFile reads an IDX file, gzip-compressed or not (see ReadIDX). Errors
// name the file.
func ReadIDXFile(path string) (*IDX, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, errors.Wrap(err, "idx")
	}
	defer f.Close()
	x, err := ReadIDX(f)
	if err != nil {
		return nil, errors.Wrap(err, path)
	}
	return x, nil
}
