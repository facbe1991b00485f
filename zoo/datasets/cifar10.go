package datasets

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pkg/errors"
)

// CIFAR-10 binary format: each record is one label byte followed by the
// 32×32 image as three planes (R, G, B), each row-major.
const (
	CIFAR10Side       = 32
	CIFAR10ImageSize  = 3 * CIFAR10Side * CIFAR10Side // 3072
	CIFAR10RecordSize = 1 + CIFAR10ImageSize          // 3073
)

// CIFAR-10 normalization constants: per-channel (R, G, B) mean and standard
// deviation of the 50000 training images in [0, 1] units. The std is that
// of the pixels; the often copied (0.2023, 0.1994, 0.2010) is a different
// (per-image) statistic, kept out to avoid mixing the two.
var (
	CIFAR10Mean = []float32{0.4914, 0.4822, 0.4465}
	CIFAR10Std  = []float32{0.2470, 0.2435, 0.2616}
)

// CIFAR10Classes are the default class names, used when the folder has no
// batches.meta.txt.
var CIFAR10Classes = []string{"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"}

// CIFAR10DirEnv names the environment variable that CIFAR10Dir reads.
const CIFAR10DirEnv = "CONVGRAPH_CIFAR10_DIR"

// CIFAR10TrainFiles are the training batches of the official
// cifar-10-batches-bin folder, in the order they are concatenated.
var CIFAR10TrainFiles = []string{"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"}

// CIFAR10TestFile is the test batch of the official folder.
const CIFAR10TestFile = "test_batch.bin"

// CIFAR10Dir returns where CIFAR-10 is expected: $CONVGRAPH_CIFAR10_DIR if
// set, else the project's shared copy, ../shared/data/cifar10 (or
// shared/data/cifar10) relative to the root of the Go module enclosing the
// working directory. There is no download: the data set is not part of any
// Go module. The error says what was tried, so callers (and tests, which
// skip on it) can tell the user how to provide the files.
func CIFAR10Dir() (string, error) {
	if dir := os.Getenv(CIFAR10DirEnv); dir != "" {
		if _, err := os.Stat(filepath.Join(dir, CIFAR10TestFile)); err != nil {
			return "", errors.Errorf("$%s=%s: expected a folder holding %s and data_batch_1..5.bin, found no %s",
				CIFAR10DirEnv, dir, CIFAR10TestFile, CIFAR10TestFile)
		}
		return dir, nil
	}
	root, err := moduleRoot()
	if err != nil {
		return "", errors.Wrapf(err, "CIFAR-10 not found: set $%s to the cifar-10-batches-bin folder", CIFAR10DirEnv)
	}
	var tried []string
	for _, rel := range []string{"../shared/data/cifar10", "shared/data/cifar10"} {
		dir := filepath.Join(root, filepath.FromSlash(rel))
		if _, err := os.Stat(filepath.Join(dir, CIFAR10TestFile)); err == nil {
			return dir, nil
		}
		tried = append(tried, dir)
	}
	return "", errors.Errorf("CIFAR-10 not found in %s: set $%s to a folder in the official binary format (data_batch_1..5.bin, test_batch.bin)",
		strings.Join(tried, ", "), CIFAR10DirEnv)
}

// moduleRoot returns the nearest folder at or above the working directory
// that holds a go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", errors.Wrap(err, "working directory")
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod at or above the working directory")
		}
		dir = parent
	}
}

// LoadCIFAR10 reads the training set (data_batch_1..5.bin, 50000 images)
// and the test set (test_batch.bin, 10000) from dir, or from CIFAR10Dir()
// when dir is "". Class names come from batches.meta.txt when present.
func LoadCIFAR10(dir string) (train, test *Dataset, err error) {
	if dir == "" {
		if dir, err = CIFAR10Dir(); err != nil {
			return nil, nil, err
		}
	}
	classes, err := readCIFAR10Classes(filepath.Join(dir, "batches.meta.txt"))
	if err != nil {
		return nil, nil, err
	}
	paths := make([]string, len(CIFAR10TrainFiles))
	for i, f := range CIFAR10TrainFiles {
		paths[i] = filepath.Join(dir, f)
	}
	if train, err = LoadCIFAR10Files("cifar10-train", paths...); err != nil {
		return nil, nil, err
	}
	if test, err = LoadCIFAR10Files("cifar10-test", filepath.Join(dir, CIFAR10TestFile)); err != nil {
		return nil, nil, err
	}
	train.Classes, test.Classes = classes, append([]string(nil), classes...)
	return train, test, nil
}

// LoadCIFAR10Files reads and concatenates CIFAR-10 binary batch files. Sizes
// are checked before the pixels are read, so the whole set is allocated
// once.
func LoadCIFAR10Files(name string, paths ...string) (*Dataset, error) {
	total := 0
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, errors.Wrap(err, "cifar10")
		}
		if st.Size()%CIFAR10RecordSize != 0 {
			return nil, errors.Errorf("%s: size %d bytes: expected a multiple of the %d-byte record (%d records and %d bytes over)",
				p, st.Size(), CIFAR10RecordSize, st.Size()/CIFAR10RecordSize, st.Size()%CIFAR10RecordSize)
		}
		total += int(st.Size() / CIFAR10RecordSize)
	}
	d := newCIFAR10(name, total)
	at := 0
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, errors.Wrap(err, "cifar10")
		}
		n := len(data) / CIFAR10RecordSize
		if at+n > total { // the file grew since Stat
			return nil, errors.Errorf("%s: %d records: expected %d as stat reported", p, n, total-at)
		}
		if err := decodeCIFAR10Into(d.Pixels[at*CIFAR10ImageSize:], d.Labels[at:], data); err != nil {
			return nil, errors.Wrap(err, p)
		}
		at += n
	}
	if at != total {
		return nil, errors.Errorf("cifar10: read %d records from %v: expected %d as stat reported", at, paths, total)
	}
	return d, nil
}

// DecodeCIFAR10 parses CIFAR-10 binary records held in memory.
func DecodeCIFAR10(name string, data []byte) (*Dataset, error) {
	d := newCIFAR10(name, len(data)/CIFAR10RecordSize)
	if err := decodeCIFAR10Into(d.Pixels, d.Labels, data); err != nil {
		return nil, errors.Wrap(err, name)
	}
	return d, nil
}

func newCIFAR10(name string, n int) *Dataset {
	return &Dataset{
		Name: name, C: 3, H: CIFAR10Side, W: CIFAR10Side,
		Classes: append([]string(nil), CIFAR10Classes...),
		Pixels:  make([]uint8, n*CIFAR10ImageSize),
		Labels:  make([]uint8, n),
	}
}

// decodeCIFAR10Into splits records into labels and pixels; the pixel layout
// (R, G, B planes) already is CHW, so each image is one copy.
func decodeCIFAR10Into(pixels, labels, data []byte) error {
	if len(data)%CIFAR10RecordSize != 0 {
		return errors.Errorf("cifar10: %d bytes: expected a multiple of the %d-byte record", len(data), CIFAR10RecordSize)
	}
	n := len(data) / CIFAR10RecordSize
	if len(labels) < n || len(pixels) < n*CIFAR10ImageSize {
		return errors.Errorf("cifar10: %d records: room for only %d", n, min(len(labels), len(pixels)/CIFAR10ImageSize))
	}
	for i := 0; i < n; i++ {
		rec := data[i*CIFAR10RecordSize : (i+1)*CIFAR10RecordSize]
		if rec[0] > 9 {
			return errors.Errorf("cifar10: record %d (byte offset %d) has label %d: expected 0-9", i, i*CIFAR10RecordSize, rec[0])
		}
		labels[i] = rec[0]
		copy(pixels[i*CIFAR10ImageSize:], rec[1:])
	}
	return nil
}

// readCIFAR10Classes reads batches.meta.txt (one class name a line, blank
// lines ignored); a missing file gives the default names.
func readCIFAR10Classes(path string) ([]string, error) {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return append([]string(nil), CIFAR10Classes...), nil
	}
	if err != nil {
		return nil, errors.Wrap(err, "cifar10")
	}
	defer f.Close()
	var names []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if s := strings.TrimSpace(sc.Text()); s != "" {
			names = append(names, s)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, errors.Wrap(err, path)
	}
	if len(names) != 10 {
		return nil, errors.Errorf("%s: %d class names %s: expected 10", path, len(names), fmt.Sprint(names))
	}
	return names, nil
}
