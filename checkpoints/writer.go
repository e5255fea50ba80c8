package checkpoints

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
)

// CheckSaveDType returns an error unless dtype is one WriteSafetensors and Save store: F32, F16 or BF16.
func CheckSaveDType(dtype string) error {
	if dtype != "F32" && dtype != "F16" && dtype != "BF16" {
		return fmt.Errorf("cannot write dtype %q: use F32, F16 or BF16", dtype)
	}
	return nil
}

// WriteSafetensors writes tensors to path in the safetensors format. Floating tensors are stored as dtype
// ("F32", "F16" or "BF16"; conversions round to nearest even), integer tensors (Int64) as I64. The output
// is deterministic: header keys sorted ("__metadata__" first, omitted when metadata is empty), data laid out
// by decreasing element size then name (as the reference implementation does, so every tensor stays
// aligned), the header padded with spaces to a multiple of 8 bytes. The file is written to a temporary file
// in the same folder and renamed into place, so readers never see a partial file.
func WriteSafetensors(path string, tensors []*Tensor, metadata map[string]string, dtype string) error {
	if err := CheckSaveDType(dtype); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	plan, err := planSafetensors(tensors, dtype)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	header, err := safetensorsHeaderJSON(plan, metadata)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return writeAtomically(path, func(w *bufio.Writer) error {
		var n [8]byte
		binary.LittleEndian.PutUint64(n[:], uint64(len(header)))
		if _, err := w.Write(n[:]); err != nil {
			return err
		}
		if _, err := w.Write(header); err != nil {
			return err
		}
		for _, p := range plan {
			if err := writeTensorData(w, p.t, p.dtype); err != nil {
				return err
			}
		}
		return nil
	})
}

type plannedTensor struct {
	t          *Tensor
	dtype      string
	begin, end int64
}

// planSafetensors validates the tensors and assigns their dtypes and data offsets.
func planSafetensors(tensors []*Tensor, dtype string) ([]plannedTensor, error) {
	plan := make([]plannedTensor, 0, len(tensors))
	seen := map[string]bool{}
	for _, t := range tensors {
		if t == nil {
			return nil, fmt.Errorf("nil tensor in the list")
		}
		if t.Name == "" || t.Name == "__metadata__" {
			return nil, fmt.Errorf("invalid tensor name %q", t.Name)
		}
		if seen[t.Name] {
			return nil, fmt.Errorf("tensor %q: duplicate name", t.Name)
		}
		seen[t.Name] = true
		n, err := numElements(t.Shape)
		if err != nil {
			return nil, fmt.Errorf("tensor %q: %w", t.Name, err)
		}
		p := plannedTensor{t: t, dtype: dtype}
		switch {
		case t.Data != nil && t.Int64 != nil:
			return nil, fmt.Errorf("tensor %q: both Data and Int64 are set", t.Name)
		case t.Int64 != nil:
			p.dtype = "I64"
			if int64(len(t.Int64)) != n {
				return nil, fmt.Errorf("tensor %q: %d Int64 values for shape %v (%d elements)", t.Name, len(t.Int64), t.Shape, n)
			}
		case int64(len(t.Data)) != n:
			return nil, fmt.Errorf("tensor %q: %d values for shape %v (%d elements)", t.Name, len(t.Data), t.Shape, n)
		}
		plan = append(plan, p)
	}
	sort.Slice(plan, func(i, j int) bool {
		si, sj := dtypeSizes[plan[i].dtype], dtypeSizes[plan[j].dtype]
		if si != sj {
			return si > sj
		}
		return plan[i].t.Name < plan[j].t.Name
	})
	pos := int64(0)
	for i := range plan {
		n, _ := numElements(plan[i].t.Shape)
		plan[i].begin = pos
		pos += n * int64(dtypeSizes[plan[i].dtype])
		plan[i].end = pos
	}
	return plan, nil
}

// safetensorsHeaderJSON builds the header with sorted keys, padded with spaces to a multiple of 8 bytes.
func safetensorsHeaderJSON(plan []plannedTensor, metadata map[string]string) ([]byte, error) {
	byName := make([]plannedTensor, len(plan))
	copy(byName, plan)
	sort.Slice(byName, func(i, j int) bool { return byName[i].t.Name < byName[j].t.Name })
	var buf bytes.Buffer
	buf.WriteByte('{')
	if len(metadata) > 0 {
		m, err := json.Marshal(metadata) // encoding/json sorts map keys
		if err != nil {
			return nil, err
		}
		buf.WriteString(`"__metadata__":`)
		buf.Write(m)
	}
	for i, p := range byName {
		if i > 0 || len(metadata) > 0 {
			buf.WriteByte(',')
		}
		name, err := json.Marshal(p.t.Name)
		if err != nil {
			return nil, err
		}
		shape := p.t.Shape
		if shape == nil {
			shape = []int{}
		}
		s, err := json.Marshal(shape)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(&buf, `%s:{"dtype":"%s","shape":%s,"data_offsets":[%d,%d]}`, name, p.dtype, s, p.begin, p.end)
	}
	buf.WriteByte('}')
	for buf.Len()%8 != 0 {
		buf.WriteByte(' ')
	}
	if buf.Len() > MaxSafetensorsHeader {
		return nil, fmt.Errorf("header of %d bytes exceeds the limit of %d", buf.Len(), MaxSafetensorsHeader)
	}
	return buf.Bytes(), nil
}

// writeTensorData writes the elements of t in dtype, little-endian.
func writeTensorData(w *bufio.Writer, t *Tensor, dtype string) error {
	var b [8]byte
	if dtype == "I64" {
		for _, v := range t.Int64 {
			binary.LittleEndian.PutUint64(b[:], uint64(v))
			if _, err := w.Write(b[:8]); err != nil {
				return err
			}
		}
		return nil
	}
	for _, v := range t.Data {
		var err error
		switch dtype {
		case "F32":
			binary.LittleEndian.PutUint32(b[:], math.Float32bits(v))
			_, err = w.Write(b[:4])
		case "F16":
			binary.LittleEndian.PutUint16(b[:], Float32ToFloat16(v))
			_, err = w.Write(b[:2])
		case "BF16":
			binary.LittleEndian.PutUint16(b[:], Float32ToBFloat16(v))
			_, err = w.Write(b[:2])
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// writeAtomically writes through fill into a temporary file next to path, syncs it, and renames it to path.
func writeAtomically(path string, fill func(w *bufio.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	w := bufio.NewWriterSize(f, 1<<20)
	if err = fill(w); err != nil {
		return fmt.Errorf("%s: writing %s: %w", path, tmp, err)
	}
	if err = w.Flush(); err != nil {
		return fmt.Errorf("%s: writing %s: %w", path, tmp, err)
	}
	if err = f.Chmod(0o644); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
