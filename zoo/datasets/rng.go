package datasets

import "math/bits"

// RNG is a small deterministic random generator (SplitMix64) for shuffling
// and augmentation.
//
// It is defined here rather than taken from math/rand because resumed runs
// must replay the exact same order and crops: its output is fixed by this
// code alone, not by a standard library whose algorithms (Shuffle, IntN)
// may change between Go versions. Statistical quality is ample for picking
// permutations and crop offsets; it is not for cryptography.
type RNG struct{ state uint64 }

const golden = 0x9e3779b97f4a7c15

// NewRNG returns a generator whose stream is a pure function of keys, for
// example (seed, epoch, batch): each key is mixed in with the SplitMix64
// finalizer, so neighbouring keys give unrelated streams.
func NewRNG(keys ...uint64) *RNG {
	var s uint64
	for _, k := range keys {
		s = mix64(s + golden + k)
	}
	return &RNG{state: s}
}

func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// Uint64 returns the next 64 random bits.
func (r *RNG) Uint64() uint64 {
	r.state += golden
	return mix64(r.state)
}

// Intn returns a uniform integer in [0, n), or 0 when n <= 0 (so that a
// crop with no slack needs no special case).
func (r *RNG) Intn(n int) int {
	if n <= 1 {
		return 0
	}
	// Lemire's multiply-shift with rejection: unbiased and division-free in
	// the common case.
	bound := uint64(n)
	hi, lo := bits.Mul64(r.Uint64(), bound)
	if lo < bound {
		thresh := -bound % bound
		for lo < thresh {
			hi, lo = bits.Mul64(r.Uint64(), bound)
		}
	}
	return int(hi)
}

// Float64 returns a uniform float64 in [0, 1).
func (r *RNG) Float64() float64 {
	return float64(r.Uint64()>>11) / (1 << 53)
}

// Perm returns a uniformly random permutation of [0, n) (Fisher-Yates).
func (r *RNG) Perm(n int) []int {
	p := make([]int, max(n, 0))
	for i := range p {
		p[i] = i
	}
	for i := len(p) - 1; i > 0; i-- {
		j := r.Intn(i + 1)
		p[i], p[j] = p[j], p[i]
	}
	return p
}
