package nn

import (
	"fmt"

	"gorgonia.org/gorgonia"

	"github.com/convgraph/convgraph/ops"
)

// MaxPool2D is torch.nn.MaxPool2d over NCHW input (floor mode).
func MaxPool2D(p ops.Pool2D) Layer {
	return stateless(poolString("MaxPool2D", p), func(x *gorgonia.Node) (*gorgonia.Node, error) {
		return ops.MaxPool2D(x, p)
	})
}

// AvgPool2D is torch.nn.AvgPool2d; countPad is its count_include_pad (the
// padded zeros count in the divisor).
func AvgPool2D(p ops.Pool2D, countPad bool) Layer {
	return stateless(poolString("AvgPool2D", p, fmt.Sprintf("count_include_pad=%t", countPad)), func(x *gorgonia.Node) (*gorgonia.Node, error) {
		return ops.AvgPool2D(x, p, countPad)
	})
}

// GlobalAvgPool2D averages each channel over the image, (N, C, H, W) → (N, C):
// ResNet's head (AdaptiveAvgPool2d(1) and flatten in one).
func GlobalAvgPool2D() Layer { return stateless("GlobalAvgPool2D", ops.GlobalAvgPool2D) }

// poolString reads like PyTorch's repr, defaults left out:
// MaxPool2D(3x3, stride=2, pad=1).
func poolString(name string, p ops.Pool2D, more ...string) string {
	sh, sw := p.SH, p.SW
	if sh == 0 { // a zero stride means the kernel size
		sh = p.KH
	}
	if sw == 0 {
		sw = p.KW
	}
	args := []string{fmt.Sprintf("%dx%d", p.KH, p.KW), "", arg("pad", 0, p.PadTop, p.PadBottom, p.PadLeft, p.PadRight)}
	if sh != p.KH || sw != p.KW {
		args[1] = arg("stride", 0, sh, sw)
	}
	return call(name, append(args, more...)...)
}
