package checkpoints

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"testing"
)

// --- a minimal torch.save writer for tests ---

// torchTestEntry describes one tensor of a synthetic torch checkpoint.
type torchTestEntry struct {
	name, storage, key string // storage: "FloatStorage", "HalfStorage", ...
	numel, offset      int
	size, stride       []int
	param              bool // wrap in torch._utils._rebuild_parameter
}

type pickleWriter struct{ bytes.Buffer }

func (p *pickleWriter) global(module, name string) { p.WriteString("c" + module + "\n" + name + "\n") }
func (p *pickleWriter) str(s string) {
	p.WriteByte('X')
	binary.Write(&p.Buffer, binary.LittleEndian, uint32(len(s)))
	p.WriteString(s)
}
func (p *pickleWriter) int(i int) {
	p.WriteByte('J')
	binary.Write(&p.Buffer, binary.LittleEndian, int32(i))
}
func (p *pickleWriter) ints(v []int) {
	p.WriteByte('(')
	for _, i := range v {
		p.int(i)
	}
	p.WriteByte('t')
}
func (p *pickleWriter) orderedDict() { p.global("collections", "OrderedDict"); p.WriteString(")R") }

// torchTestPickle writes the data.pkl of a state dict the way torch.save does (protocol 2).
func torchTestPickle(entries []torchTestEntry) []byte {
	var p pickleWriter
	p.WriteString("\x80\x02")
	p.orderedDict()
	for _, e := range entries {
		p.str(e.name)
		if e.param {
			p.global("torch._utils", "_rebuild_parameter")
			p.WriteByte('(')
		}
		p.global("torch._utils", "_rebuild_tensor_v2")
		p.WriteString("((")
		p.str("storage")
		p.global("torch", e.storage)
		p.str(e.key)
		p.str("cpu")
		p.int(e.numel)
		p.WriteString("tQ")
		p.int(e.offset)
		p.ints(e.size)
		p.ints(e.stride)
		p.WriteByte(0x89)
		p.orderedDict()
		p.WriteString("tR")
		if e.param {
			p.WriteByte(0x88)
			p.orderedDict()
			p.WriteString("tR")
		}
		p.WriteByte('s')
	}
	p.WriteString("}b.") // BUILD with an (empty) _metadata state, as torch does
	return p.Bytes()
}

// torchTestZip writes a zip archive with stored (uncompressed) entries, in the given order.
func torchTestZip(t testing.TB, names []string, files map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: n, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(files[n])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// torchTestCheckpoint builds a complete torch zip from entries and storage bytes (by key).
func torchTestCheckpoint(t testing.TB, entries []torchTestEntry, storages map[string][]byte, extra map[string][]byte) []byte {
	files := map[string][]byte{"archive/data.pkl": torchTestPickle(entries), "archive/version": []byte("3\n")}
	names := []string{"archive/data.pkl"}
	for k, v := range storages {
		files["archive/data/"+k] = v
		names = append(names, "archive/data/"+k)
	}
	for k, v := range extra {
		files[k] = v
		names = append(names, k)
	}
	names = append(names, "archive/version")
	return torchTestZip(t, names, files)
}
