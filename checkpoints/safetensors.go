package checkpoints

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"unicode/utf8"

	"golang.org/x/sys/unix"
)

// MaxSafetensorsHeader is the largest JSON header accepted, as in the reference implementation (100 MB).
const MaxSafetensorsHeader = 100_000_000

// SafetensorsHeader is the parsed and validated header of a safetensors file.
type SafetensorsHeader struct {
	HeaderLen int64             // N, the length of the JSON header (including its padding)
	DataStart int64             // 8 + N: file offset of the data section
	DataLen   int64             // length of the data section: file size − DataStart
	Metadata  map[string]string // the optional "__metadata__" entry (nil when absent)
	Tensors   []TensorInfo      // sorted by data offsets
}

// TensorInfo describes one tensor of a safetensors header. Begin and End are relative to the data section.
type TensorInfo struct {
	Name       string
	DType      string
	Shape      []int
	Begin, End int64
}

// stEntry is the JSON form of one tensor entry. Pointers and nil slices tell missing fields apart.
type stEntry struct {
	DType       *string `json:"dtype"`
	Shape       []int64 `json:"shape"`
	DataOffsets []int64 `json:"data_offsets"`
}

// ParseSafetensorsHeader parses and validates the header of a safetensors file whose complete contents are
// b: the 8-byte little-endian header length N, then N bytes of JSON, then the data section. It checks that
// every dtype is known, shapes are non-negative, each byte range matches prod(shape)·dtype size, ranges lie
// inside the data section, and that the ranges cover the data section exactly: no overlap, no hole, nothing
// left over. Errors name the tensor key and the numbers involved, not the file.
func ParseSafetensorsHeader(b []byte) (*SafetensorsHeader, error) {
	if len(b) < 8 {
		return nil, fmt.Errorf("file of %d bytes is too short for the 8-byte header length (truncated?)", len(b))
	}
	n := binary.LittleEndian.Uint64(b[:8])
	size := uint64(len(b))
	switch {
	case n > MaxSafetensorsHeader:
		return nil, fmt.Errorf("header length %d exceeds the limit of %d bytes (not a safetensors file?)", n, MaxSafetensorsHeader)
	case n > size-8:
		return nil, fmt.Errorf("header length %d exceeds the %d bytes after the length prefix (truncated file?)", n, size-8)
	case n < 2:
		return nil, fmt.Errorf("header length %d is too short for a JSON object", n)
	}
	h := &SafetensorsHeader{HeaderLen: int64(n), DataStart: 8 + int64(n), DataLen: int64(size - 8 - n)}
	js := b[8 : 8+n]
	if js[0] != '{' {
		return nil, fmt.Errorf("header does not start with '{' (byte 0x%02x): not a safetensors JSON header", js[0])
	}
	if !utf8.Valid(js) {
		return nil, errors.New("header is not valid UTF-8")
	}
	if err := h.parseJSON(js); err != nil {
		return nil, err
	}
	if err := h.checkRanges(); err != nil {
		return nil, err
	}
	return h, nil
}

// parseJSON reads the header object token by token, so that duplicate keys are caught.
func (h *SafetensorsHeader) parseJSON(js []byte) error {
	dec := json.NewDecoder(bytes.NewReader(js))
	if _, err := dec.Token(); err != nil { // the opening '{', checked above
		return fmt.Errorf("header is not JSON: %w", err)
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("header is not JSON: %w", err)
		}
		key, ok := tok.(string)
		if !ok {
			return fmt.Errorf("header is not a JSON object: unexpected %v", tok)
		}
		if seen[key] {
			return fmt.Errorf("tensor %q: duplicate key in header", key)
		}
		seen[key] = true
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return fmt.Errorf("header is not JSON (at key %q): %w", key, err)
		}
		if key == "__metadata__" {
			if err := strictUnmarshal(raw, &h.Metadata); err != nil {
				return fmt.Errorf("__metadata__ must map strings to strings: %w", err)
			}
			continue
		}
		info, err := parseTensorEntry(key, raw)
		if err != nil {
			return err
		}
		h.Tensors = append(h.Tensors, info)
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return fmt.Errorf("header is not JSON: %w", err)
	}
	rest := js[dec.InputOffset():]
	if len(bytes.Trim(rest, " \t\r\n")) != 0 {
		return fmt.Errorf("header has %d bytes of trailing garbage after the JSON object", len(rest))
	}
	return nil
}

func strictUnmarshal(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

func parseTensorEntry(key string, raw []byte) (TensorInfo, error) {
	var e stEntry
	if err := strictUnmarshal(raw, &e); err != nil {
		return TensorInfo{}, fmt.Errorf("tensor %q: bad header entry: %w", key, err)
	}
	switch {
	case e.DType == nil:
		return TensorInfo{}, fmt.Errorf("tensor %q: missing dtype", key)
	case e.Shape == nil:
		return TensorInfo{}, fmt.Errorf("tensor %q: missing shape", key)
	case len(e.DataOffsets) != 2:
		return TensorInfo{}, fmt.Errorf("tensor %q: data_offsets must be [begin,end], got %v", key, e.DataOffsets)
	}
	size, ok := dtypeSizes[*e.DType]
	if !ok {
		return TensorInfo{}, fmt.Errorf("tensor %q: unknown dtype %q", key, *e.DType)
	}
	info := TensorInfo{Name: key, DType: *e.DType, Shape: make([]int, len(e.Shape)),
		Begin: e.DataOffsets[0], End: e.DataOffsets[1]}
	for i, d := range e.Shape {
		if d < 0 || d > maxElements {
			return TensorInfo{}, fmt.Errorf("tensor %q: invalid dimension %d in shape %v", key, d, e.Shape)
		}
		info.Shape[i] = int(d)
	}
	numel, err := numElements(info.Shape)
	if err != nil {
		return TensorInfo{}, fmt.Errorf("tensor %q: %w", key, err)
	}
	if info.Begin < 0 || info.End < info.Begin {
		return TensorInfo{}, fmt.Errorf("tensor %q: invalid data_offsets [%d,%d]", key, info.Begin, info.End)
	}
	if want := numel * int64(size); info.End-info.Begin != want {
		return TensorInfo{}, fmt.Errorf("tensor %q: data_offsets [%d,%d] hold %d bytes but shape %v of %s needs %d",
			key, info.Begin, info.End, info.End-info.Begin, info.Shape, info.DType, want)
	}
	return info, nil
}

// checkRanges sorts the tensors by offsets and checks they tile the data section exactly.
func (h *SafetensorsHeader) checkRanges() error {
	sort.Slice(h.Tensors, func(i, j int) bool {
		a, b := h.Tensors[i], h.Tensors[j]
		if a.Begin != b.Begin {
			return a.Begin < b.Begin
		}
		if a.End != b.End {
			return a.End < b.End
		}
		return a.Name < b.Name
	})
	pos := int64(0)
	prev := ""
	for _, t := range h.Tensors {
		switch {
		case t.End > h.DataLen:
			return fmt.Errorf("tensor %q: data_offsets [%d,%d] exceed data section of %d bytes", t.Name, t.Begin, t.End, h.DataLen)
		case t.Begin < pos:
			return fmt.Errorf("tensor %q: data_offsets [%d,%d] overlap tensor %q ending at %d", t.Name, t.Begin, t.End, prev, pos)
		case t.Begin > pos:
			return fmt.Errorf("tensor %q: data_offsets [%d,%d] leave a hole of %d unindexed bytes [%d,%d) in the data section",
				t.Name, t.Begin, t.End, t.Begin-pos, pos, t.Begin)
		}
		pos, prev = t.End, t.Name
	}
	if pos != h.DataLen {
		return fmt.Errorf("data section of %d bytes has %d unindexed trailing bytes [%d,%d)", h.DataLen, h.DataLen-pos, pos, h.DataLen)
	}
	return nil
}

// ReadSafetensors reads every tensor of a safetensors file, converting floating dtypes to float32, and returns
// them by name with the header's metadata. The file is memory-mapped (read into memory where mmap fails);
// the tensors are copies, the mapping is released before returning. As with any mmap, a file truncated by
// another process while it is being read makes the process fail (SIGBUS); files are not expected to change
// under a reader.
func ReadSafetensors(path string) (map[string]*Tensor, map[string]string, error) {
	data, release, err := mapFile(path)
	if err != nil {
		return nil, nil, err
	}
	defer release()
	h, err := ParseSafetensorsHeader(data)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	tensors := make(map[string]*Tensor, len(h.Tensors))
	for _, info := range h.Tensors {
		raw := data[h.DataStart+info.Begin : h.DataStart+info.End]
		t, err := newTensor(info.Name, info.DType, info.Shape, raw, false)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: tensor %q: %w", path, info.Name, err)
		}
		tensors[info.Name] = t
	}
	return tensors, h.Metadata, nil
}

// mapFile maps path read-only into memory, or reads it when mapping is not possible (e.g. an empty file).
// The returned release function must be called once the bytes are no longer used.
func mapFile(path string) ([]byte, func(), error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	if !st.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("%s: not a regular file", path)
	}
	size := st.Size()
	if size > 0 && size <= math.MaxInt {
		if data, err := unix.Mmap(int(f.Fd()), 0, int(size), unix.PROT_READ, unix.MAP_SHARED); err == nil {
			return data, func() { _ = unix.Munmap(data) }, nil
		}
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return data, func() {}, nil
}
