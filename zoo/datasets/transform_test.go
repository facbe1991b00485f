package datasets

import (
	"bytes"
	"testing"
)

// img23 is a 2-channel 2×3 image:
//
//	channel 0: 1 2 3      channel 1: 7 8 9
//	           4 5 6                10 11 12
var img23 = []uint8{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}

func apply(t *testing.T, tr Transform, src []uint8, c, h, w int, r *RNG) ([]uint8, [3]int) {
	t.Helper()
	oc, oh, ow, err := tr.OutShape(c, h, w)
	if err != nil {
		t.Fatal(err)
	}
	dst := make([]uint8, oc*oh*ow)
	for i := range dst {
		dst[i] = 0xAA // Apply must write every byte
	}
	tr.Apply(dst, src, c, h, w, r)
	return dst, [3]int{oc, oh, ow}
}

func TestPad(t *testing.T) {
	got, shape := apply(t, Pad{1}, img23, 2, 2, 3, nil)
	want := []uint8{
		0, 0, 0, 0, 0,
		0, 1, 2, 3, 0,
		0, 4, 5, 6, 0,
		0, 0, 0, 0, 0,

		0, 0, 0, 0, 0,
		0, 7, 8, 9, 0,
		0, 10, 11, 12, 0,
		0, 0, 0, 0, 0,
	}
	if shape != [3]int{2, 4, 5} || !bytes.Equal(got, want) {
		t.Errorf("pad: shape %v\n%v\nwant %v", shape, got, want)
	}
	if _, _, _, err := (Pad{-1}).OutShape(1, 2, 2); err == nil {
		t.Error("negative pad accepted")
	}
}

func TestCrops(t *testing.T) {
	got, shape := apply(t, CenterCrop{1, 1}, img23, 2, 2, 3, nil)
	if shape != [3]int{2, 1, 1} || !bytes.Equal(got, []uint8{2, 8}) {
		t.Errorf("center crop: %v %v", shape, got)
	}
	got, _ = apply(t, CenterCrop{2, 2}, img23, 2, 2, 3, nil)
	if !bytes.Equal(got, []uint8{1, 2, 4, 5, 7, 8, 10, 11}) {
		t.Errorf("center crop 2x2: %v", got)
	}
	// RandomCrop draws the row offset then the column offset: replay them.
	for seed := uint64(0); seed < 20; seed++ {
		ref := NewRNG(seed)
		y, x := ref.Intn(1), ref.Intn(2)
		got, _ := apply(t, RandomCrop{2, 2}, img23, 2, 2, 3, NewRNG(seed))
		want := []uint8{
			img23[y*3+x], img23[y*3+x+1], img23[(y+1)*3+x], img23[(y+1)*3+x+1],
			img23[6+y*3+x], img23[6+y*3+x+1], img23[6+(y+1)*3+x], img23[6+(y+1)*3+x+1],
		}
		if !bytes.Equal(got, want) {
			t.Errorf("seed %d offset (%d,%d): %v, want %v", seed, y, x, got, want)
		}
	}
	l, err := NewLoader(tinySet(3, 2, 5, 6, 1), LoaderConfig{BatchSize: 2, Augment: RandomCropFlip(4)})
	if c, h, w := l.Shape(); err != nil || c != 2 || h != 4 || w != 4 {
		t.Errorf("RandomCropFlip(4) of 5x6: %v %dx%dx%d", err, c, h, w)
	}
	for _, k := range []Transform{RandomCrop{3, 3}, CenterCrop{0, 1}, RandomCrop{2, 4}} {
		if _, _, _, err := k.OutShape(2, 2, 3); err == nil {
			t.Errorf("%#v of 2x3 accepted", k)
		}
	}
}

func TestHFlip(t *testing.T) {
	got, _ := apply(t, HFlip{1}, img23, 2, 2, 3, NewRNG(1))
	if !bytes.Equal(got, []uint8{3, 2, 1, 6, 5, 4, 9, 8, 7, 12, 11, 10}) {
		t.Errorf("flip: %v", got)
	}
	got, _ = apply(t, HFlip{0}, img23, 2, 2, 3, NewRNG(1))
	if !bytes.Equal(got, img23) {
		t.Errorf("no flip: %v", got)
	}
	// P = 0.5 flips about half the time.
	r, flips := NewRNG(7), 0
	for i := 0; i < 1000; i++ {
		if got, _ := apply(t, HFlip{0.5}, img23, 2, 2, 3, r); got[0] == 3 {
			flips++
		}
	}
	if flips < 430 || flips > 570 {
		t.Errorf("%d flips in 1000", flips)
	}
}

func TestPadCropReachesEveryOffset(t *testing.T) {
	// Pad 1 + crop 4 of a 4×4 image: offsets 0..2 each way. Output pixel
	// (1,1) is source pixel (y,x) = 1+4y+x, which identifies the offset.
	d := &Dataset{C: 1, H: 4, W: 4, Labels: make([]uint8, 64), Classes: []string{"x"}}
	for i := 0; i < 64; i++ {
		for j := 0; j < 16; j++ {
			d.Pixels = append(d.Pixels, uint8(1+j))
		}
	}
	l, err := NewLoader(d, LoaderConfig{BatchSize: 16, Pad: 1, Augment: []Transform{RandomCrop{4, 4}}})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[float32]int{}
	for b := range l.Batches(0, 0).All() {
		for i := 0; i < b.N; i++ {
			seen[b.X[i*16+5]*255]++
		}
	}
	if len(seen) != 9 {
		t.Errorf("offsets reached: %v, want all 9", seen)
	}
}
