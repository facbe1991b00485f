package graph_test

import (
	"fmt"

	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/graph"
	"github.com/convgraph/convgraph/ops"
)

// Example is the README's taste: the lecture's worked 3×3 convolution, a
// max-pool, and the gradient of the result with respect to the kernel.
func Example() {
	weights := tensor.New(tensor.WithShape(1, 1, 3, 3), tensor.WithBacking([]float64{2, 1, 2, 0, 0, 3, 0, 0, 2}))
	image := tensor.New(tensor.WithShape(1, 1, 4, 4), tensor.WithBacking([]float64{3, 2, 0, 1, 0, 2, 1, 2, 2, 0, 0, 3, 2, 3, 1, 2}))

	g, _ := graph.New(tensor.Float64)
	x, _ := g.Input("x", 1, 1, 4, 4)                   // NCHW
	w, _ := g.Param("w", weights)                      // a tensor you own, shared by every graph
	y, _ := ops.Conv2D(x, w, nil, ops.Conv{})          // 3×3 correlation → (1, 1, 2, 2)
	p, _ := ops.MaxPool2D(y, ops.Pool2D{KH: 2, KW: 2}) // → (1, 1, 1, 1)
	loss, _ := ops.Sum(p)
	grads, _ := g.Grad(loss, w)                  // symbolic: more graph
	prog, _ := g.Compile(y, loss, grads[0])      // a tape program
	vals, _ := prog.Run(graph.Feeds{"x": image}) // copies of y, loss and dloss/dw

	fmt.Println("y:", vals[0].Data())
	fmt.Println("loss:", vals[1].Data())
	fmt.Println("dloss/dw:", vals[2].Data()) // the window under the max: x[1:4, 1:4]
	// Output:
	// y: [11 18 6 22]
	// loss: 22
	// dloss/dw: [2 1 2 0 0 3 3 1 2]
}
