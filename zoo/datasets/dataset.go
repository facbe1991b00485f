package datasets

import (
	"math"

	"github.com/pkg/errors"
)

// Dataset is a labelled image set held in memory as bytes.
//
// Pixels keep the stored 0-255 values (NCHW, one image after another) and
// conversion to float32 happens per batch in the Loader: bytes take a
// quarter of the memory (CIFAR-10 training set: 150 MB instead of 600 MB)
// and augmentation can pad with true black before normalization, as the
// reference PyTorch pipelines do.
type Dataset struct {
	Name    string
	C, H, W int
	Classes []string // class names, indexed by label
	Pixels  []uint8  // Len()·C·H·W values, image after image, each C planes of H rows of W
	Labels  []uint8  // one label per image, < len(Classes)
}

// ImageSize returns the number of bytes of one image, C·H·W.
func (d *Dataset) ImageSize() int { return d.C * d.H * d.W }

// complete returns how many images have both a label and all their pixels;
// it equals Len() for a valid set and keeps views of a malformed one
// in bounds.
func (d *Dataset) complete() int {
	s := d.ImageSize()
	if s <= 0 {
		return 0
	}
	return min(len(d.Labels), len(d.Pixels)/s)
}

// Len returns the number of images.
func (d *Dataset) Len() int { return len(d.Labels) }

// Image returns the pixels of image i (a view, not a copy), or nil when i
// is out of range.
func (d *Dataset) Image(i int) []uint8 {
	if i < 0 || i >= d.complete() {
		return nil
	}
	s := d.ImageSize()
	return d.Pixels[i*s : (i+1)*s : (i+1)*s]
}

// Slice returns images [from, to) as a view that shares memory with d, for
// subsets and validation splits without copying. Bounds are clamped to
// [0, Len()] and to < from gives an empty set, so splits computed from
// fractions never panic. The view's slices have their capacity capped, so
// appending to one never overwrites the images of d that follow it.
func (d *Dataset) Slice(from, to int) *Dataset {
	n := d.complete()
	from = max(0, min(from, n))
	to = max(from, min(to, n))
	s := max(0, d.ImageSize())
	v := *d
	v.Pixels = d.Pixels[from*s : to*s : to*s]
	v.Labels = d.Labels[from:to:to]
	return &v
}

// Subset returns a copy holding the images at the given indices, in that
// order; for example a random validation split from a permutation.
func (d *Dataset) Subset(indices []int) (*Dataset, error) {
	n, s := d.complete(), max(0, d.ImageSize())
	v := *d
	v.Pixels = make([]uint8, len(indices)*s)
	v.Labels = make([]uint8, len(indices))
	for k, i := range indices {
		if i < 0 || i >= n {
			return nil, errors.Errorf("%s: subset index %d (position %d) out of range: expected 0 <= i < %d", d.Name, i, k, n)
		}
		copy(v.Pixels[k*s:], d.Pixels[i*s:(i+1)*s])
		v.Labels[k] = d.Labels[i]
	}
	return &v, nil
}

// Validate checks that the fields agree with each other: positive shape,
// len(Pixels) == Len()·C·H·W and every label a valid class index. The
// loaders in this package always return valid sets; NewLoader calls it so
// that hand-built sets fail early with a clear message rather than deep in
// training.
func (d *Dataset) Validate() error {
	if d.C <= 0 || d.H <= 0 || d.W <= 0 {
		return errors.Errorf("%s: image shape %dx%dx%d: expected positive C, H, W", d.Name, d.C, d.H, d.W)
	}
	if want := d.Len() * d.ImageSize(); len(d.Pixels) != want {
		return errors.Errorf("%s: %d pixel bytes: expected %d (%d images of %dx%dx%d)",
			d.Name, len(d.Pixels), want, d.Len(), d.C, d.H, d.W)
	}
	if len(d.Classes) > 0 {
		for i, l := range d.Labels {
			if int(l) >= len(d.Classes) {
				return errors.Errorf("%s: image %d has label %d: expected < %d classes", d.Name, i, l, len(d.Classes))
			}
		}
	}
	return nil
}

// ChannelStats returns the mean and standard deviation of each channel over
// all images, in [0, 1] units (pixel/255): the constants to pass to
// LoaderConfig.Mean and Std for a new data set.
func (d *Dataset) ChannelStats() (mean, std []float32) {
	plane := d.H * d.W
	mean, std = make([]float32, d.C), make([]float32, d.C)
	n := d.complete()
	if n == 0 {
		return mean, std
	}
	for c := 0; c < d.C; c++ {
		// A histogram keeps the sums exact regardless of the set's size.
		var hist [256]int64
		for i := 0; i < n; i++ {
			off := (i*d.C + c) * plane
			for _, p := range d.Pixels[off : off+plane] {
				hist[p]++
			}
		}
		var s, ss float64
		for v, k := range hist {
			x := float64(v) / 255
			s += float64(k) * x
			ss += float64(k) * x * x
		}
		cnt := float64(n * plane)
		m := s / cnt
		mean[c] = float32(m)
		std[c] = float32(math.Sqrt(max(0, ss/cnt-m*m)))
	}
	return mean, std
}
