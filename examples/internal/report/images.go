package report

import (
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/pkg/errors"
)

// ASCII renders a grayscale image (h×w values, any range) as terminal art,
// darkest to brightest through " .:-=+*#%@".
func ASCII(pix []float32, h, w int) string {
	const ramp = " .:-=+*#%@"
	lo, hi := minMax(pix)
	var b strings.Builder
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := (pix[y*w+x] - lo) / (hi - lo + 1e-12)
			b.WriteByte(ramp[int(v*float32(len(ramp)-1)+0.5)])
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func minMax(v []float32) (lo, hi float32) {
	lo, hi = float32(math.Inf(1)), float32(math.Inf(-1))
	for _, x := range v {
		lo, hi = min(lo, x), max(hi, x)
	}
	return lo, hi
}

// Grid writes n grayscale tiles (each h×w, normalized on its own to 0-255)
// into one PNG of cols columns, each pixel scaled up by zoom, with a 1-pixel
// gap: first-layer filters and feature maps, as Zeiler & Fergus show them.
func Grid(path string, tiles [][]float32, h, w, cols, zoom int) error {
	if len(tiles) == 0 || cols < 1 || zoom < 1 {
		return errors.Errorf("grid %s: %d tiles, %d columns, zoom %d", path, len(tiles), cols, zoom)
	}
	rows := (len(tiles) + cols - 1) / cols
	cw, ch := w*zoom+1, h*zoom+1
	img := image.NewGray(image.Rect(0, 0, cols*cw+1, rows*ch+1))
	for i := range img.Pix {
		img.Pix[i] = 40
	}
	for t, pix := range tiles {
		if len(pix) != h*w {
			return errors.Errorf("grid %s: tile %d has %d values, want %d×%d", path, t, len(pix), h, w)
		}
		lo, hi := minMax(pix)
		ox, oy := (t%cols)*cw+1, (t/cols)*ch+1
		for y := 0; y < h*zoom; y++ {
			for x := 0; x < w*zoom; x++ {
				v := (pix[(y/zoom)*w+x/zoom] - lo) / (hi - lo + 1e-12)
				img.SetGray(ox+x, oy+y, color.Gray{Y: uint8(v*255 + 0.5)})
			}
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return errors.Wrap(err, "grid")
	}
	f, err := os.Create(path)
	if err != nil {
		return errors.Wrap(err, "grid")
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return errors.Wrapf(err, "grid %s", path)
	}
	return errors.Wrapf(f.Close(), "grid %s", path)
}
