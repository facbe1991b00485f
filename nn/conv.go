package nn

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/ops"
)

// Conv2D is torch.nn.Conv2d over NCHW input: a weight (Out, In/Groups, KH, KW)
// and an optional bias (Out), convolved with the geometry Geom.
type Conv2D struct {
	Path         string
	In, Out      int // channels
	KH, KW       int
	Geom         ops.Conv
	Weight, Bias *Param // Bias is nil for a conv without bias (before a batch norm)
}

var _ Layer = (*Conv2D)(nil)

// Conv2D makes a convolution from in to out channels with a kh×kw kernel,
// initialized as PyTorch does by default: weight and bias U(±1/√fanIn) with
// fanIn = In/Groups·KH·KW. Models that want He init call Reinit.
func (f *Factory) Conv2D(name string, in, out, kh, kw int, geom ops.Conv, bias bool) *Conv2D {
	groups := max(geom.Groups, 1)
	w, b := f.weightAndBias(name, bias, out, in/groups, kh, kw)
	return &Conv2D{Path: name, In: in, Out: out, KH: kh, KW: kw, Geom: geom, Weight: w, Bias: b}
}

func (c *Conv2D) Name() string { return c.Path }

func (c *Conv2D) Params() []*Param { return params(c.Weight, c.Bias) }

// String reads like PyTorch's repr, defaults left out:
// Conv2D(3, 64, 7x7, stride=2, pad=3, bias=false).
func (c *Conv2D) String() string {
	g := c.Geom
	one := func(v int) int { return max(v, 1) } // ops.Conv's zero stride, dilation and groups mean 1
	args := []string{fmt.Sprintf("%d, %d, %dx%d", c.In, c.Out, c.KH, c.KW),
		arg("stride", 1, one(g.StrideH), one(g.StrideW)),
		arg("pad", 0, g.PadTop, g.PadBottom, g.PadLeft, g.PadRight),
		arg("dilation", 1, one(g.DilationH), one(g.DilationW)),
		arg("groups", 1, one(g.Groups))}
	if c.Bias == nil {
		args = append(args, "bias=false")
	}
	return call("Conv2D", args...)
}

// arg formats a per-axis setting as name=v when every axis agrees, name=[v...]
// when they differ, and "" when every axis has the default def.
func arg(name string, def int, v ...int) string {
	switch {
	case slices.ContainsFunc(v, func(x int) bool { return x != v[0] }):
		return fmt.Sprintf("%s=%v", name, v)
	case v[0] != def:
		return fmt.Sprintf("%s=%d", name, v[0])
	}
	return ""
}

// call formats name(args...), leaving out empty arguments.
func call(name string, args ...string) string {
	return name + "(" + strings.Join(slices.DeleteFunc(args, func(a string) bool { return a == "" }), ", ") + ")"
}

// Forward convolves x (N, In, H, W) into (N, Out, Ho, Wo).
func (c *Conv2D) Forward(b *Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	if groups := max(c.Geom.Groups, 1); c.In%groups != 0 || c.Out%groups != 0 {
		return nil, errors.Errorf("%s: %d input and %d output channels are not both divisible by groups %d", c.Path, c.In, c.Out, groups)
	}
	w, bias, err := declare(b, c.Weight, c.Bias)
	if err != nil {
		return nil, errors.WithMessage(err, c.Path)
	}
	y, err := ops.Conv2D(x, w, bias, c.Geom)
	return y, errors.WithMessage(err, c.Path)
}

// MACs counts the multiply-accumulates per image: every output element sums
// In/Groups·KH·KW products.
func (c *Conv2D) MACs(_, out tensor.Shape) int {
	return c.Out * out[2] * out[3] * (c.In / max(c.Geom.Groups, 1)) * c.KH * c.KW
}

// params lists the non-nil parameters, in order (a conv without bias has one).
func params(ps ...*Param) []*Param {
	var out []*Param
	for _, p := range ps {
		if p != nil {
			out = append(out, p)
		}
	}
	return out
}

// declare declares a weight and an optional bias on b's graph; the bias node
// is nil when the bias is.
func declare(b *Builder, weight, bias *Param) (w, bn *gorgonia.Node, err error) {
	if w, err = b.Param(weight); err != nil {
		return nil, nil, err
	}
	if bias != nil {
		if bn, err = b.Param(bias); err != nil {
			return nil, nil, err
		}
	}
	return w, bn, nil
}
