package safetensors

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"gorgonia.org/tensor"
)

// dirNames lists a directory, to spot leftover temp files.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestWriteLeavesNoTempFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "w.safetensors")
	in := map[string]tensor.Tensor{"x": dense([]int{2}, []float32{1, 2})}
	if err := Write(path, in, map[string]string{"a": "b"}); err != nil {
		t.Fatalf("Write: %+v", err)
	}
	if got := dirNames(t, dir); len(got) != 1 || got[0] != "w.safetensors" {
		t.Fatalf("directory holds %v, want only w.safetensors", got)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := encode(t, in, map[string]string{"a": "b"}); !bytes.Equal(got, want) {
		t.Fatalf("file differs from Encode output")
	}
	// A new file gets what os.Create would give it (0666 minus umask), not
	// os.CreateTemp's 0600.
	probe := filepath.Join(t.TempDir(), "probe")
	if f, err := os.Create(probe); err == nil {
		f.Close()
	}
	want, err1 := os.Stat(probe)
	have, err2 := os.Stat(path)
	if err1 != nil || err2 != nil || have.Mode().Perm() != want.Mode().Perm() {
		t.Errorf("new file mode %v, want %v like os.Create (%v, %v)", have.Mode().Perm(), want.Mode().Perm(), err1, err2)
	}
}

func TestWriteOverwriteKeepsMode(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "w.safetensors")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, map[string]tensor.Tensor{"x": dense([]int{1}, []int64{7})}, nil); err != nil {
		t.Fatalf("Write: %+v", err)
	}
	f, err := Read(path)
	if err != nil {
		t.Fatalf("Read: %+v", err)
	}
	sameTensor(t, "x", f.Tensors["x"], dense([]int{1}, []int64{7}), tensor.Int64)
	if fi, _ := os.Stat(path); runtime.GOOS != "windows" && fi.Mode().Perm() != 0o640 {
		t.Errorf("mode after overwrite %v, want 0640", fi.Mode().Perm())
	}
}

// TestWriteErrorKeepsOriginal: a failed save must not damage the previous
// checkpoint or leave debris.
func TestWriteErrorKeepsOriginal(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "w.safetensors")
	orig := encode(t, map[string]tensor.Tensor{"x": dense([]int{1}, []float32{1})}, nil)
	if err := os.WriteFile(path, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	bad := map[string]tensor.Tensor{
		"good": dense([]int{1}, []float32{1}),
		"bad":  dense([]int{1}, []complex128{1}),
	}
	if err := Write(path, bad, nil); err == nil {
		t.Fatal("Write of a complex tensor succeeded")
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, orig) {
		t.Fatal("original file changed after a failed Write")
	}
	if got := dirNames(t, dir); len(got) != 1 {
		t.Fatalf("directory holds %v after failed Write", got)
	}
}

// TestWriteRenameFailure fails at the last step (the target is a non-empty
// directory, so rename cannot replace it) and checks the temp file is gone.
func TestWriteRenameFailure(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "target")
	if err := os.MkdirAll(filepath.Join(path, "child"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, map[string]tensor.Tensor{"x": dense([]int{1}, []float32{1})}, nil); err == nil {
		t.Fatal("Write over a non-empty directory succeeded")
	}
	if got := dirNames(t, dir); len(got) != 1 || got[0] != "target" {
		t.Fatalf("directory holds %v, want only target", got)
	}
}

func TestWriteMissingDir(t *testing.T) {
	err := Write(filepath.Join(t.TempDir(), "no", "such", "dir", "f"), map[string]tensor.Tensor{"x": dense([]int{1}, []float32{1})}, nil)
	if err == nil {
		t.Fatal("Write into a missing directory succeeded")
	}
}
