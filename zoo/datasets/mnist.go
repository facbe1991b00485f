package datasets

import (
	"os"
	"path/filepath"

	"github.com/pkg/errors"
)

// MNIST normalization constants: mean and standard deviation of the
// training pixels in [0, 1] units, as used by the reference PyTorch
// examples. ChannelStats on the training set reproduces them.
var (
	MNISTMean = []float32{0.1307}
	MNISTStd  = []float32{0.3081}
)

// LeNet-5 (LeCun et al. 1998) normalization: the paper scales inputs so
// that background is -0.1 and foreground 1.175, i.e. x·1.275 − 0.1, which
// is (x − 0.1/1.275)/(1/1.275). Use with Pad 2 (28→32) to reproduce its
// input layer.
var (
	LeNet5Mean = []float32{0.1 / 1.275}
	LeNet5Std  = []float32{1 / 1.275}
)

// MNISTClasses are the MNIST class names, the digits.
var MNISTClasses = []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}

// MNIST file names, as distributed by LeCun and shipped gzipped by GoMNIST.
const (
	MNISTTrainImages = "train-images-idx3-ubyte"
	MNISTTrainLabels = "train-labels-idx1-ubyte"
	MNISTTestImages  = "t10k-images-idx3-ubyte"
	MNISTTestLabels  = "t10k-labels-idx1-ubyte"
)

// LoadMNIST reads the MNIST training (60000) and test (10000) sets from dir,
// or from MNISTDir() when dir is "". Files may be gzipped (name.gz, as
// GoMNIST ships them) or raw.
func LoadMNIST(dir string) (train, test *Dataset, err error) {
	if dir == "" {
		if dir, err = MNISTDir(); err != nil {
			return nil, nil, err
		}
	}
	train, err = LoadIDXImages(idxPath(dir, MNISTTrainImages), idxPath(dir, MNISTTrainLabels), "mnist-train", MNISTClasses)
	if err != nil {
		return nil, nil, err
	}
	test, err = LoadIDXImages(idxPath(dir, MNISTTestImages), idxPath(dir, MNISTTestLabels), "mnist-test", MNISTClasses)
	if err != nil {
		return nil, nil, err
	}
	return train, test, nil
}

// idxPath prefers name.gz and falls back to the raw name, so that both the
// GoMNIST folder and an unpacked LeCun download work. When neither exists
// it returns the .gz name, whose "no such file" error is then reported.
func idxPath(dir, name string) string {
	p := filepath.Join(dir, name)
	if _, err := os.Stat(p + ".gz"); err != nil {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return p + ".gz"
}

// LoadIDXImages builds a grey-scale data set from an IDX image file
// (uint8, N×H×W) and an IDX label file (uint8, N), checking that the counts
// match and every label indexes classes. It serves any MNIST-format set
// (MNIST, Fashion-MNIST, KMNIST) by passing its class names.
func LoadIDXImages(imagesPath, labelsPath, name string, classes []string) (*Dataset, error) {
	img, err := ReadIDXFile(imagesPath)
	if err != nil {
		return nil, err
	}
	if img.Type != IDXUint8 || len(img.Dims) != 3 {
		return nil, errors.Errorf("%s: images of type %s with dimensions %v: expected uint8 with 3 dimensions (count, rows, columns)",
			imagesPath, img.Type, img.Dims)
	}
	lab, err := ReadIDXFile(labelsPath)
	if err != nil {
		return nil, err
	}
	if lab.Type != IDXUint8 || len(lab.Dims) != 1 {
		return nil, errors.Errorf("%s: labels of type %s with dimensions %v: expected uint8 with 1 dimension (count)",
			labelsPath, lab.Type, lab.Dims)
	}
	if img.Dims[0] != lab.Dims[0] {
		return nil, errors.Errorf("%s has %d images but %s has %d labels: expected the same count",
			imagesPath, img.Dims[0], labelsPath, lab.Dims[0])
	}
	for i, l := range lab.Data {
		if int(l) >= len(classes) {
			return nil, errors.Errorf("%s: label %d of record %d: expected < %d", labelsPath, l, i, len(classes))
		}
	}
	return &Dataset{
		Name:    name,
		C:       1,
		H:       img.Dims[1],
		W:       img.Dims[2],
		Classes: append([]string(nil), classes...),
		Pixels:  img.Data,
		Labels:  lab.Data,
	}, nil
}
