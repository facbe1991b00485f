// Package kernels holds the numeric kernels of convgraph's ops on plain
// slices, NCHW, each generic over float32 and float64: im2col/col2im and the
// convolution passes, pooling, normalization. Matrix products go through the
// project's GEMM (ops/internal/gemm). Nothing here knows about graphs.
package kernels
