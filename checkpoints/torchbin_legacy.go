package checkpoints

import (
	"encoding/binary"
	"fmt"
	"io"

	"github.com/deberta-go/lab/checkpoints/torchpickle"
)

// readTorchLegacy reads a legacy torch.save stream (torch < 1.6, or _use_new_zipfile_serialization=False):
// its pickles by the restricted unpickler, then each storage record (an 8-byte little-endian element count,
// checked against the pickle's, and the little-endian elements). Every byte is accounted for: a short file
// or trailing bytes are errors.
func readTorchLegacy(r io.ReaderAt, size int64) (map[string]*Tensor, error) {
	data := make([]byte, size)
	if _, err := r.ReadAt(data, 0); err != nil && err != io.EOF {
		return nil, err
	}
	l, err := torchpickle.ParseLegacy(data)
	if err != nil {
		return nil, err
	}
	raws := map[string][]byte{}
	off := l.DataOffset
	for _, s := range l.Storages {
		if size-off < 8 {
			return nil, fmt.Errorf("storage %q: the file ends at byte %d, before its record (truncated file?)", s.Key, size)
		}
		if n := int64(binary.LittleEndian.Uint64(data[off:])); n != s.Numel {
			return nil, fmt.Errorf("storage %q: record of %d elements at byte %d, the pickle says %d", s.Key, n, off, s.Numel)
		}
		nbytes := s.Numel * int64(dtypeSizes[s.DType])
		if size-off-8 < nbytes {
			return nil, fmt.Errorf("storage %q: %d bytes at byte %d run past the end of the file (%d bytes; truncated file?)",
				s.Key, nbytes, off+8, size)
		}
		raws[s.Key] = data[off+8 : off+8+nbytes]
		off += 8 + nbytes
	}
	if off != size {
		return nil, fmt.Errorf("%d trailing bytes after the last storage (byte %d)", size-off, off)
	}
	tensors := make(map[string]*Tensor, len(l.Entries))
	for _, e := range l.Entries {
		t, err := materialize(e.Name, e.Ref, raws[e.Ref.Storage.Key], false)
		if err != nil {
			return nil, fmt.Errorf("tensor %q: %w", e.Name, err)
		}
		tensors[e.Name] = t
	}
	return tensors, nil
}
