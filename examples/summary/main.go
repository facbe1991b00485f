// Command summary prints one zoo model's layer table: each layer's path,
// output shape, parameter count and multiply-accumulates, as the lecture
// counts them by hand, ending with "total parameters: N".
//
//	go run ./examples/summary -model resnet50
//	go run ./examples/summary -list
package main

import (
	"flag"
	"fmt"
	"log"
	"strings"

	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/nn"
	"github.com/convgraph/convgraph/zoo"
)

func main() {
	name := flag.String("model", "lenet5", "model name (see -list)")
	classes := flag.Int("classes", 0, "number of classes (0: the model's own: 10, or 1000 for ImageNet nets)")
	list := flag.Bool("list", false, "list the model names")
	flag.Parse()
	if *list {
		fmt.Println(strings.Join(zoo.Names(), "\n"))
		return
	}
	s, err := summarize(*name, *classes)
	if err != nil {
		log.Fatalf("summary: %+v", err)
	}
	fmt.Print(s)
}

func summarize(name string, classes int) (*nn.Summary, error) {
	model, in, err := zoo.New(name, nn.NewFactory(tensor.Float32, 1), classes)
	if err != nil {
		return nil, err
	}
	return nn.Summarize(model, append([]int{1}, in...)...)
}
