package safetensors_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/convgraph/convgraph/nn/safetensors"
	"gorgonia.org/tensor"
)

func Example() {
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "model.safetensors")

	weights := map[string]tensor.Tensor{
		"fc.weight": tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float32{1, 2, 3, 4})),
		"fc.bias":   tensor.New(tensor.WithShape(2), tensor.WithBacking([]float32{0.5, -0.5})),
	}
	if err := safetensors.Write(path, weights, map[string]string{"format": "pt"}); err != nil {
		log.Fatal(err)
	}

	f, err := safetensors.Read(path)
	if err != nil {
		log.Fatal(err)
	}
	for _, name := range f.Names {
		t := f.Tensors[name]
		fmt.Println(name, f.Dtypes[name], t.Shape(), t.Data())
	}
	fmt.Println(f.Metadata)
	// Output:
	// fc.bias F32 (2) [0.5 -0.5]
	// fc.weight F32 (2, 2) [1 2 3 4]
	// map[format:pt]
}
