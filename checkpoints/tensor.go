package checkpoints

import (
	"encoding/binary"
	"fmt"
	"math"
	"sort"
	"unsafe"

	"github.com/deberta-go/lab/checkpoints/torchpickle"
)

// Tensor is one named array read from (or written to) a weight file.
//
// Floating tensors (F64, F32, F16, BF16) are converted to float32 on load and held in Data; DType keeps the
// dtype they were stored with. Integer and boolean tensors (I64, I32, I16, I8, U64, U32, U16, U8, BOOL) are
// held in Int64 instead (Data is nil): DeBERTa state dicts only carry such tensors as buffers, e.g. an int64
// `embeddings.position_ids`, which callers usually skip-and-report. Exactly one of Data and Int64 is non-nil,
// except for tensors with zero elements, where both may be empty.
type Tensor struct {
	Name  string
	DType string // storage dtype: "F32", "F16", "BF16", "F64", "I64", "I32", ..., "BOOL"
	Shape []int
	Data  []float32 // floating tensors, converted to float32
	Int64 []int64   // integer and boolean tensors
}

// NumElements is the product of the shape (1 for a scalar).
func (t *Tensor) NumElements() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// IsFloat tells whether the tensor holds floating-point values (in Data).
func (t *Tensor) IsFloat() bool { return IsFloatDType(t.DType) }

// String describes the tensor without its values, e.g. `deberta.x.weight F16[128 32]`.
func (t *Tensor) String() string { return fmt.Sprintf("%s %s%v", t.Name, t.DType, t.Shape) }

// SortedTensors returns the tensors of m ordered by name.
func SortedTensors(m map[string]*Tensor) []*Tensor {
	out := make([]*Tensor, 0, len(m))
	for _, t := range m {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// dtypeSizes lists the safetensors dtypes with whole-byte elements and their sizes.
var dtypeSizes = map[string]int{
	"BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1,
	"I16": 2, "U16": 2, "F16": 2, "BF16": 2,
	"I32": 4, "U32": 4, "F32": 4,
	"I64": 8, "U64": 8, "F64": 8,
}

// DTypeSize returns the size in bytes of one element of dtype and whether dtype is known.
func DTypeSize(dtype string) (int, bool) {
	s, ok := dtypeSizes[dtype]
	return s, ok
}

// IsFloatDType tells whether dtype is a floating dtype this package converts to float32.
func IsFloatDType(dtype string) bool {
	switch dtype {
	case "F32", "F16", "BF16", "F64":
		return true
	}
	return false
}

// isIntDType tells whether dtype is an integer (or bool) dtype this package converts to int64.
func isIntDType(dtype string) bool {
	switch dtype {
	case "BOOL", "U8", "I8", "I16", "U16", "I32", "U32", "I64", "U64":
		return true
	}
	return false
}

// hostLittleEndian is true on little-endian machines, where F32 data can be copied without decoding.
var hostLittleEndian = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()

// newTensor converts raw element bytes (exactly numel·size bytes, in the given byte order) into a Tensor.
// Errors name neither file nor key: callers add them.
func newTensor(name, dtype string, shape []int, raw []byte, bigEndian bool) (*Tensor, error) {
	size, ok := dtypeSizes[dtype]
	if !ok {
		return nil, fmt.Errorf("unknown dtype %q", dtype)
	}
	n, err := numElements(shape)
	if err != nil {
		return nil, err
	}
	if int64(len(raw)) != n*int64(size) {
		return nil, fmt.Errorf("%d bytes for %d elements of %s (want %d)", len(raw), n, dtype, n*int64(size))
	}
	t := &Tensor{Name: name, DType: dtype, Shape: append([]int{}, shape...)}
	var bo binary.ByteOrder = binary.LittleEndian
	if bigEndian {
		bo = binary.BigEndian
	}
	switch {
	case IsFloatDType(dtype):
		t.Data = make([]float32, n)
		decodeFloats(t.Data, raw, dtype, bo, bigEndian)
	case isIntDType(dtype):
		t.Int64 = make([]int64, n)
		if err := decodeInts(t.Int64, raw, dtype, bo); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("dtype %s is not supported (only F64, F32, F16, BF16 and integer/bool dtypes)", dtype)
	}
	return t, nil
}

// numElements multiplies the shape, rejecting negative dimensions and products beyond 2^50 elements.
func numElements(shape []int) (int64, error) { return torchpickle.NumElements(shape) }

// maxElements bounds the element count of one tensor (8 PiB of F64): it only guards against overflow.
const maxElements = torchpickle.MaxElements

// decodeFloats converts len(dst) elements of raw into dst.
func decodeFloats(dst []float32, raw []byte, dtype string, bo binary.ByteOrder, bigEndian bool) {
	switch dtype {
	case "F32":
		if hostLittleEndian && !bigEndian && len(dst) > 0 {
			copy(unsafe.Slice((*byte)(unsafe.Pointer(&dst[0])), 4*len(dst)), raw)
			return
		}
		for i := range dst {
			dst[i] = math.Float32frombits(bo.Uint32(raw[4*i:]))
		}
	case "F16":
		for i := range dst {
			dst[i] = Float16ToFloat32(bo.Uint16(raw[2*i:]))
		}
	case "BF16":
		for i := range dst {
			dst[i] = BFloat16ToFloat32(bo.Uint16(raw[2*i:]))
		}
	case "F64":
		for i := range dst {
			dst[i] = Float64ToFloat32(math.Float64frombits(bo.Uint64(raw[8*i:])))
		}
	}
}

// decodeInts converts len(dst) elements of raw into dst; U64 values beyond int64 are an error.
func decodeInts(dst []int64, raw []byte, dtype string, bo binary.ByteOrder) error {
	for i := range dst {
		switch dtype {
		case "BOOL":
			if raw[i] > 1 {
				return fmt.Errorf("element %d: BOOL byte %d is neither 0 nor 1", i, raw[i])
			}
			dst[i] = int64(raw[i])
		case "U8":
			dst[i] = int64(raw[i])
		case "I8":
			dst[i] = int64(int8(raw[i]))
		case "I16":
			dst[i] = int64(int16(bo.Uint16(raw[2*i:])))
		case "U16":
			dst[i] = int64(bo.Uint16(raw[2*i:]))
		case "I32":
			dst[i] = int64(int32(bo.Uint32(raw[4*i:])))
		case "U32":
			dst[i] = int64(bo.Uint32(raw[4*i:]))
		case "I64":
			dst[i] = int64(bo.Uint64(raw[8*i:]))
		case "U64":
			v := bo.Uint64(raw[8*i:])
			if v > math.MaxInt64 {
				return fmt.Errorf("element %d: U64 value %d does not fit in int64", i, v)
			}
			dst[i] = int64(v)
		}
	}
	return nil
}

// Float16ToFloat32 converts IEEE 754 half-precision bits to float32. The conversion is exact, including
// subnormals, infinities and NaN payloads.
func Float16ToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h) & 0x3ff
	switch exp {
	case 0:
		// Zero or subnormal: mant·2⁻²⁴, exactly representable in float32.
		f := float32(mant) * (1.0 / (1 << 24))
		return math.Float32frombits(math.Float32bits(f) | sign)
	case 0x1f:
		return math.Float32frombits(sign | 0x7f800000 | mant<<13)
	default:
		return math.Float32frombits(sign | (exp+112)<<23 | mant<<13)
	}
}

// Float32ToFloat16 converts a float32 to IEEE 754 half-precision bits, rounding to nearest even. Values
// beyond the half range become ±Inf, tiny values become (signed) subnormals or zero, NaN stays a quiet NaN
// keeping the top payload bits.
func Float32ToFloat16(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int(b>>23) & 0xff
	mant := b & 0x7fffff
	if exp == 0xff {
		if mant == 0 {
			return sign | 0x7c00
		}
		return sign | 0x7e00 | uint16(mant>>13)
	}
	e := exp - 127 + 15
	if e >= 0x1f {
		return sign | 0x7c00
	}
	if e <= 0 {
		// Subnormal half (or zero): value in units of 2⁻²⁴ is (mant|implicit bit) >> (14-e).
		shift := uint(14 - e)
		if shift > 24 {
			return sign
		}
		m := mant | 0x800000
		r := m >> shift
		rem := m & (1<<shift - 1)
		half := uint32(1) << (shift - 1)
		if rem > half || (rem == half && r&1 == 1) {
			r++ // may carry into the smallest normal: the encoding stays correct
		}
		return sign | uint16(r)
	}
	r := uint32(e)<<10 | mant>>13
	rem := mant & 0x1fff
	if rem > 0x1000 || (rem == 0x1000 && r&1 == 1) {
		r++ // a carry into the exponent is correct, up to +Inf
	}
	return sign | uint16(r)
}

// Float64ToFloat32 rounds a float64 to the nearest float32 (ties to even); values beyond the float32 range
// round to ±MaxFloat32 or ±Inf as IEEE 754 prescribes (the Go spec leaves out-of-range conversions
// implementation-dependent, so they are handled here).
func Float64ToFloat32(x float64) float32 {
	if a := math.Abs(x); a > math.MaxFloat32 && !math.IsInf(x, 0) {
		if a >= math.MaxFloat32+0x1p103 { // half an ulp above MaxFloat32: the tie goes to Inf (even)
			return float32(math.Inf(int(math.Copysign(1, x))))
		}
		return float32(math.Copysign(math.MaxFloat32, x))
	}
	return float32(x)
}

// BFloat16ToFloat32 converts bfloat16 bits to float32 (exact: bfloat16 is the top half of a float32).
func BFloat16ToFloat32(h uint16) float32 { return math.Float32frombits(uint32(h) << 16) }

// Float32ToBFloat16 converts a float32 to bfloat16 bits, rounding to nearest even; NaN stays a quiet NaN.
func Float32ToBFloat16(f float32) uint16 {
	b := math.Float32bits(f)
	if b&0x7f800000 == 0x7f800000 && b&0x7fffff != 0 {
		return uint16(b>>16) | 0x40
	}
	b += 0x7fff + (b>>16)&1
	return uint16(b >> 16)
}
