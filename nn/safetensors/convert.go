package safetensors

import (
	"encoding/binary"
	"math"
)

// The converters below go through encoding/binary rather than reinterpreting
// memory with unsafe: the compiler turns these loads into plain moves on
// little-endian machines, and the code stays correct on big-endian ones.

// f16ToF32 widens an IEEE 754 half-precision value; every half is exactly
// representable as a float32, including subnormals, infinities and NaN
// payloads (shifted into the top of the float32 mantissa).
func f16ToF32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f:
		return math.Float32frombits(sign | 0x7f800000 | mant<<13)
	case exp == 0 && mant == 0:
		return math.Float32frombits(sign)
	case exp == 0: // subnormal: normalise into float32's wider exponent range
		e := uint32(127 - 14)
		for mant&0x400 == 0 {
			mant <<= 1
			e--
		}
		return math.Float32frombits(sign | e<<23 | (mant&0x3ff)<<13)
	default:
		return math.Float32frombits(sign | (exp+127-15)<<23 | mant<<13)
	}
}

// bf16ToF32 widens a bfloat16, which is the top half of a float32.
func bf16ToF32(h uint16) float32 { return math.Float32frombits(uint32(h) << 16) }

// decodeLE converts src (whole elements of file dtype name) into dst, a slice
// of the dtype's out type, starting at element at. It returns the index of
// the first invalid element (BOOL bytes other than 0 and 1), or -1.
func decodeLE(name string, dst any, at int, src []byte) int {
	le := binary.LittleEndian
	switch name {
	case "BOOL":
		d := dst.([]bool)[at:]
		for i, b := range src {
			if b > 1 {
				return at + i
			}
			d[i] = b == 1
		}
	case "U8":
		copy(dst.([]uint8)[at:], src)
	case "I8":
		d := dst.([]int8)[at:]
		for i, b := range src {
			d[i] = int8(b)
		}
	case "I16":
		d := dst.([]int16)[at:]
		for i := range len(src) / 2 {
			d[i] = int16(le.Uint16(src[2*i:]))
		}
	case "U16":
		d := dst.([]uint16)[at:]
		for i := range len(src) / 2 {
			d[i] = le.Uint16(src[2*i:])
		}
	case "F16":
		d := dst.([]float32)[at:]
		for i := range len(src) / 2 {
			d[i] = f16ToF32(le.Uint16(src[2*i:]))
		}
	case "BF16":
		d := dst.([]float32)[at:]
		for i := range len(src) / 2 {
			d[i] = bf16ToF32(le.Uint16(src[2*i:]))
		}
	case "I32":
		d := dst.([]int32)[at:]
		for i := range len(src) / 4 {
			d[i] = int32(le.Uint32(src[4*i:]))
		}
	case "U32":
		d := dst.([]uint32)[at:]
		for i := range len(src) / 4 {
			d[i] = le.Uint32(src[4*i:])
		}
	case "F32":
		d := dst.([]float32)[at:]
		for i := range len(src) / 4 {
			d[i] = math.Float32frombits(le.Uint32(src[4*i:]))
		}
	case "F64":
		d := dst.([]float64)[at:]
		for i := range len(src) / 8 {
			d[i] = math.Float64frombits(le.Uint64(src[8*i:]))
		}
	case "I64":
		d := dst.([]int64)[at:]
		for i := range len(src) / 8 {
			d[i] = int64(le.Uint64(src[8*i:]))
		}
	case "U64":
		d := dst.([]uint64)[at:]
		for i := range len(src) / 8 {
			d[i] = le.Uint64(src[8*i:])
		}
	default:
		panic("safetensors: decodeLE: unhandled dtype " + name) // unreachable: names come from dtypes
	}
	return -1
}

// appendLE appends elements [i, j) of src, a flat gorgonia backing slice,
// to dst in little-endian form.
func appendLE(dst []byte, src any, i, j int) []byte {
	le := binary.LittleEndian
	switch s := src.(type) {
	case []bool:
		for _, v := range s[i:j] {
			b := byte(0)
			if v {
				b = 1
			}
			dst = append(dst, b)
		}
	case []uint8:
		dst = append(dst, s[i:j]...)
	case []int8:
		for _, v := range s[i:j] {
			dst = append(dst, byte(v))
		}
	case []int16:
		for _, v := range s[i:j] {
			dst = le.AppendUint16(dst, uint16(v))
		}
	case []uint16:
		for _, v := range s[i:j] {
			dst = le.AppendUint16(dst, v)
		}
	case []int32:
		for _, v := range s[i:j] {
			dst = le.AppendUint32(dst, uint32(v))
		}
	case []uint32:
		for _, v := range s[i:j] {
			dst = le.AppendUint32(dst, v)
		}
	case []float32:
		for _, v := range s[i:j] {
			dst = le.AppendUint32(dst, math.Float32bits(v))
		}
	case []float64:
		for _, v := range s[i:j] {
			dst = le.AppendUint64(dst, math.Float64bits(v))
		}
	case []int64:
		for _, v := range s[i:j] {
			dst = le.AppendUint64(dst, uint64(v))
		}
	case []int:
		for _, v := range s[i:j] {
			dst = le.AppendUint64(dst, uint64(int64(v)))
		}
	case []uint64:
		for _, v := range s[i:j] {
			dst = le.AppendUint64(dst, v)
		}
	case []uint:
		for _, v := range s[i:j] {
			dst = le.AppendUint64(dst, uint64(v))
		}
	default:
		panic("safetensors: appendLE: unhandled slice type") // unreachable: types come from writeDtype
	}
	return dst
}
