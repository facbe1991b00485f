package report

import (
	"os"
	"path/filepath"

	"github.com/pkg/errors"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// drawTiles splits the canvas into n side-by-side plot areas.
func drawTiles(c *vgimg.Canvas, n int) []draw.Canvas {
	t := draw.Tiles{Rows: 1, Cols: n, PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 2, PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
	dc := draw.New(c)
	out := make([]draw.Canvas, n)
	for i := range out {
		out[i] = t.At(dc, i, 0)
	}
	return out
}

// savePNG writes the canvas to path, creating its folder.
func savePNG(c *vgimg.Canvas, path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return errors.Wrap(err, "save figure")
	}
	f, err := os.Create(path)
	if err != nil {
		return errors.Wrap(err, "save figure")
	}
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(f); err != nil {
		f.Close()
		return errors.Wrapf(err, "save figure %s", path)
	}
	return errors.Wrapf(f.Close(), "save figure %s", path)
}
