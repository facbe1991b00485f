// Package safetensors reads and writes the safetensors weight format, the
// format PyTorch and Hugging Face users share model weights in, so convgraph
// models can load published weights and save their own in a form other tools
// read.
//
// A file is laid out as
//
//	[8 bytes]  N, the header length, unsigned little-endian
//	[N bytes]  JSON header, UTF-8, optionally padded with spaces
//	[rest]     the data buffer: every tensor's raw little-endian elements
//
// The header maps each tensor name to {"dtype", "shape", "data_offsets"},
// where data_offsets = [begin, end) is relative to the start of the data
// buffer, plus an optional "__metadata__" object of string keys and values.
// Tensors tile the buffer exactly: no overlaps, no holes, nothing after the
// last one.
//
// The format is a trust boundary (files come from the internet), so the
// decoder validates every header field before it allocates anything sized
// by it, returns a *FormatError rather than panicking, and never allocates
// much more than the input's own size.
package safetensors
