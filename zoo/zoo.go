// Package zoo holds the classic convolutional networks, each written to read
// like its paper's figure and counted to its published parameter number:
// LeNet-5 (LeCun et al. 1998) and its modern form, AlexNet (Krizhevsky et al.
// 2012) in one or two towers, the ImageNet ResNets 18-152 with torchvision's
// parameter names, and the CIFAR-10 ResNets 20-110 and their plain twins
// (He et al. 2015).
//
// Every model is an nn.Layer built from an nn.Factory, which fixes the dtype
// and the seed of its initial weights:
//
//	f := nn.NewFactory(tensor.Float32, 1)
//	model, input, _ := zoo.New("resnet20", f, 10) // input: 3×32×32
//	train, _ := nn.NewClassifier(model, tensor.Float32, nn.Train, 1, append([]int{128}, input...)...)
package zoo

import (
	"sort"
	"strconv"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/nn"
)

// entry is one model of the registry.
type entry struct {
	input   []int // C, H, W
	classes int   // when New is given 0
	build   func(f *nn.Factory, classes int) (nn.Layer, error)
}

var registry = func() map[string]entry {
	r := map[string]entry{
		"lenet5": {[]int{1, 32, 32}, 10, func(f *nn.Factory, k int) (nn.Layer, error) { return NewLeNet5(f, k), nil }},
		"lenet5-modern": {[]int{1, 28, 28}, 10, func(f *nn.Factory, k int) (nn.Layer, error) {
			return NewLeNet5Modern(f, k), nil
		}},
	}
	for name, towers := range map[string]bool{"alexnet": false, "alexnet-2tower": true} {
		r[name] = entry{[]int{3, 227, 227}, 1000, func(f *nn.Factory, k int) (nn.Layer, error) {
			return layer(NewAlexNet(f, AlexNetConfig{Classes: k, Input: 227, TwoTower: towers}))
		}}
	}
	for depth := range resnetSpecs {
		r["resnet"+strconv.Itoa(depth)] = entry{[]int{3, 224, 224}, 1000, func(f *nn.Factory, k int) (nn.Layer, error) {
			return layer(NewResNet(f, depth, k))
		}}
	}
	for _, depth := range []int{20, 32, 44, 56, 110} {
		for prefix, s := range map[string]Shortcut{"resnet": ShortcutA, "plain": NoShortcut} {
			r[prefix+strconv.Itoa(depth)] = entry{[]int{3, 32, 32}, 10, func(f *nn.Factory, k int) (nn.Layer, error) {
				return layer(NewCIFARResNet(f, depth, s, k))
			}}
		}
	}
	return r
}()

// layer turns a constructor's (*T, error) into (nn.Layer, error), so that a
// failed constructor gives a nil interface and not a typed nil pointer.
func layer[T nn.Layer](l T, err error) (nn.Layer, error) {
	if err != nil {
		return nil, err
	}
	return l, nil
}

// New builds the named model with its parameters from f and returns it with
// the shape (C, H, W) of the input it was designed for. classes 0 means the
// model's own: 10 for LeNet and the CIFAR nets, 1000 for AlexNet and the
// ImageNet ResNets. The names:
//
//	lenet5, lenet5-modern                      1×32×32, 1×28×28
//	alexnet, alexnet-2tower                    3×227×227
//	resnet18, resnet34, resnet50, resnet101, resnet152    3×224×224
//	resnet20, resnet32, resnet44, resnet56, resnet110     3×32×32, shortcut option A
//	plain20, plain32, plain44, plain56, plain110          3×32×32, no shortcuts
func New(name string, f *nn.Factory, classes int) (nn.Layer, []int, error) {
	e, ok := registry[name]
	if !ok {
		return nil, nil, errors.Errorf("zoo: unknown model %q: want one of %v", name, Names())
	}
	if f == nil {
		return nil, nil, errors.Errorf("zoo: %s: nil factory", name)
	}
	if f.Dtype != tensor.Float32 && f.Dtype != tensor.Float64 {
		return nil, nil, errors.Errorf("zoo: %s: factory dtype %v: want float32 or float64", name, f.Dtype)
	}
	if classes < 0 {
		return nil, nil, errors.Errorf("zoo: %s: %d classes: want at least 1 (0: the model's %d)", name, classes, e.classes)
	}
	if classes == 0 {
		classes = e.classes
	}
	m, err := e.build(f, classes)
	if err == nil {
		err = f.Err() // a bad request the layer constructors could not return
	}
	if err != nil {
		return nil, nil, errors.WithMessagef(err, "zoo: %s", name)
	}
	return m, append([]int(nil), e.input...), nil
}

// Names lists the registered models, sorted.
func Names() []string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
