package ops

import (
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// GlobalAvgPool2D is the mean of x (N, C, H, W) over each channel's plane,
// giving (N, C): y[n, c] = (1/(H·W)) · Σ_{i,j} x[n, c, i, j] (ResNet's head).
// It is AvgPool2D with one H×W window, reshaped: gorgonia's own
// GlobalAveragePool2D has no gradient (upstream #349); this one has
// dx[n, c, i, j] = dy[n, c]/(H·W).
func GlobalAvgPool2D(x *gorgonia.Node) (*gorgonia.Node, error) {
	if x == nil {
		return nil, errors.New("global_avgpool2d: nil input")
	}
	s := x.Shape()
	if len(s) != 4 {
		return nil, errors.Errorf("global_avgpool2d: input %v has rank %d: want (N, C, H, W)", s, len(s))
	}
	y, err := AvgPool2D(x, Pool2D{KH: s[2], KW: s[3]}, true)
	if err != nil {
		return nil, errors.WithMessage(err, "global_avgpool2d")
	}
	y, err = gorgonia.Reshape(y, tensor.Shape{s[0], s[1]})
	return y, errors.Wrapf(err, "global_avgpool2d: input %v", s)
}
