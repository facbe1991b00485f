package zoo

import (
	"fmt"

	"github.com/pkg/errors"

	"github.com/convgraph/convgraph/nn"
)

// NewCIFARResNet is the CIFAR-10 net of He et al. (2015), §4.2, of depth
// 6n+2 (20, 32, 44, 56, 110, 1202 in the paper), for 3×32×32 input:
//
//	conv1    3×3, 16; bn1; relu                16×32×32
//	layer1   n BasicBlocks of 16 channels      16×32×32
//	layer2   n BasicBlocks of 32, stride 2     32×16×16
//	layer3   n BasicBlocks of 64, stride 2     64×8×8
//	avgpool, fc                                classes
//
// The blocks are the ImageNet nets' BasicBlocks. shortcut picks what crosses
// the two changes of shape: ShortcutA (the paper's choice, parameter-free)
// or ShortcutB (projections, 2,752 more parameters); NoShortcut gives the
// paper's plain net of the same depth, which has ShortcutA's count.
// Parameters with ShortcutA, for 10 classes: 269,722 (20), 464,154 (32),
// 658,586 (44), 853,018 (56), 1,727,962 (110). Initialization is
// NewResNet's (He-normal, fan_out, as fb.resnet.torch also does for CIFAR).
func NewCIFARResNet(f *nn.Factory, depth int, shortcut Shortcut, classes int) (*ResNet, error) {
	if f == nil {
		return nil, errors.New("cifar resnet: nil factory")
	}
	if depth < 8 || (depth-2)%6 != 0 {
		return nil, errors.Errorf("cifar resnet: depth %d: want 6n+2 for n ≥ 1 (20, 32, 44, 56, 110)", depth)
	}
	if shortcut < ShortcutA || shortcut > NoShortcut {
		return nil, errors.Errorf("cifar resnet: unknown shortcut %d", int(shortcut))
	}
	if classes < 1 {
		return nil, errors.Errorf("cifar resnet: %d classes: want at least 1", classes)
	}
	n := (depth - 2) / 6
	m := &layerMaker{f: f, inplanes: 16, shortcut: shortcut}
	r := &ResNet{
		Path:  cifarName(depth, shortcut),
		Conv1: m.conv("conv1", 3, 16, 3, 1),
		BN1:   f.BatchNorm("bn1", 16),
	}
	r.Layers = m.stages(basic, []int{16, 32, 64}, []int{n, n, n})
	r.FC = f.Linear("fc", 64, classes, true)
	if err := f.Err(); err != nil {
		return nil, errors.WithMessage(err, r.Path)
	}
	return r, nil
}

// cifarName is resnet20, resnet20-b or plain20.
func cifarName(depth int, s Shortcut) string {
	switch s {
	case ShortcutB:
		return fmt.Sprintf("resnet%d-b", depth)
	case NoShortcut:
		return fmt.Sprintf("plain%d", depth)
	}
	return fmt.Sprintf("resnet%d", depth)
}
