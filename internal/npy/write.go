package npy

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
)

// WriteFloat32 writes data with the given shape as a little-endian float32 (<f4) .npy file.
func WriteFloat32(path string, shape []int, data []float32) error {
	if numElements(shape) != len(data) {
		return fmt.Errorf("%s: %d values for shape %v", path, len(data), shape)
	}
	buf := header("<f4", shape, 4*len(data))
	var b [4]byte
	for _, v := range data {
		binary.LittleEndian.PutUint32(b[:], math.Float32bits(v))
		buf.Write(b[:])
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// WriteInt64 writes data with the given shape as a little-endian int64 (<i8) .npy file.
func WriteInt64(path string, shape []int, data []int64) error {
	if numElements(shape) != len(data) {
		return fmt.Errorf("%s: %d values for shape %v", path, len(data), shape)
	}
	buf := header("<i8", shape, 8*len(data))
	var b [8]byte
	for _, v := range data {
		binary.LittleEndian.PutUint64(b[:], uint64(v))
		buf.Write(b[:])
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// header builds the magic, version and header dict padded with spaces and a newline so that the data
// starts at a multiple of 64 bytes, as numpy does; version 1.0 unless the header needs more than 65535 bytes.
func header(descr string, shape []int, dataLen int) *bytes.Buffer {
	dims := make([]string, len(shape))
	for i, d := range shape {
		dims[i] = strconv.Itoa(d)
	}
	tuple := "(" + strings.Join(dims, ", ")
	if len(shape) == 1 {
		tuple += ","
	}
	tuple += ")"
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, tuple)
	prefix := 10
	if len(dict)+1+prefix > 65535 {
		prefix = 12
	}
	pad := (64 - (prefix+len(dict)+1)%64) % 64
	dict += strings.Repeat(" ", pad) + "\n"
	buf := bytes.NewBuffer(make([]byte, 0, prefix+len(dict)+dataLen))
	buf.Write(magic)
	if prefix == 10 {
		buf.Write([]byte{1, 0})
		binary.Write(buf, binary.LittleEndian, uint16(len(dict)))
	} else {
		buf.Write([]byte{2, 0})
		binary.Write(buf, binary.LittleEndian, uint32(len(dict)))
	}
	buf.WriteString(dict)
	return buf
}
