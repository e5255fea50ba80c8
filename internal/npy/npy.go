package npy

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"unsafe"
)

// Array is the content of a .npy file. Floating arrays (<f4, <f8) are held in F32, integer and boolean
// arrays (<i4, <i8, |u1, |b1, |i1) in I64; the other slice is nil.
type Array struct {
	DType string // the file's descr, e.g. "<f4", "<i8", "|b1"
	Shape []int
	F32   []float32
	I64   []int64
}

// Header is the parsed header of a .npy file.
type Header struct {
	Major      int // format version: 1, 2 or 3
	DType      string
	Shape      []int
	DataOffset int // where the array data begins
}

var magic = []byte("\x93NUMPY")

// elemSizes lists the supported descrs and their element sizes.
var elemSizes = map[string]int{"<f4": 4, "<f8": 8, "<i4": 4, "<i8": 8, "|u1": 1, "|b1": 1, "|i1": 1}

// NumElements is the product of the shape (1 for a scalar).
func (a *Array) NumElements() int { return numElements(a.Shape) }

func numElements(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// maxElements bounds the element count accepted by the parser (guards against overflow).
const maxElements = 1 << 50

// ParseHeader parses the magic string, version, and header dict of a .npy file whose first bytes are b.
// Only little-endian (or byte-sized) float32/float64/int32/int64/uint8/int8/bool in C order are accepted.
func ParseHeader(b []byte) (*Header, error) {
	if len(b) < 10 || !bytes.HasPrefix(b, magic) {
		return nil, errors.New("not a .npy file (bad magic string)")
	}
	h := &Header{Major: int(b[6])}
	var hlen, start int
	switch h.Major {
	case 1:
		hlen, start = int(binary.LittleEndian.Uint16(b[8:10])), 10
	case 2, 3:
		if len(b) < 12 {
			return nil, errors.New("truncated .npy header")
		}
		v := binary.LittleEndian.Uint32(b[8:12])
		if v > 1<<30 {
			return nil, fmt.Errorf("header length %d is implausible", v)
		}
		hlen, start = int(v), 12
	default:
		return nil, fmt.Errorf("unsupported .npy format version %d.%d", b[6], b[7])
	}
	if len(b)-start < hlen {
		return nil, fmt.Errorf("header of %d bytes exceeds the %d bytes available (truncated file?)", hlen, len(b)-start)
	}
	h.DataOffset = start + hlen
	if err := h.parseDict(string(b[start:h.DataOffset])); err != nil {
		return nil, err
	}
	return h, nil
}

// parseDict parses the Python dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }.
func (h *Header) parseDict(s string) error {
	p := &lit{s: strings.TrimRight(s, " \n\x00")}
	if !p.eat("{") {
		return errors.New("header is not a Python dict literal")
	}
	seen := map[string]bool{}
	fortran := false
	for !p.eat("}") {
		key, err := p.str()
		if err != nil {
			return err
		}
		if seen[key] {
			return fmt.Errorf("duplicate header key %q", key)
		}
		seen[key] = true
		if !p.eat(":") {
			return fmt.Errorf("header: missing ':' after %q", key)
		}
		switch key {
		case "descr":
			if h.DType, err = p.str(); err != nil {
				return err
			}
		case "fortran_order":
			if fortran, err = p.boolean(); err != nil {
				return err
			}
		case "shape":
			if h.Shape, err = p.tuple(); err != nil {
				return err
			}
		default:
			return fmt.Errorf("unknown header key %q", key)
		}
		if !p.eat(",") && !p.peek("}") {
			return errors.New("header: expected ',' or '}'")
		}
	}
	if p.rest() != "" {
		return fmt.Errorf("header: unexpected %q after the dict", p.rest())
	}
	if !seen["descr"] || !seen["fortran_order"] || !seen["shape"] {
		return errors.New("header must have descr, fortran_order and shape")
	}
	if fortran {
		return errors.New("fortran_order arrays are not supported (save with C order)")
	}
	if _, ok := elemSizes[h.DType]; !ok {
		return fmt.Errorf("unsupported dtype %q (want <f4, <f8, <i4, <i8, |u1, |i1 or |b1)", h.DType)
	}
	n := 1
	for _, d := range h.Shape {
		if d != 0 && n > maxElements/d {
			return fmt.Errorf("shape %v has too many elements", h.Shape)
		}
		n *= d
	}
	return nil
}

// lit is a tiny scanner over a Python literal.
type lit struct {
	s string
	i int
}

func (p *lit) skip() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\n') {
		p.i++
	}
}
func (p *lit) rest() string { p.skip(); return p.s[p.i:] }
func (p *lit) peek(t string) bool {
	p.skip()
	return strings.HasPrefix(p.s[p.i:], t)
}
func (p *lit) eat(t string) bool {
	if p.peek(t) {
		p.i += len(t)
		return true
	}
	return false
}

func (p *lit) str() (string, error) {
	p.skip()
	if p.i >= len(p.s) || (p.s[p.i] != '\'' && p.s[p.i] != '"') {
		return "", errors.New("header: expected a quoted string")
	}
	q := p.s[p.i]
	end := strings.IndexByte(p.s[p.i+1:], q)
	if end < 0 {
		return "", errors.New("header: unterminated string")
	}
	v := p.s[p.i+1 : p.i+1+end]
	p.i += end + 2
	return v, nil
}

func (p *lit) boolean() (bool, error) {
	switch {
	case p.eat("True"):
		return true, nil
	case p.eat("False"):
		return false, nil
	}
	return false, errors.New("header: fortran_order must be True or False")
}

func (p *lit) tuple() ([]int, error) {
	if !p.eat("(") {
		return nil, errors.New("header: shape must be a tuple")
	}
	shape := []int{}
	for !p.eat(")") {
		p.skip()
		j := p.i
		for j < len(p.s) && p.s[j] >= '0' && p.s[j] <= '9' {
			j++
		}
		d, err := strconv.Atoi(p.s[p.i:j])
		if err != nil || d > maxElements {
			return nil, fmt.Errorf("header: bad dimension %q in shape", p.s[p.i:j])
		}
		p.i = j
		p.eat("L") // Python 2 long
		shape = append(shape, d)
		if !p.eat(",") && !p.peek(")") {
			return nil, errors.New("header: expected ',' or ')' in shape")
		}
	}
	return shape, nil
}

// Read reads a .npy file.
func Read(path string) (*Array, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	a, err := Decode(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return a, nil
}

// Decode decodes the complete contents of a .npy file.
func Decode(b []byte) (*Array, error) {
	h, err := ParseHeader(b)
	if err != nil {
		return nil, err
	}
	n := numElements(h.Shape)
	size := elemSizes[h.DType]
	data := b[h.DataOffset:]
	if len(data) != n*size {
		return nil, fmt.Errorf("data has %d bytes, shape %v of %s needs %d", len(data), h.Shape, h.DType, n*size)
	}
	a := &Array{DType: h.DType, Shape: h.Shape}
	le := binary.LittleEndian
	switch h.DType {
	case "<f4":
		a.F32 = make([]float32, n)
		if n > 0 && hostLittleEndian {
			copy(unsafe.Slice((*byte)(unsafe.Pointer(&a.F32[0])), 4*n), data)
			break
		}
		for i := range a.F32 {
			a.F32[i] = math.Float32frombits(le.Uint32(data[4*i:]))
		}
	case "<f8":
		a.F32 = make([]float32, n)
		for i := range a.F32 {
			a.F32[i] = float64ToFloat32(math.Float64frombits(le.Uint64(data[8*i:])))
		}
	default:
		a.I64 = make([]int64, n)
		for i := range a.I64 {
			switch h.DType {
			case "<i4":
				a.I64[i] = int64(int32(le.Uint32(data[4*i:])))
			case "<i8":
				a.I64[i] = int64(le.Uint64(data[8*i:]))
			case "|u1", "|b1":
				a.I64[i] = int64(data[i])
			case "|i1":
				a.I64[i] = int64(int8(data[i]))
			}
		}
	}
	return a, nil
}

// float64ToFloat32 rounds to nearest even with IEEE overflow to ±Inf (the Go spec leaves out-of-range
// conversions implementation-dependent).
func float64ToFloat32(x float64) float32 {
	if a := math.Abs(x); a > math.MaxFloat32 && !math.IsInf(x, 0) {
		if a >= math.MaxFloat32+0x1p103 {
			return float32(math.Inf(int(math.Copysign(1, x))))
		}
		return float32(math.Copysign(math.MaxFloat32, x))
	}
	return float32(x)
}

var hostLittleEndian = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()
