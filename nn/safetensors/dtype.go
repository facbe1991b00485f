package safetensors

import (
	"sort"
	"strings"

	"gorgonia.org/tensor"
)

// dtype describes one safetensors element type this package can read.
type dtype struct {
	name string       // safetensors name, e.g. "F32"
	size int          // bytes per element in the file
	out  tensor.Dtype // element type of the tensor built on read
	// rank orders dtypes the way the reference (Rust) implementation's Dtype
	// enum does. Writing larger ranks first, as it does, keeps every tensor
	// aligned to its element size (so readers can map the file and cast in
	// place) and gives the same layout as files saved from PyTorch.
	rank int
}

// dtypes lists the readable dtypes. F16 and BF16 have no gorgonia
// counterpart, so they are widened (exactly) to F32 on read.
var dtypes = map[string]*dtype{
	"BOOL": {"BOOL", 1, tensor.Bool, 0},
	"U8":   {"U8", 1, tensor.Uint8, 1},
	"I8":   {"I8", 1, tensor.Int8, 2},
	"I16":  {"I16", 2, tensor.Int16, 5},
	"U16":  {"U16", 2, tensor.Uint16, 6},
	"F16":  {"F16", 2, tensor.Float32, 7},
	"BF16": {"BF16", 2, tensor.Float32, 8},
	"I32":  {"I32", 4, tensor.Int32, 9},
	"U32":  {"U32", 4, tensor.Uint32, 10},
	"F32":  {"F32", 4, tensor.Float32, 11},
	"F64":  {"F64", 8, tensor.Float64, 12},
	"I64":  {"I64", 8, tensor.Int64, 13},
	"U64":  {"U64", 8, tensor.Uint64, 14},
}

// knownUnsupported are dtypes the format defines but this package cannot
// represent; naming them separately gives a better error than "unknown".
var knownUnsupported = map[string]bool{
	"F8_E5M2": true, "F8_E4M3": true, "F8_E8M0": true,
	"F4": true, "F6_E2M3": true, "F6_E3M2": true, "C64": true,
}

// supportedNames is the sorted list used in error messages.
func supportedNames() string {
	names := make([]string, 0, len(dtypes))
	for n := range dtypes {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// writeDtype maps a gorgonia element type to the dtype it is written as.
// Go's int and uint are written as I64/U64 (and read back as Int64/Uint64)
// because the format has no platform-sized integers.
func writeDtype(dt tensor.Dtype) (*dtype, bool) {
	// Compare whole types, not kinds: a registered named type such as
	// `type myFloat float32` has a []myFloat backing that appendLE cannot
	// take.
	switch dt {
	case tensor.Bool:
		return dtypes["BOOL"], true
	case tensor.Uint8:
		return dtypes["U8"], true
	case tensor.Int8:
		return dtypes["I8"], true
	case tensor.Int16:
		return dtypes["I16"], true
	case tensor.Uint16:
		return dtypes["U16"], true
	case tensor.Int32:
		return dtypes["I32"], true
	case tensor.Uint32:
		return dtypes["U32"], true
	case tensor.Float32:
		return dtypes["F32"], true
	case tensor.Float64:
		return dtypes["F64"], true
	case tensor.Int64, tensor.Int:
		return dtypes["I64"], true
	case tensor.Uint64, tensor.Uint:
		return dtypes["U64"], true
	}
	return nil, false
}
