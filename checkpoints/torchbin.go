package checkpoints

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/deberta-go/lab/checkpoints/torchpickle"
)

// ReadTorchBin reads a PyTorch state dict written by torch.save in the zip format (torch ≥ 1.6), such as
// `pytorch_model.bin`, without executing any code: `<archive>/data.pkl` is run by a restricted unpickler that
// only accepts collections.OrderedDict, torch._utils._rebuild_tensor{,_v2}, torch._utils._rebuild_parameter*
// and the torch.<Type>Storage classes. Storage offsets and strides are honoured (non-contiguous views are
// materialised in row-major order), tied tensors sharing a storage are each returned, an optional
// `<archive>/byteorder` of "big" is honoured. Floating tensors become float32 (Tensor.Data), integer ones
// int64 (Tensor.Int64). The legacy pre-1.6 (non-zip) stream is read by the same restricted unpickler
// (readTorchLegacy); the older tar-based format is refused.
func ReadTorchBin(path string) (map[string]*Tensor, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	legacy, err := checkTorchMagic(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if legacy {
		tensors, err := readTorchLegacy(f, st.Size())
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return tensors, nil
	}
	zr, err := zip.NewReader(f, st.Size())
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) { // nothing is extracted: odd names are harmless
		return nil, fmt.Errorf("%s: not a valid zip archive (truncated or corrupt file?): %w", path, err)
	}
	tensors, err := readTorchZip(zr, st.Size())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return tensors, nil
}

// checkTorchMagic tells zip archives (false) from the legacy pickle stream (true), and refuses the
// tar-based format and other files.
func checkTorchMagic(r io.ReaderAt) (legacy bool, err error) {
	var head [512]byte
	n, err := r.ReadAt(head[:], 0)
	if err != nil && err != io.EOF {
		return false, err
	}
	b := head[:n]
	switch {
	case bytes.HasPrefix(b, []byte("PK")):
		return false, nil
	case n == 0:
		return false, errors.New("empty file")
	case torchpickle.IsLegacy(b):
		return true, nil
	case n > 262 && string(b[257:262]) == "ustar":
		return false, errors.New("legacy tar-based PyTorch format (torch < 0.4) is not supported: re-save it with torch ≥ 1.6 or convert it to safetensors")
	}
	return false, fmt.Errorf("not a PyTorch checkpoint: neither a zip archive nor a legacy torch.save stream (starts with % x)", b[:min(n, 4)])
}

// torchArchive indexes the entries of one torch.save zip archive.
type torchArchive struct {
	prefix string // "<archive>/"
	files  map[string]*zip.File
	size   int64 // size of the zip file, bounds entry sizes
}

func readTorchZip(zr *zip.Reader, size int64) (map[string]*Tensor, error) {
	arc := &torchArchive{files: map[string]*zip.File{}, size: size}
	var pkls []string
	for _, f := range zr.File {
		arc.files[f.Name] = f
		if dir, ok := strings.CutSuffix(f.Name, "/data.pkl"); ok && dir != "" && !strings.Contains(dir, "/") {
			pkls = append(pkls, f.Name)
		}
	}
	switch len(pkls) {
	case 0:
		return nil, errors.New("no <archive>/data.pkl entry: not a torch.save zip archive")
	case 1:
	default:
		return nil, fmt.Errorf("several data.pkl entries: %s", strings.Join(pkls, ", "))
	}
	arc.prefix = strings.TrimSuffix(pkls[0], "data.pkl")
	pkl, err := arc.read(pkls[0], -1)
	if err != nil {
		return nil, err
	}
	entries, err := torchpickle.ParseStateDict(pkl)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", pkls[0], err)
	}
	bigEndian, err := arc.bigEndian()
	if err != nil {
		return nil, err
	}
	// Storage bytes are read once and dropped after their last tensor (tied weights share a storage).
	uses := map[string]int{}
	for _, e := range entries {
		uses[e.Ref.Storage.Key]++
	}
	raws := map[string][]byte{}
	tensors := make(map[string]*Tensor, len(entries))
	for _, e := range entries {
		s := e.Ref.Storage
		raw, ok := raws[s.Key]
		if !ok {
			name := arc.prefix + "data/" + s.Key
			if raw, err = arc.read(name, s.Numel*int64(dtypeSizes[s.DType])); err != nil {
				return nil, fmt.Errorf("tensor %q: storage %q: %w", e.Name, s.Key, err)
			}
			raws[s.Key] = raw
		}
		t, err := materialize(e.Name, e.Ref, raw, bigEndian)
		if err != nil {
			return nil, fmt.Errorf("tensor %q: %w", e.Name, err)
		}
		tensors[e.Name] = t
		if uses[s.Key]--; uses[s.Key] == 0 {
			delete(raws, s.Key)
		}
	}
	return tensors, nil
}

// bigEndian reads the optional `<archive>/byteorder` entry ("little" or "big"; absent means little).
func (a *torchArchive) bigEndian() (bool, error) {
	name := a.prefix + "byteorder"
	if _, ok := a.files[name]; !ok {
		return false, nil
	}
	b, err := a.read(name, -1)
	if err != nil {
		return false, err
	}
	switch s := strings.TrimSpace(string(b)); s {
	case "little":
		return false, nil
	case "big":
		return true, nil
	default:
		return false, fmt.Errorf("%s: unknown byte order %q", name, s)
	}
}

// read returns the contents of entry name; want ≥ 0 is the required size. Sizes are checked against the
// archive before anything is allocated, and the entry's CRC is verified.
func (a *torchArchive) read(name string, want int64) ([]byte, error) {
	f, ok := a.files[name]
	if !ok {
		return nil, fmt.Errorf("missing zip entry %s", name)
	}
	n := f.UncompressedSize64
	if want >= 0 && n != uint64(want) {
		return nil, fmt.Errorf("zip entry %s has %d bytes, want %d", name, n, want)
	}
	// Stored entries cannot be larger than the archive; deflate cannot compress more than ~1032:1.
	if (f.Method == zip.Store && n > uint64(a.size)) || n > 1100*uint64(a.size)+1<<20 {
		return nil, fmt.Errorf("zip entry %s claims %d bytes, impossible in an archive of %d bytes", name, n, a.size)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("zip entry %s: %w", name, err)
	}
	defer rc.Close()
	buf := make([]byte, n)
	if _, err := io.ReadFull(rc, buf); err != nil {
		return nil, fmt.Errorf("zip entry %s: %w (truncated file?)", name, err)
	}
	var extra [1]byte
	if k, err := rc.Read(extra[:]); k != 0 || err != io.EOF { // EOF also verifies the CRC-32
		if err == nil || err == io.EOF {
			err = errors.New("more data than its declared size")
		}
		return nil, fmt.Errorf("zip entry %s: %w", name, err)
	}
	return buf, nil
}

// materialize copies the view of ref out of its storage bytes, in row-major order.
func materialize(name string, ref *torchpickle.TensorRef, raw []byte, bigEndian bool) (*Tensor, error) {
	es := int64(dtypeSizes[ref.Storage.DType])
	n, err := numElements(ref.Size)
	if err != nil {
		return nil, err
	}
	if err := ref.Check(); err != nil { // also checked while unpickling; raw has numel·es bytes
		return nil, err
	}
	var elems []byte
	switch {
	case n == 0:
		elems = nil
	case ref.Contiguous():
		elems = raw[ref.Offset*es : (ref.Offset+n)*es]
	default:
		elems = make([]byte, n*es)
		idx := make([]int, len(ref.Size))
		src := ref.Offset
		for i := int64(0); i < n; i++ {
			copy(elems[i*es:(i+1)*es], raw[src*es:(src+1)*es])
			for d := len(idx) - 1; d >= 0; d-- {
				idx[d]++
				src += ref.Stride[d]
				if idx[d] < ref.Size[d] {
					break
				}
				src -= ref.Stride[d] * int64(ref.Size[d])
				idx[d] = 0
			}
		}
	}
	return newTensor(name, ref.Storage.DType, ref.Size, elems, bigEndian)
}
