package gradcheck

import (
	"math/rand"

	"gorgonia.org/tensor"
)

// Distinct returns a float64 tensor whose elements are all different, of both
// signs, at least 1/n apart and never within 1/n of zero (n: the element
// count), in a seeded random order. Finite differences lie at a kink (relu at
// 0, a max-pool tie), so a gradient check must not put a value near one.
func Distinct(shape tensor.Shape, seed int64) *tensor.Dense {
	n := shape.TotalSize()
	rng := rand.New(rand.NewSource(seed))
	step := 4.0 / float64(n)
	vals := make([]float64, n)
	for i, p := range rng.Perm(n) {
		// (p − ⌊n/2⌋ + 0.5)·step puts the values at half-integer multiples
		// of step, for odd n too: every one ≥ step/2 from 0 and step apart;
		// the jitter (< step/8 either way) breaks any regular pattern.
		vals[i] = (float64(p-n/2)+0.5)*step + (rng.Float64()-0.5)*step/4
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(vals))
}

// Random returns a float64 tensor of standard normal values drawn from seed.
func Random(shape tensor.Shape, seed int64) *tensor.Dense {
	rng := rand.New(rand.NewSource(seed))
	vals := make([]float64, shape.TotalSize())
	for i := range vals {
		vals[i] = rng.NormFloat64()
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(vals))
}

// Negative returns Distinct values shifted below zero: every element < 0, for
// the all-negative windows of max-pool and relu tests.
func Negative(shape tensor.Shape, seed int64) *tensor.Dense {
	t := Distinct(shape, seed)
	for i, v := range t.Data().([]float64) {
		t.Data().([]float64)[i] = v - 2.5
	}
	return t
}
