// Package gemm multiplies dense row-major matrices: C = alpha·op(A)·op(B) + beta·C.
//
// It follows the Goto/BLIS design. op(B) is packed, KC rows by NC columns
// at a time, into NR-wide micro-panels that stay in L1 while a register-
// blocked micro-kernel sweeps them; op(A) is packed, MC by KC, into MR-tall
// micro-panels that stay in L2. Packing makes the kernel's loads contiguous
// whatever the transposes and strides; edge panels keep whatever their
// buffer held past the matrix, since the kernel always computes a full
// MR×NR tile and only the edge tile's valid part is merged into C. With few
// rows of C, full micro-panels of an untransposed B are read in place.
// DotNT computes C += A·Bᵀ from rows read in place.
//
// The micro-kernels for amd64 are assembly (AVX-512 and AVX2+FMA, float32
// and float64), chosen at run time from the CPU's features; every other
// machine uses a portable Go kernel. There is no cgo.
//
// Argument errors (negative sizes, short slices, small strides) are
// programmer errors, as in BLAS, and panic with the offending values.
package gemm
