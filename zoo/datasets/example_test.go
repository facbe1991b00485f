package datasets_test

import (
	"fmt"
	"log"

	"github.com/convgraph/convgraph/zoo/datasets"
)

// A training loop over CIFAR-10 with the standard augmentation. Resuming
// from a checkpoint at (epoch, batch) replays exactly the same batches.
func Example_cifar10() {
	train, test, err := datasets.LoadCIFAR10("") // $CONVGRAPH_CIFAR10_DIR or the shared copy
	if err != nil {
		log.Fatal(err)
	}
	loader, err := datasets.NewLoader(train, datasets.LoaderConfig{
		BatchSize: 128, Shuffle: true, Seed: 1, DropLast: true, Prefetch: 2,
		Mean: datasets.CIFAR10Mean, Std: datasets.CIFAR10Std,
		Augment: datasets.CIFAR10Augment(),
	})
	if err != nil {
		log.Fatal(err)
	}
	startEpoch, startBatch := 0, 0 // from a checkpoint
	for epoch := startEpoch; epoch < 2; epoch++ {
		for b := range loader.Batches(epoch, startBatch).All() {
			x := b.Tensor() // 128×3×32×32, valid until the next batch
			_ = x
		}
		startBatch = 0
	}
	_ = test
}

// MNIST padded to 32×32 and scaled as in LeCun et al. 1998, read from the
// GoMNIST module with no download.
func Example_mnistLeNet5() {
	train, _, err := datasets.LoadMNIST("")
	if err != nil {
		log.Fatal(err)
	}
	loader, err := datasets.NewLoader(train, datasets.LoaderConfig{
		BatchSize: 32, Shuffle: true, Seed: 7, Pad: 2,
		Mean: datasets.LeNet5Mean, Std: datasets.LeNet5Std,
	})
	if err != nil {
		log.Fatal(err)
	}
	it := loader.Batches(0, 0)
	defer it.Close()
	b, _ := it.Next()
	fmt.Println(b.Shape(), loader.NumBatches())
	// Output: [32 1 32 32] 1875
}

// Batches of a small hand-made set: 5 one-pixel images, the last batch
// short, values scaled to [0, 1].
func ExampleLoader_Batches() {
	d := &datasets.Dataset{
		Name: "tiny", C: 1, H: 1, W: 1,
		Classes: []string{"dark", "light"},
		Pixels:  []uint8{0, 51, 102, 204, 255},
		Labels:  []uint8{0, 0, 0, 1, 1},
	}
	loader, err := datasets.NewLoader(d, datasets.LoaderConfig{BatchSize: 2})
	if err != nil {
		log.Fatal(err)
	}
	for b := range loader.Batches(0, 0).All() {
		fmt.Println(b.Index, b.X, b.Labels)
	}
	// Output:
	// 0 [0 0.2] [0 0]
	// 1 [0.4 0.8] [0 1]
	// 2 [1] [1]
}
