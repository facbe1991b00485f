// Package datasets loads image-classification data sets (MNIST, CIFAR-10)
// into memory and serves them as shuffled, augmented, normalized batches.
//
// It imports nothing from the rest of convgraph so that data handling can be
// tested and reused on its own; models only see the float32 batches it
// produces.
//
// Reproducibility is a design goal: the sample order of an epoch and the
// random augmentation of every batch are pure functions of
// (seed, epoch, batch index), computed with a generator defined in this
// package (not math/rand), so a run resumed at any batch sees exactly the
// data it would have seen had it never stopped, on any Go version.
//
// Files are parsed by our own readers (idx.go, cifar10.go) that check sizes,
// magic numbers and label ranges and return errors naming the file and what
// was expected against what was found, never panicking on corrupt input.
package datasets
