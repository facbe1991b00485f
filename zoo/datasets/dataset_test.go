package datasets

import (
	"bytes"
	"strings"
	"testing"
)

// tinySet returns n images of c×h×w where every byte of image i is i and
// the label is i%classes.
func tinySet(n, c, h, w, classes int) *Dataset {
	d := &Dataset{Name: "tiny", C: c, H: h, W: w, Pixels: make([]uint8, n*c*h*w), Labels: make([]uint8, n)}
	for k := 0; k < classes; k++ {
		d.Classes = append(d.Classes, string(rune('a'+k)))
	}
	for i := 0; i < n; i++ {
		d.Labels[i] = uint8(i % classes)
		for j := 0; j < c*h*w; j++ {
			d.Pixels[i*c*h*w+j] = uint8(i)
		}
	}
	return d
}

func TestSlice(t *testing.T) {
	d := tinySet(10, 1, 2, 2, 3)
	v := d.Slice(2, 5)
	if v.Len() != 3 || v.Image(0)[0] != 2 || v.Labels[2] != 4%3 || v.Validate() != nil {
		t.Fatalf("slice: %+v", v)
	}
	v.Pixels[0] = 99 // a view: shares memory
	if d.Image(2)[0] != 99 {
		t.Error("Slice copied instead of sharing")
	}
	v.Pixels = append(v.Pixels, 7) // capped: must not clobber image 5
	if d.Image(5)[0] != 5 {
		t.Error("append to a view overwrote the parent")
	}
	for _, c := range [][3]int{{-5, 3, 3}, {8, 100, 2}, {6, 2, 0}, {11, 12, 0}} {
		if got := d.Slice(c[0], c[1]).Len(); got != c[2] {
			t.Errorf("Slice(%d, %d).Len() = %d, want %d", c[0], c[1], got, c[2])
		}
	}
	if d.Image(10) != nil || d.Image(-1) != nil {
		t.Error("Image out of range should be nil")
	}
	// A malformed set must not make views panic.
	bad := &Dataset{C: 1, H: 2, W: 2, Pixels: make([]uint8, 5), Labels: make([]uint8, 3)}
	if bad.Slice(0, 3).Len() != 1 || bad.Validate() == nil {
		t.Error("malformed set")
	}
}

func TestSubset(t *testing.T) {
	d := tinySet(6, 2, 1, 1, 6)
	s, err := d.Subset([]int{4, 1, 4})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(s.Pixels, []uint8{4, 4, 1, 1, 4, 4}) || !bytes.Equal(s.Labels, []uint8{4, 1, 4}) {
		t.Errorf("subset %v %v", s.Pixels, s.Labels)
	}
	if _, err := d.Subset([]int{0, 6}); err == nil || !strings.Contains(err.Error(), "index 6") {
		t.Errorf("out of range: %v", err)
	}
}

func TestValidate(t *testing.T) {
	d := tinySet(3, 1, 2, 2, 2)
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	d.Labels[1] = 2
	if err := d.Validate(); err == nil || !strings.Contains(err.Error(), "label 2") {
		t.Errorf("label: %v", err)
	}
	d = tinySet(3, 1, 2, 2, 2)
	d.Pixels = d.Pixels[:11]
	if err := d.Validate(); err == nil || !strings.Contains(err.Error(), "expected 12") {
		t.Errorf("pixels: %v", err)
	}
	if err := (&Dataset{}).Validate(); err == nil {
		t.Error("zero shape accepted")
	}
}

func TestChannelStats(t *testing.T) {
	// Channel 0 all 0 and 255 in equal parts, channel 1 constant 51.
	d := &Dataset{C: 2, H: 1, W: 2, Pixels: []uint8{0, 255, 51, 51, 255, 0, 51, 51}, Labels: []uint8{0, 0}}
	mean, std := d.ChannelStats()
	if mean[0] != 0.5 || std[0] != 0.5 || mean[1] != 0.2 || std[1] > 1e-6 {
		t.Errorf("mean %v std %v", mean, std)
	}
}
