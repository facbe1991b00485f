// Package report draws the examples' figures: training curves as PNG (with
// gonum/plot, the maintained plotting library of the Go numeric stack) and
// images as PNG grids or terminal art.
package report

import (
	"image/color"

	"github.com/pkg/errors"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/vgimg"
)

// Series is one curve: y over x (epochs).
type Series struct {
	Name   string
	X, Y   []float64
	Dashed bool
}

// palette gives each curve of a figure its own color; a dashed twin
// (train next to test) reuses its partner's.
var palette = []color.RGBA{
	{R: 31, G: 119, B: 180, A: 255}, {R: 214, G: 39, B: 40, A: 255}, {R: 44, G: 160, B: 44, A: 255},
	{R: 255, G: 127, B: 14, A: 255}, {R: 148, G: 103, B: 189, A: 255}, {R: 140, G: 86, B: 75, A: 255},
}

// Panel is one plot of a figure.
type Panel struct {
	Title, XLabel, YLabel string
	Series                []Series
}

// SavePanels draws panels side by side into one PNG at path.
func SavePanels(path string, panels ...Panel) error {
	const w, h = 5 * vg.Inch, 3.6 * vg.Inch
	var plots []*plot.Plot
	for _, pn := range panels {
		p := plot.New()
		p.Title.Text, p.X.Label.Text, p.Y.Label.Text = pn.Title, pn.XLabel, pn.YLabel
		p.Add(plotter.NewGrid())
		colorIndex := -1
		for _, s := range pn.Series {
			pts := make(plotter.XYs, len(s.X))
			for i := range s.X {
				pts[i].X, pts[i].Y = s.X[i], s.Y[i]
			}
			line, err := plotter.NewLine(pts)
			if err != nil {
				return errors.Wrapf(err, "plot %q: series %q", pn.Title, s.Name)
			}
			if !s.Dashed || colorIndex < 0 {
				colorIndex++
			}
			line.Color = palette[colorIndex%len(palette)]
			line.Width = vg.Points(1.5)
			if s.Dashed {
				line.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
			}
			p.Add(line)
			p.Legend.Add(s.Name, line)
		}
		p.Legend.Top = true
		plots = append(plots, p)
	}
	img := vgimg.New(w*vg.Length(len(panels)), h)
	tiles := drawTiles(img, len(panels))
	for i, p := range plots {
		p.Draw(tiles[i])
	}
	return savePNG(img, path)
}
