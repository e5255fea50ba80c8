package checkpoints

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// stFile builds a safetensors file from a JSON header and a data section.
func stFile(header string, data []byte) []byte {
	b := make([]byte, 8, 8+len(header)+len(data))
	binary.LittleEndian.PutUint64(b, uint64(len(header)))
	return append(append(b, header...), data...)
}

func writeTemp(t testing.TB, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReadSafetensorsFixture(t *testing.T) {
	tensors, meta, err := ReadSafetensors(fixtures + "/tiny-v3/mlm/model.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	if len(tensors) != 43 || meta["format"] != "pt" {
		t.Fatalf("got %d tensors, metadata %v", len(tensors), meta)
	}
	w := tensors["deberta.embeddings.word_embeddings.weight"]
	if w == nil || w.DType != "F32" || !reflect.DeepEqual(w.Shape, []int{128, 32}) || len(w.Data) != 128*32 {
		t.Fatalf("word embeddings: %v", w)
	}
	for name, tn := range tensors {
		if tn.Name != name || len(tn.Data) != tn.NumElements() || tn.Int64 != nil {
			t.Errorf("%s: inconsistent tensor %v", name, tn)
		}
	}
}

func TestReadSafetensorsSmall(t *testing.T) {
	// Two tensors listed out of offset order, an F16 scalar, an I64 vector, an empty tensor, padding.
	h := `{"b":{"dtype":"F16","shape":[],"data_offsets":[8,10]},"__metadata__":{"k":"v"},` +
		`"a":{"dtype":"I64","shape":[1],"data_offsets":[0,8]},"e":{"dtype":"F32","shape":[0,3],"data_offsets":[10,10]}}  `
	data := []byte{0xfb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x3c}
	p := writeTemp(t, "small.safetensors", stFile(h, data))
	tensors, meta, err := ReadSafetensors(p)
	if err != nil {
		t.Fatal(err)
	}
	if meta["k"] != "v" || len(tensors) != 3 {
		t.Fatalf("meta %v tensors %v", meta, tensors)
	}
	if a := tensors["a"]; a.Int64[0] != -5 || a.Data != nil {
		t.Errorf("a = %+v", a)
	}
	if b := tensors["b"]; b.Data[0] != 1 || len(b.Shape) != 0 || b.DType != "F16" {
		t.Errorf("b = %+v", b)
	}
	if e := tensors["e"]; len(e.Data) != 0 || !reflect.DeepEqual(e.Shape, []int{0, 3}) {
		t.Errorf("e = %+v", e)
	}
}

func TestReadSafetensorsBadInput(t *testing.T) {
	f32 := func(name string, begin, end int, shape string) string {
		return `"` + name + `":{"dtype":"F32","shape":` + shape + `,"data_offsets":[` + strconv.Itoa(begin) + `,` + strconv.Itoa(end) + `]}`
	}
	huge := make([]byte, 8)
	binary.LittleEndian.PutUint64(huge, 200_000_000)
	for _, c := range []struct {
		name string
		file []byte
		want string
	}{
		{"empty file", nil, "file of 0 bytes is too short"},
		{"truncated length", []byte{1, 2, 3}, "file of 3 bytes is too short"},
		{"header beyond file", stFile(`{}`, nil)[:9], "header length 2 exceeds the 1 bytes after the length prefix"},
		{"header too large", append(huge, '{'), "header length 200000000 exceeds the limit of 100000000"},
		{"header not JSON", stFile(`{"a":`, nil), "header is not JSON"},
		{"header not an object", stFile(`[1,2]`, nil), "header does not start with '{'"},
		{"trailing garbage", stFile(`{} x`, nil), "trailing garbage"},
		{"invalid UTF-8", stFile("{\"\xff\":1}", nil), "not valid UTF-8"},
		{"overlap", stFile(`{`+f32("a", 0, 8, "[2]")+`,`+f32("b", 4, 12, "[2]")+`}`, make([]byte, 12)),
			`tensor "b": data_offsets [4,12] overlap tensor "a" ending at 8`},
		{"out of range", stFile(`{`+f32("encoder.x.weight", 100, 200, "[25]")+`}`, make([]byte, 150)),
			`tensor "encoder.x.weight": data_offsets [100,200] exceed data section of 150 bytes`},
		{"hole", stFile(`{`+f32("a", 0, 4, "[1]")+`,`+f32("b", 8, 12, "[1]")+`}`, make([]byte, 12)),
			`tensor "b": data_offsets [8,12] leave a hole of 4 unindexed bytes [4,8)`},
		{"hole at start", stFile(`{`+f32("a", 4, 8, "[1]")+`}`, make([]byte, 8)), "leave a hole of 4 unindexed bytes [0,4)"},
		{"trailing data", stFile(`{`+f32("a", 0, 4, "[1]")+`}`, make([]byte, 6)), "data section of 6 bytes has 2 unindexed trailing bytes [4,6)"},
		{"unknown dtype", stFile(`{"a":{"dtype":"F12","shape":[1],"data_offsets":[0,4]}}`, make([]byte, 4)), `tensor "a": unknown dtype "F12"`},
		{"length mismatch", stFile(`{`+f32("a", 0, 12, "[2,2]")+`}`, make([]byte, 12)),
			`tensor "a": data_offsets [0,12] hold 12 bytes but shape [2 2] of F32 needs 16`},
		{"negative dim", stFile(`{`+f32("a", 0, 4, "[-1]")+`}`, make([]byte, 4)), `tensor "a": invalid dimension -1`},
		{"end before begin", stFile(`{`+f32("a", 4, 0, "[1]")+`}`, make([]byte, 4)), `tensor "a": invalid data_offsets [4,0]`},
		{"three offsets", stFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}`, make([]byte, 4)), "data_offsets must be [begin,end]"},
		{"missing dtype", stFile(`{"a":{"shape":[1],"data_offsets":[0,4]}}`, make([]byte, 4)), `tensor "a": missing dtype`},
		{"missing shape", stFile(`{"a":{"dtype":"F32","data_offsets":[0,4]}}`, make([]byte, 4)), `tensor "a": missing shape`},
		{"unknown field", stFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":1}}`, make([]byte, 4)), `unknown field "x"`},
		{"fractional dim", stFile(`{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}`, make([]byte, 4)), `tensor "a": bad header entry`},
		{"duplicate key", stFile(`{`+f32("a", 0, 4, "[1]")+`,`+f32("a", 0, 4, "[1]")+`}`, make([]byte, 4)), `tensor "a": duplicate key`},
		{"metadata not strings", stFile(`{"__metadata__":{"n":1}}`, nil), "__metadata__ must map strings to strings"},
		{"overflowing shape", stFile(`{`+f32("a", 0, 4, "[1125899906842624,1125899906842624]")+`}`, make([]byte, 4)), "too many elements"},
		{"BOOL value", stFile(`{"a":{"dtype":"BOOL","shape":[1],"data_offsets":[0,1]}}`, []byte{7}), `tensor "a": element 0: BOOL byte 7`},
	} {
		p := writeTemp(t, "model.safetensors", c.file)
		_, _, err := ReadSafetensors(p)
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), p+": ") {
			t.Errorf("%s: error %q, want %q prefixed by the path", c.name, err, c.want)
		}
	}
	if _, _, err := ReadSafetensors(filepath.Join(t.TempDir(), "nope.safetensors")); err == nil || !strings.Contains(err.Error(), "nope.safetensors") {
		t.Errorf("missing file: %v", err)
	}
	if _, _, err := ReadSafetensors(t.TempDir()); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("directory: %v", err)
	}
}

func TestParseSafetensorsHeaderInfo(t *testing.T) {
	b, err := os.ReadFile(fixtures + "/official-tiny/generator/model.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	h, err := ParseSafetensorsHeader(b)
	if err != nil {
		t.Fatal(err)
	}
	if h.DataStart != 8+h.HeaderLen || h.DataStart+h.DataLen != int64(len(b)) || h.HeaderLen%8 != 0 {
		t.Errorf("header %d, data start %d len %d, file %d", h.HeaderLen, h.DataStart, h.DataLen, len(b))
	}
	for i := 1; i < len(h.Tensors); i++ {
		if h.Tensors[i].Begin != h.Tensors[i-1].End {
			t.Fatalf("tensors not sorted by offsets at %d", i)
		}
	}
}

func FuzzSafetensorsHeader(f *testing.F) {
	// Seeds stay small (large inputs make the fuzzer spend its time minimising): three small fixture tensors
	// rewritten with their metadata, the same header without its data section, and synthetic files.
	all, meta, err := ReadSafetensors(fixtures + "/tiny-v3/mlm/model.safetensors")
	if err != nil {
		f.Fatal(err)
	}
	p := filepath.Join(f.TempDir(), "seed.safetensors")
	err = WriteSafetensors(p, []*Tensor{all["cls.predictions.transform.LayerNorm.bias"],
		all["deberta.embeddings.LayerNorm.weight"], all["deberta.encoder.layer.0.attention.self.query_proj.bias"]}, meta, "F32")
	if err != nil {
		f.Fatal(err)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add(b[:8+binary.LittleEndian.Uint64(b)])
	f.Add(stFile(`{"__metadata__":{"format":"pt"},"a":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},`+
		`"b":{"dtype":"I32","shape":[1,1],"data_offsets":[4,8]}}`, []byte{0, 0x3c, 0, 0xc0, 1, 0, 0, 0}))
	f.Add(stFile(`{"x":{"dtype":"BF16","shape":[],"data_offsets":[0,2]}}`, []byte{0x80, 0x3f}))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := ParseSafetensorsHeader(b)
		if err != nil {
			return
		}
		end := int64(0)
		for _, info := range h.Tensors {
			if info.Begin != end || h.DataStart+info.End > int64(len(b)) {
				t.Fatalf("tensor %q: range [%d,%d] accepted", info.Name, info.Begin, info.End)
			}
			end = info.End
			tn, err := newTensor(info.Name, info.DType, info.Shape, b[h.DataStart+info.Begin:h.DataStart+info.End], false)
			if err == nil && len(tn.Data)+len(tn.Int64) != tn.NumElements() {
				t.Fatalf("tensor %q: %d values for shape %v", info.Name, len(tn.Data)+len(tn.Int64), tn.Shape)
			}
		}
		if end != h.DataLen {
			t.Fatalf("data section of %d bytes, tensors end at %d", h.DataLen, end)
		}
	})
}
