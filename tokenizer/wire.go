package tokenizer

import (
	"errors"
	"fmt"
	"math"
)

// Protocol-buffer wire types (https://protobuf.dev/programming-guides/encoding/).
const (
	wireVarint  = 0
	wireFixed64 = 1
	wireBytes   = 2
	wireFixed32 = 5
)

var errTruncated = errors.New("unexpected end of data (truncated file?)")

// wireReader decodes the protocol-buffer wire format field by field. It only knows the encoding, not the schema:
// modelproto.go maps field numbers to struct fields. Every read is bounds-checked, so arbitrary input yields an
// error, never a panic.
type wireReader struct {
	buf []byte
	pos int
}

// done reports whether all input has been consumed.
func (r *wireReader) done() bool { return r.pos >= len(r.buf) }

func (r *wireReader) varint() (uint64, error) {
	var v uint64
	for shift := uint(0); shift < 64; shift += 7 {
		if r.pos >= len(r.buf) {
			return 0, errTruncated
		}
		b := r.buf[r.pos]
		r.pos++
		if shift == 63 && b > 1 {
			return 0, errors.New("varint overflows 64 bits")
		}
		v |= uint64(b&0x7f) << shift
		if b < 0x80 {
			return v, nil
		}
	}
	return 0, errors.New("varint longer than 10 bytes")
}

// key reads a field key and returns the field number and wire type.
func (r *wireReader) key() (field int, wireType int, err error) {
	k, err := r.varint()
	if err != nil {
		return 0, 0, err
	}
	field, wireType = int(k>>3), int(k&7)
	if field <= 0 || k>>3 > math.MaxInt32 {
		return 0, 0, fmt.Errorf("invalid field number %d", k>>3)
	}
	return field, wireType, nil
}

func (r *wireReader) fixed32() (uint32, error) {
	if len(r.buf)-r.pos < 4 {
		return 0, errTruncated
	}
	b := r.buf[r.pos:]
	r.pos += 4
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24, nil
}

// bytes reads a length-delimited field; the result aliases the input.
func (r *wireReader) bytes() ([]byte, error) {
	n, err := r.varint()
	if err != nil {
		return nil, err
	}
	if n > uint64(len(r.buf)-r.pos) {
		return nil, errTruncated
	}
	b := r.buf[r.pos : r.pos+int(n)]
	r.pos += int(n)
	return b, nil
}

// fieldValue is one decoded field: the numeric value for varint/fixed32 fields, the payload for bytes fields.
type fieldValue struct {
	num      uint64
	data     []byte
	wireType int
}

func (v fieldValue) float() float32  { return math.Float32frombits(uint32(v.num)) }
func (v fieldValue) isBytes() bool   { return v.wireType == wireBytes }
func (v fieldValue) isFixed32() bool { return v.wireType == wireFixed32 }

// eachField calls fn for every field of a message. Fixed64 fields are skipped (none of the fields the decoder
// reads uses them); fn returns an error for a known field of the wrong wire type.
func eachField(msg []byte, fn func(field int, v fieldValue) error) error {
	r := wireReader{buf: msg}
	for !r.done() {
		field, wt, err := r.key()
		if err != nil {
			return err
		}
		v := fieldValue{wireType: wt}
		switch wt {
		case wireVarint:
			v.num, err = r.varint()
		case wireFixed32:
			var u uint32
			u, err = r.fixed32()
			v.num = uint64(u)
		case wireBytes:
			v.data, err = r.bytes()
		case wireFixed64:
			if len(r.buf)-r.pos < 8 {
				return fmt.Errorf("field %d: %w", field, errTruncated)
			}
			r.pos += 8
			continue
		default: // groups (3, 4) are deprecated and never written by sentencepiece
			return fmt.Errorf("field %d: unsupported wire type %d", field, wt)
		}
		if err != nil {
			return fmt.Errorf("field %d: %w", field, err)
		}
		if err := fn(field, v); err != nil {
			return fmt.Errorf("field %d: %w", field, err)
		}
	}
	return nil
}
