package datasets

import "github.com/pkg/errors"

// Transform changes one image before it is normalized. Transforms work on
// the stored bytes so that padding is true black (pixel 0), as in the
// reference pipelines that pad before converting to tensors, and so that
// they stay cheap.
//
// A Loader applies its transforms in order to each image of a batch,
// passing an RNG whose stream is a pure function of (seed, epoch, batch):
// a transform must draw from it the same way every time for the same
// input, and take all its randomness from it.
type Transform interface {
	// OutShape returns the output shape for a c×h×w input, or an error
	// when the transform cannot apply to it (a crop larger than the image).
	OutShape(c, h, w int) (oc, oh, ow int, err error)
	// Apply writes the transform of src (c×h×w, CHW) into dst, whose
	// length is the product of OutShape. dst and src do not overlap.
	Apply(dst, src []uint8, c, h, w int, r *RNG)
}

// Pad adds N rows and columns of zeros on every side: MNIST's 28×28
// becomes the 32×32 input of the 1998 LeNet-5 with N = 2.
type Pad struct{ N int }

// OutShape implements Transform.
func (p Pad) OutShape(c, h, w int) (int, int, int, error) {
	if p.N < 0 {
		return 0, 0, 0, errors.Errorf("pad %d: expected >= 0", p.N)
	}
	return c, h + 2*p.N, w + 2*p.N, nil
}

// Apply implements Transform.
func (p Pad) Apply(dst, src []uint8, c, h, w int, _ *RNG) {
	oh, ow := h+2*p.N, w+2*p.N
	clear(dst[:c*oh*ow])
	for ch := 0; ch < c; ch++ {
		for y := 0; y < h; y++ {
			s := (ch*h + y) * w
			copy(dst[(ch*oh+y+p.N)*ow+p.N:], src[s:s+w])
		}
	}
}

// RandomCrop cuts an H×W window at a uniformly random position (drawing the
// row offset, then the column offset). With Pad{4} before it, it is the
// standard CIFAR-10 augmentation; alone, AlexNet's random 224 crops.
type RandomCrop struct{ H, W int }

// OutShape implements Transform.
func (k RandomCrop) OutShape(c, h, w int) (int, int, int, error) {
	return cropShape("random crop", k.H, k.W, c, h, w)
}

// Apply implements Transform.
func (k RandomCrop) Apply(dst, src []uint8, c, h, w int, r *RNG) {
	y := r.Intn(h - k.H + 1)
	x := r.Intn(w - k.W + 1)
	crop(dst, src, c, h, w, y, x, k.H, k.W)
}

// CenterCrop cuts the central H×W window (rounding the offsets down): the
// evaluation counterpart of RandomCrop.
type CenterCrop struct{ H, W int }

// OutShape implements Transform.
func (k CenterCrop) OutShape(c, h, w int) (int, int, int, error) {
	return cropShape("center crop", k.H, k.W, c, h, w)
}

// Apply implements Transform.
func (k CenterCrop) Apply(dst, src []uint8, c, h, w int, _ *RNG) {
	crop(dst, src, c, h, w, (h-k.H)/2, (w-k.W)/2, k.H, k.W)
}

func cropShape(what string, ch, cw, c, h, w int) (int, int, int, error) {
	if ch <= 0 || cw <= 0 || ch > h || cw > w {
		return 0, 0, 0, errors.Errorf("%s %dx%d of a %dx%d image: expected 0 < size <= image size", what, ch, cw, h, w)
	}
	return c, ch, cw, nil
}

func crop(dst, src []uint8, c, h, w, y0, x0, ch, cw int) {
	for p := 0; p < c; p++ {
		for y := 0; y < ch; y++ {
			s := (p*h+y0+y)*w + x0
			copy(dst[(p*ch+y)*cw:(p*ch+y+1)*cw], src[s:s+cw])
		}
	}
}

// HFlip mirrors the image left to right with probability P: P = 0.5 is
// the usual random flip; P = 1 always flips (test-time augmentation). It
// draws one number per image whatever P is, so changing P does not shift
// the randomness of the transforms after it.
type HFlip struct{ P float64 }

// OutShape implements Transform.
func (f HFlip) OutShape(c, h, w int) (int, int, int, error) { return c, h, w, nil }

// Apply implements Transform.
func (f HFlip) Apply(dst, src []uint8, c, h, w int, r *RNG) {
	if r.Float64() >= f.P {
		copy(dst, src[:c*h*w])
		return
	}
	for row := 0; row < c*h; row++ {
		s, d := src[row*w:(row+1)*w], dst[row*w:(row+1)*w]
		for x := range d {
			d[x] = s[w-1-x]
		}
	}
}

// CIFAR10Augment returns the standard CIFAR-10 training augmentation (He et
// al. 2016): zero-pad by 4, random 32×32 crop, random horizontal flip.
func CIFAR10Augment() []Transform {
	return []Transform{Pad{4}, RandomCrop{CIFAR10Side, CIFAR10Side}, HFlip{0.5}}
}

// RandomCropFlip returns AlexNet-style augmentation (Krizhevsky et al.
// 2012): a random size×size crop and a random horizontal flip. Evaluate
// with CenterCrop{size, size}.
func RandomCropFlip(size int) []Transform {
	return []Transform{RandomCrop{size, size}, HFlip{0.5}}
}
