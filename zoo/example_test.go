package zoo_test

import (
	"fmt"

	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/nn"
	"github.com/convgraph/convgraph/zoo"
)

// LeNet-5 stage by stage, as in LeCun et al. (1998): the output shape (batch
// first) and the trainable parameters of each named layer.
func ExampleNew() {
	model, input, err := zoo.New("lenet5", nn.NewFactory(tensor.Float32, 1), 10)
	if err != nil {
		panic(err)
	}
	s, err := nn.Summarize(model, append([]int{1}, input...)...)
	if err != nil {
		panic(err)
	}
	for _, r := range s.Rows {
		if r.Path != "" && r.Path != model.Name() {
			fmt.Printf("%-7s %-16s %6d\n", r.Path, fmt.Sprint(r.Out), r.Params)
		}
	}
	fmt.Println("total", s.Params)
	// Output:
	// c1      (1, 6, 28, 28)      156
	// s2      (1, 6, 14, 14)       12
	// c3      (1, 16, 10, 10)    1516
	// s4      (1, 16, 5, 5)        32
	// c5      (1, 120, 1, 1)    48120
	// f6      (1, 84)           10164
	// output  (1, 10)             850
	// total 60850
}
