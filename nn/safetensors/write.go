package safetensors

import (
	"crypto/rand"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Write saves tensors and metadata to path atomically: it writes a temp
// file in the same directory, fsyncs it, then renames it over path. A crash
// or error therefore leaves either the old file or the complete new one,
// never a truncated checkpoint, and no temp file is left behind on error.
// An existing file's permissions are kept; a new file gets 0666 minus the
// umask, like os.Create. See Encode for what tensors can be written.
func Write(path string, tensors map[string]tensor.Tensor, metadata map[string]string) (err error) {
	p, err := prepare(tensors, metadata)
	if err != nil {
		return err // invalid input: touch nothing on disk
	}
	dir := filepath.Dir(path)
	f, err := createTemp(dir, filepath.Base(path))
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err = p.writeTo(f); err != nil {
		return errors.WithMessagef(err, "safetensors: writing %s", tmp)
	}
	if fi, statErr := os.Stat(path); statErr == nil {
		if err = f.Chmod(fi.Mode().Perm()); err != nil {
			return errors.Wrap(err, "safetensors: keeping permissions")
		}
	}
	if err = f.Sync(); err != nil {
		return errors.Wrapf(err, "safetensors: fsync %s", tmp)
	}
	if err = f.Close(); err != nil {
		return errors.Wrapf(err, "safetensors: close %s", tmp)
	}
	if err = os.Rename(tmp, path); err != nil {
		return errors.Wrap(err, "safetensors: rename")
	}
	syncDir(dir)
	return nil
}

// createTemp is os.CreateTemp with mode 0666 (before umask) instead of 0600,
// so the renamed file gets the same permissions os.Create would give it.
// The leading dot keeps the temp file out of casual directory listings.
func createTemp(dir, base string) (*os.File, error) {
	var rnd [8]byte
	for range 100 {
		rand.Read(rnd[:])
		name := filepath.Join(dir, "."+base+".tmp-"+hex.EncodeToString(rnd[:]))
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, errors.Wrap(err, "safetensors: creating temp file")
		}
		return f, nil
	}
	return nil, errors.Errorf("safetensors: could not create a unique temp file in %s", dir)
}

// syncDir makes the rename itself durable. It is best effort: the data is
// already safe, and some systems (Windows) cannot fsync a directory.
func syncDir(dir string) {
	if runtime.GOOS == "windows" {
		return
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
