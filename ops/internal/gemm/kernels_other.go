//go:build !amd64

package gemm

// platformPaths has no assembly kernels off amd64; the Go kernel serves.
func platformPaths() []*path { return nil }
