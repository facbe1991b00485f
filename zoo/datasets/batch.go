package datasets

import "gorgonia.org/tensor"

// Batch is a block of normalized images ready for a model.
//
// A Batch returned by Iterator.Next is reused by the iterator for a later
// batch once Next is called again or the iterator is closed: copy what must
// outlive that (Clone). Reuse keeps an epoch from allocating a fresh
// buffer per batch.
type Batch struct {
	X          []float32 // N·C·H·W values, NCHW
	Labels     []int     // class of each image
	Indices    []int     // index of each image in the data set
	N, C, H, W int
	Epoch      int // epoch the batch belongs to
	Index      int // position of the batch in its epoch
}

// Shape returns (N, C, H, W).
func (b *Batch) Shape() []int { return []int{b.N, b.C, b.H, b.W} }

// Tensor returns an N×C×H×W tensor that shares X: no copy, valid as long
// as the Batch is.
func (b *Batch) Tensor() *tensor.Dense {
	return tensor.New(tensor.WithShape(b.N, b.C, b.H, b.W), tensor.WithBacking(b.X))
}

// OneHot returns the labels as an N×classes matrix (row-major) of 0 and 1,
// the target form of mean-squared or per-class losses. Labels outside
// [0, classes) give an all-zero row.
func (b *Batch) OneHot(classes int) []float32 {
	out := make([]float32, b.N*max(classes, 0))
	for i, l := range b.Labels {
		if l >= 0 && l < classes {
			out[i*classes+l] = 1
		}
	}
	return out
}

// Clone returns a deep copy that the iterator will not overwrite.
func (b *Batch) Clone() *Batch {
	c := *b
	c.X = append([]float32(nil), b.X...)
	c.Labels = append([]int(nil), b.Labels...)
	c.Indices = append([]int(nil), b.Indices...)
	return &c
}
