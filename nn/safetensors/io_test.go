package safetensors

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

// failingReaderAt fails every read at or past off, simulating a disk error
// or a file that shrinks while it is being read.
type failingReaderAt struct {
	data []byte
	off  int64
	err  error
}

func (r failingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) > r.off {
		return 0, r.err
	}
	return copy(p, r.data[off:]), nil
}

func TestDecodeReadErrors(t *testing.T) {
	b := encode(t, map[string]tensor.Tensor{"x": dense([]int{4}, []float32{1, 2, 3, 4})}, nil)
	dataStart := int64(len(b) - 16)
	ioErr := errors.New("disk on fire")
	_, err := decode("m.st", failingReaderAt{b, dataStart, ioErr}, int64(len(b)))
	if !errors.Is(err, ioErr) || !strings.Contains(err.Error(), `reading tensor "x"`) || !strings.Contains(err.Error(), "m.st") {
		t.Errorf("I/O error: got %v", err)
	}
	_, err = decode("m.st", failingReaderAt{b, dataStart, nil}, int64(len(b)))
	if err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("shrunk file: got %v", err)
	}
}

type failingWriter struct{ after int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) > w.after {
		return 0, errors.New("disk full")
	}
	w.after -= len(p)
	return len(p), nil
}

func TestEncodeWriteError(t *testing.T) {
	big := make([]float64, 1<<15) // larger than the writer's buffer
	in := map[string]tensor.Tensor{"x": dense([]int{len(big)}, big)}
	for _, after := range []int{0, 100, 1 << 17} {
		if err := Encode(&failingWriter{after}, in, nil); err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Errorf("failing after %d bytes: got %v", after, err)
		}
	}
	var ok bytes.Buffer
	if err := Encode(&ok, in, nil); err != nil {
		t.Fatal(err)
	}
}
