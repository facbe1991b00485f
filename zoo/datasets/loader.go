package datasets

import (
	"github.com/pkg/errors"
)

// LoaderConfig sets how a Loader turns a Dataset into batches.
type LoaderConfig struct {
	BatchSize int  // images per batch, > 0
	Shuffle   bool // visit images in a random order, a new one each epoch
	Seed      int64
	DropLast  bool // skip the last batch when it would be smaller than BatchSize

	// Mean and Std normalize each channel of the output: (x/255 − mean)/std.
	// Give one value per channel, or one for all; leave both empty for
	// plain x/255. See MNISTMean, CIFAR10Mean and their Std.
	Mean, Std []float32

	Pad     int         // zero padding on every side, applied before Augment
	Augment []Transform // applied in order to each image

	// Prefetch is how many batches a background goroutine prepares ahead
	// of the consumer; 0 prepares each batch inside Next. Batches are the
	// same either way.
	Prefetch int
}

// Loader serves batches of a Dataset. It holds no iteration state, so one
// Loader can serve any epoch, from any batch, any number of times; and
// since the order and augmentation of a batch depend only on (Seed, epoch,
// batch index), a run resumed from a checkpoint sees the same batches it
// would have seen without stopping.
type Loader struct {
	d          *Dataset
	cfg        LoaderConfig
	transforms []Transform
	shapes     [][3]int  // shapes[i]: input of transforms[i]; last: output
	lut        []float32 // per output channel, 256 normalized values
	scratch    int       // largest intermediate image
}

// Streams that keep the generators of shuffling and augmentation apart.
const (
	streamShuffle = 0x5348554646 // "SHUFF"
	streamAugment = 0x4155474d   // "AUGM"
)

// NewLoader checks the data set and the configuration (shapes through the
// transforms, mean/std lengths) so that iteration itself cannot fail.
func NewLoader(d *Dataset, cfg LoaderConfig) (*Loader, error) {
	if d == nil {
		return nil, errors.New("loader: nil data set")
	}
	if err := d.Validate(); err != nil {
		return nil, errors.Wrap(err, "loader")
	}
	if cfg.BatchSize <= 0 {
		return nil, errors.Errorf("loader %s: batch size %d: expected > 0", d.Name, cfg.BatchSize)
	}
	if cfg.Prefetch < 0 {
		return nil, errors.Errorf("loader %s: prefetch %d: expected >= 0", d.Name, cfg.Prefetch)
	}
	l := &Loader{d: d, cfg: cfg}
	if cfg.Pad != 0 {
		l.transforms = append(l.transforms, Pad{cfg.Pad})
	}
	l.transforms = append(l.transforms, cfg.Augment...)
	c, h, w := d.C, d.H, d.W
	l.shapes = append(l.shapes, [3]int{c, h, w})
	for i, t := range l.transforms {
		if t == nil {
			return nil, errors.Errorf("loader %s: transform %d is nil", d.Name, i)
		}
		var err error
		if c, h, w, err = t.OutShape(c, h, w); err != nil {
			return nil, errors.Wrapf(err, "loader %s: transform %d (%T)", d.Name, i, t)
		}
		if c <= 0 || h <= 0 || w <= 0 {
			return nil, errors.Errorf("loader %s: transform %d (%T) gives shape %dx%dx%d: expected positive sizes", d.Name, i, t, c, h, w)
		}
		l.shapes = append(l.shapes, [3]int{c, h, w})
		l.scratch = max(l.scratch, c*h*w)
	}
	lut, err := normLUT(c, cfg.Mean, cfg.Std)
	if err != nil {
		return nil, errors.Wrapf(err, "loader %s", d.Name)
	}
	l.lut = lut
	return l, nil
}

// normLUT tabulates (v/255 − mean)/std for every byte value and channel:
// one lookup per pixel instead of a division.
func normLUT(c int, mean, std []float32) ([]float32, error) {
	if len(mean) != len(std) {
		return nil, errors.Errorf("%d means and %d stds: expected the same count", len(mean), len(std))
	}
	if len(mean) != 0 && len(mean) != 1 && len(mean) != c {
		return nil, errors.Errorf("%d mean/std values: expected 1 or %d (one per channel)", len(mean), c)
	}
	lut := make([]float32, c*256)
	for ch := 0; ch < c; ch++ {
		m, s := 0.0, 1.0
		if len(mean) > 0 {
			k := min(ch, len(mean)-1)
			m, s = float64(mean[k]), float64(std[k])
			if !(s > 0) {
				return nil, errors.Errorf("std %v of channel %d: expected > 0", std[k], ch)
			}
		}
		for v := 0; v < 256; v++ {
			lut[ch*256+v] = float32((float64(v)/255 - m) / s)
		}
	}
	return lut, nil
}

// Shape returns the shape of one output image, after padding and
// augmentation.
func (l *Loader) Shape() (c, h, w int) {
	s := l.shapes[len(l.shapes)-1]
	return s[0], s[1], s[2]
}

// Config returns the loader's configuration.
func (l *Loader) Config() LoaderConfig { return l.cfg }

// Dataset returns the data set the loader serves.
func (l *Loader) Dataset() *Dataset { return l.d }

// NumBatches returns the number of batches in an epoch.
func (l *Loader) NumBatches() int {
	n, bs := l.d.Len(), l.cfg.BatchSize
	if l.cfg.DropLast {
		return n / bs
	}
	return (n + bs - 1) / bs
}

// Order returns the data set indices in the order epoch visits them: a
// permutation that is a pure function of (Seed, epoch) when shuffling,
// else 0, 1, 2, ...
func (l *Loader) Order(epoch int) []int {
	n := l.d.Len()
	if !l.cfg.Shuffle {
		p := make([]int, n)
		for i := range p {
			p[i] = i
		}
		return p
	}
	return NewRNG(uint64(l.cfg.Seed), streamShuffle, uint64(epoch)).Perm(n)
}

// Batches iterates over epoch from batch startBatch (0 for a whole epoch;
// the batch index to resume at otherwise). Close the iterator when done,
// even early, to stop its background goroutine.
func (l *Loader) Batches(epoch, startBatch int) *Iterator {
	return newIterator(l, epoch, max(0, startBatch))
}

// worker holds the scratch buffers of one batch producer.
type worker struct {
	l    *Loader
	a, b []uint8
}

func (l *Loader) newWorker() *worker {
	return &worker{l: l, a: make([]uint8, l.scratch), b: make([]uint8, l.scratch)}
}

// fill prepares batch b of epoch into buf, reusing its slices when they are
// large enough.
func (wk *worker) fill(buf *Batch, order []int, epoch, b int) {
	l := wk.l
	bs := l.cfg.BatchSize
	lo, hi := b*bs, min((b+1)*bs, len(order))
	idx := order[lo:hi]
	c, h, w := l.Shape()
	size := c * h * w
	n := len(idx)
	if cap(buf.X) < bs*size {
		buf.X = make([]float32, bs*size)
		buf.Labels = make([]int, bs)
		buf.Indices = make([]int, bs)
	}
	buf.X, buf.Labels, buf.Indices = buf.X[:n*size], buf.Labels[:n], buf.Indices[:n]
	buf.N, buf.C, buf.H, buf.W = n, c, h, w
	buf.Epoch, buf.Index = epoch, b

	r := NewRNG(uint64(l.cfg.Seed), streamAugment, uint64(epoch), uint64(b))
	d := l.d
	in := d.ImageSize()
	plane := h * w
	for i, di := range idx {
		img := d.Pixels[di*in : (di+1)*in]
		for t, tr := range l.transforms {
			s, o := l.shapes[t], l.shapes[t+1]
			dst := wk.a
			if t%2 == 1 {
				dst = wk.b
			}
			dst = dst[:o[0]*o[1]*o[2]]
			tr.Apply(dst, img, s[0], s[1], s[2], r)
			img = dst
		}
		x := buf.X[i*size : (i+1)*size]
		for ch := 0; ch < c; ch++ {
			lut := l.lut[ch*256 : ch*256+256]
			px, out := img[ch*plane:(ch+1)*plane], x[ch*plane:(ch+1)*plane]
			for j, v := range px {
				out[j] = lut[v]
			}
		}
		buf.Labels[i] = int(d.Labels[di])
		buf.Indices[i] = di
	}
}
