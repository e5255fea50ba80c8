package checkpoints

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"io"
	"math"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/deberta-go/lab/checkpoints/torchpickle"
)

// TestReadTorchBinMatchesSafetensors loads each fixture .bin and its model.safetensors: common keys must be
// bit-exact; the .bin keeps tied duplicates that safetensors drops, which must equal the tensors they are
// tied to.
func TestReadTorchBinMatchesSafetensors(t *testing.T) {
	for _, c := range []struct {
		dir, bin string
		extra    map[string]string // .bin-only key → the key it is tied to
	}{
		{fixtures + "/tiny-v3/mlm", "pytorch_model.bin", map[string]string{
			"cls.predictions.decoder.weight": "deberta.embeddings.word_embeddings.weight",
			"cls.predictions.decoder.bias":   "cls.predictions.bias"}},
		{fixtures + "/tiny-v2-style/cls", "pytorch_model.bin", nil},
		{fixtures + "/official-tiny/discriminator", "pytorch_model.bin", nil},
		{fixtures + "/official-tiny/generator", "pytorch_model.generator.bin", nil},
	} {
		bin, err := ReadTorchBin(c.dir + "/" + c.bin)
		if err != nil {
			t.Fatal(err)
		}
		st, _, err := ReadSafetensors(c.dir + "/model.safetensors")
		if err != nil {
			t.Fatal(err)
		}
		var extra []string
		for name, b := range bin {
			s, ok := st[name]
			if !ok {
				extra = append(extra, name)
				s = st[c.extra[name]]
			}
			if s == nil {
				t.Errorf("%s: %s only in the .bin and not a known tied duplicate", c.dir, name)
				continue
			}
			if b.Name != name || b.DType != s.DType || !reflect.DeepEqual(b.Shape, s.Shape) || !sameBits(b.Data, s.Data) {
				t.Errorf("%s: %s differs: %v vs %v", c.dir, name, b, s)
			}
		}
		for name := range st {
			if bin[name] == nil {
				t.Errorf("%s: %s only in model.safetensors", c.dir, name)
			}
		}
		sort.Strings(extra)
		t.Logf("%s/%s: %d tensors, %d common with model.safetensors, .bin-only: %v", c.dir, c.bin, len(bin), len(st), extra)
		if len(extra) != len(c.extra) {
			t.Errorf("%s: .bin-only keys %v, want those of %v", c.dir, extra, c.extra)
		}
	}
}

func sameBits(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

func leBytes(vs ...any) []byte {
	var buf bytes.Buffer
	for _, v := range vs {
		binary.Write(&buf, binary.LittleEndian, v)
	}
	return buf.Bytes()
}

func TestReadTorchBinSynthetic(t *testing.T) {
	f32 := leBytes(float32(0), float32(1), float32(2), float32(3), float32(4), float32(5))
	entries := []torchTestEntry{
		{name: "full", storage: "FloatStorage", key: "0", numel: 6, size: []int{2, 3}, stride: []int{3, 1}},
		{name: "transposed", storage: "FloatStorage", key: "0", numel: 6, size: []int{3, 2}, stride: []int{1, 3}},
		{name: "row1", storage: "FloatStorage", key: "0", numel: 6, offset: 3, size: []int{3}, stride: []int{1}, param: true},
		{name: "column2", storage: "FloatStorage", key: "0", numel: 6, offset: 2, size: []int{2, 1}, stride: []int{3, 7}},
		{name: "expanded", storage: "FloatStorage", key: "0", numel: 6, offset: 5, size: []int{2, 2}, stride: []int{0, 0}},
		{name: "scalar", storage: "FloatStorage", key: "0", numel: 6, offset: 4, size: []int{}, stride: []int{}},
		{name: "empty", storage: "FloatStorage", key: "0", numel: 6, size: []int{0, 3}, stride: []int{3, 1}},
		{name: "half", storage: "HalfStorage", key: "1", numel: 3, size: []int{3}, stride: []int{1}},
		{name: "bf16", storage: "BFloat16Storage", key: "2", numel: 2, size: []int{2}, stride: []int{1}},
		{name: "f64", storage: "DoubleStorage", key: "3", numel: 1, size: []int{1}, stride: []int{1}},
		{name: "embeddings.position_ids", storage: "LongStorage", key: "4", numel: 4, size: []int{1, 4}, stride: []int{4, 1}},
		{name: "i32", storage: "IntStorage", key: "5", numel: 2, size: []int{2}, stride: []int{1}},
		{name: "mask", storage: "BoolStorage", key: "6", numel: 2, size: []int{2}, stride: []int{1}},
	}
	storages := map[string][]byte{
		"0": f32,
		"1": leBytes(uint16(0x3c00), uint16(0x0001), uint16(0xfc00)), // 1, 2^-24, -Inf
		"2": leBytes(uint16(0x4049), uint16(0xbf80)),                 // 3.140625, -1
		"3": leBytes(0.1),
		"4": leBytes(int64(0), int64(1), int64(2), int64(3)),
		"5": leBytes(int32(-7), int32(8)),
		"6": {1, 0},
	}
	want := map[string]*Tensor{
		"full":                    {DType: "F32", Shape: []int{2, 3}, Data: []float32{0, 1, 2, 3, 4, 5}},
		"transposed":              {DType: "F32", Shape: []int{3, 2}, Data: []float32{0, 3, 1, 4, 2, 5}},
		"row1":                    {DType: "F32", Shape: []int{3}, Data: []float32{3, 4, 5}},
		"column2":                 {DType: "F32", Shape: []int{2, 1}, Data: []float32{2, 5}},
		"expanded":                {DType: "F32", Shape: []int{2, 2}, Data: []float32{5, 5, 5, 5}},
		"scalar":                  {DType: "F32", Shape: []int{}, Data: []float32{4}},
		"empty":                   {DType: "F32", Shape: []int{0, 3}, Data: []float32{}},
		"half":                    {DType: "F16", Shape: []int{3}, Data: []float32{1, 0x1p-24, float32(math.Inf(-1))}},
		"bf16":                    {DType: "BF16", Shape: []int{2}, Data: []float32{3.140625, -1}},
		"f64":                     {DType: "F64", Shape: []int{1}, Data: []float32{0.1}},
		"embeddings.position_ids": {DType: "I64", Shape: []int{1, 4}, Int64: []int64{0, 1, 2, 3}},
		"i32":                     {DType: "I32", Shape: []int{2}, Int64: []int64{-7, 8}},
		"mask":                    {DType: "BOOL", Shape: []int{2}, Int64: []int64{1, 0}},
	}
	check := func(what string, got map[string]*Tensor) {
		if len(got) != len(want) {
			t.Fatalf("%s: %d tensors, want %d", what, len(got), len(want))
		}
		for name, w := range want {
			g := got[name]
			if g == nil || g.DType != w.DType || !reflect.DeepEqual(g.Shape, w.Shape) ||
				len(g.Data) != len(w.Data) || !reflect.DeepEqual(g.Int64, w.Int64) || !sameBits(g.Data, w.Data) {
				t.Errorf("%s: %s = %+v, want %+v", what, name, g, w)
			}
		}
	}
	check("little-endian", readTorchBytes(t, torchTestCheckpoint(t, entries, storages, nil)))

	// The same checkpoint saved on a big-endian machine.
	big := map[string][]byte{}
	sizes := map[string]int{"0": 4, "1": 2, "2": 2, "3": 8, "4": 8, "5": 4, "6": 1}
	for k, v := range storages {
		b := append([]byte(nil), v...)
		for i := 0; i < len(b); i += sizes[k] {
			e := b[i : i+sizes[k]]
			for l, r := 0, len(e)-1; l < r; l, r = l+1, r-1 {
				e[l], e[r] = e[r], e[l]
			}
		}
		big[k] = b
	}
	check("big-endian", readTorchBytes(t, torchTestCheckpoint(t, entries, big, map[string][]byte{"archive/byteorder": []byte("big")})))
}

func readTorchBytes(t *testing.T, b []byte) map[string]*Tensor {
	t.Helper()
	got, err := ReadTorchBin(writeTemp(t, "pytorch_model.bin", b))
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// fixtureWithPickle rebuilds the tiny-v3/mlm .bin with its data.pkl changed by edit.
func fixtureWithPickle(t *testing.T, edit func([]byte) []byte, drop string) []byte {
	zr, err := zip.OpenReader(fixtures + "/tiny-v3/mlm/pytorch_model.bin")
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	files := map[string][]byte{}
	var names []string
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		if strings.HasSuffix(f.Name, "/data.pkl") {
			b = edit(b)
		}
		if f.Name != drop {
			files[f.Name] = b
			names = append(names, f.Name)
		}
	}
	return torchTestZip(t, names, files)
}

func TestReadTorchBinErrors(t *testing.T) {
	fixture, err := os.ReadFile(fixtures + "/tiny-v3/mlm/pytorch_model.bin")
	if err != nil {
		t.Fatal(err)
	}
	one := []torchTestEntry{{name: "w", storage: "FloatStorage", key: "0", numel: 2, size: []int{2}, stride: []int{1}}}
	okData := map[string][]byte{"0": leBytes(float32(1), float32(2))}
	corrupt := torchTestCheckpoint(t, one, okData, nil)
	corrupt[bytes.Index(corrupt, okData["0"])] ^= 0xff // CRC mismatch
	pkl := func(p []byte) []byte {
		return torchTestZip(t, []string{"archive/data.pkl"}, map[string][]byte{"archive/data.pkl": p})
	}
	for _, c := range []struct {
		name string
		file []byte
		want string
	}{
		{"forbidden global", fixtureWithPickle(t, func(b []byte) []byte {
			return bytes.Replace(b, []byte("ccollections\nOrderedDict\n"), []byte("cposix\nsystem\n"), 1)
		}, ""), `pytorch_model/data.pkl: pickle offset 2 (opcode 0x63): forbidden pickle global "posix.system"`},
		{"forbidden builtins", pkl([]byte("\x80\x02cbuiltins\neval\nX\x01\x00\x00\x00x\x85R.")), `forbidden pickle global "builtins.eval"`},
		{"missing data.pkl", fixtureWithPickle(t, func(b []byte) []byte { return b }, "pytorch_model/data.pkl"), "no <archive>/data.pkl entry"},
		{"two data.pkl", torchTestZip(t, []string{"a/data.pkl", "b/data.pkl"}, nil), "several data.pkl entries: a/data.pkl, b/data.pkl"},
		{"truncated zip", fixture[:len(fixture)/2], "not a valid zip archive (truncated or corrupt file?)"},
		{"empty file", nil, "empty file"},
		{"legacy truncated", []byte("\x80\x02\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19.\x80\x02M\xe9\x03."), "legacy torch.save sys info: unexpected end of pickle data"},
		{"legacy version", []byte("\x80\x02\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19.\x80\x02M\xe8\x03."), "legacy torch.save protocol version: unsupported version 1000 (want 1001)"},
		{"legacy tar", append(make([]byte, 257), "ustar\x00000000000000000000000000000000000"...), "legacy tar-based PyTorch format"},
		{"not a checkpoint", []byte("hello world"), "neither a zip archive nor a legacy torch.save stream (starts with 68 65 6c 6c)"},
		{"missing storage", torchTestCheckpoint(t, one, nil, nil), `tensor "w": storage "0": missing zip entry archive/data/0`},
		{"storage size", torchTestCheckpoint(t, one, map[string][]byte{"0": make([]byte, 12)}, nil), "zip entry archive/data/0 has 12 bytes, want 8"},
		{"crc", corrupt, "zip entry archive/data/0: zip: checksum error"},
		{"view beyond storage", torchTestCheckpoint(t, []torchTestEntry{{name: "w", storage: "FloatStorage", key: "0", numel: 2,
			offset: 1, size: []int{2}, stride: []int{1}}}, okData, nil), "view (offset 1, size [2], stride [1]) reaches element 2 of a storage of 2 elements"},
		{"storage dtype clash", torchTestCheckpoint(t, []torchTestEntry{one[0], {name: "v", storage: "HalfStorage", key: "0", numel: 2,
			size: []int{2}, stride: []int{1}}}, okData, nil), `storage "0" used as F32[2] and as F16[2]`},
		{"unknown storage", torchTestCheckpoint(t, []torchTestEntry{{name: "w", storage: "ComplexFloatStorage", key: "0", numel: 1,
			size: []int{1}, stride: []int{1}}}, okData, nil), `forbidden pickle global "torch.ComplexFloatStorage"`},
		{"not a dict", pkl([]byte("\x80\x02K\x01.")), "top-level object is a int, not a state dict"},
		{"not a tensor", pkl([]byte("\x80\x02}X\x01\x00\x00\x00aK\x01s.")), `state dict entry "a" is a int, not a tensor`},
		{"nested", pkl([]byte("\x80\x02}X\x01\x00\x00\x00a}s.")), `state dict entry "a" is a dict`},
		{"bad persistent id", pkl([]byte("\x80\x02K\x01Q.")), "persistent id is not a tuple ('storage', type, key, location, numel[, view])"},
		{"bad byteorder", torchTestCheckpoint(t, one, okData, map[string][]byte{"archive/byteorder": []byte("middle")}), `unknown byte order "middle"`},
		{"truncated pickle", pkl([]byte("\x80\x02}X\x01\x00")), "unexpected end of pickle data"},
	} {
		p := writeTemp(t, "pytorch_model.bin", c.file)
		_, err := ReadTorchBin(p)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), p+": ") {
			t.Errorf("%s: error %v, want %q prefixed by the path", c.name, err, c.want)
		}
	}
}

func FuzzTorchPickle(f *testing.F) {
	// Seeds stay small (large inputs make the fuzzer spend its time minimising): the fixture's data.pkl cut
	// after its first two entries, and a synthetic pickle.
	zr, err := zip.OpenReader(fixtures + "/tiny-v3/mlm/pytorch_model.bin")
	if err != nil {
		f.Fatal(err)
	}
	rc, err := zr.Open("pytorch_model/data.pkl")
	if err != nil {
		f.Fatal(err)
	}
	full, _ := io.ReadAll(rc)
	rc.Close()
	zr.Close()
	entries, err := torchpickle.ParseStateDict(full)
	if err != nil {
		f.Fatal(err)
	}
	cut := bytes.Index(full, []byte(entries[2].Name)) - 5 // BINUNICODE opcode and length of the third key
	seed := append(full[:cut:cut], "u."...)               // SETITEMS, STOP
	if got, err := torchpickle.ParseStateDict(seed); err != nil || len(got) != 2 {
		f.Fatalf("cut fixture pickle: %d entries, %v", len(got), err)
	}
	f.Add(seed)
	f.Add(torchTestPickle([]torchTestEntry{
		{name: "t", storage: "HalfStorage", key: "0", numel: 6, offset: 1, size: []int{2, 2}, stride: []int{1, 2}, param: true},
		{name: "ids", storage: "LongStorage", key: "1", numel: 3, size: []int{3}, stride: []int{1}}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		entries, err := torchpickle.ParseStateDict(b)
		if err != nil {
			return
		}
		for _, e := range entries {
			if err := e.Ref.Check(); err != nil {
				t.Fatalf("%s: accepted view fails its check: %v", e.Name, err)
			}
			// Materialise small views against zeroed storages: must not panic.
			if n, _ := numElements(e.Ref.Size); n <= 1<<16 && e.Ref.Storage.Numel <= 1<<16 {
				raw := make([]byte, e.Ref.Storage.Numel*int64(dtypeSizes[e.Ref.Storage.DType]))
				if _, err := materialize(e.Name, e.Ref, raw, false); err != nil {
					t.Fatalf("%s: %v", e.Name, err)
				}
			}
		}
	})
}

// TestReadTorchBinFP16Checkpoint builds a checkpoint like Microsoft's released ones (fp16 storages) from the
// discriminator fixture, with one weight stored transposed (a non-contiguous view) and one tied duplicate
// sharing a storage, and reads it back through ReadStateDict.
func TestReadTorchBinFP16Checkpoint(t *testing.T) {
	src, _, err := ReadSafetensors(fixtures + "/official-tiny/discriminator/model.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	const transposed = "deberta.encoder.layer.0.attention.self.query_proj.weight"
	const embeddings = "deberta.embeddings.word_embeddings.weight"
	var entries []torchTestEntry
	storages := map[string][]byte{}
	for i, tn := range SortedTensors(src) {
		key := strconv.Itoa(i)
		e := torchTestEntry{name: tn.Name, storage: "HalfStorage", key: key, numel: len(tn.Data), size: tn.Shape}
		data := tn.Data
		if tn.Name == transposed { // store column-major, view with strides (1, rows)
			r, c := tn.Shape[0], tn.Shape[1]
			data = make([]float32, r*c)
			for i := 0; i < r; i++ {
				for j := 0; j < c; j++ {
					data[j*r+i] = tn.Data[i*c+j]
				}
			}
			e.stride = []int{1, r}
		} else {
			e.stride = make([]int, len(tn.Shape))
			for d, s := len(tn.Shape)-1, 1; d >= 0; d-- {
				e.stride[d], s = s, s*tn.Shape[d]
			}
		}
		raw := make([]byte, 2*len(data))
		for j, v := range data {
			binary.LittleEndian.PutUint16(raw[2*j:], Float32ToFloat16(v))
		}
		storages[key] = raw
		entries = append(entries, e)
		if tn.Name == embeddings {
			tied := e
			tied.name = "tied.decoder.weight"
			entries = append(entries, tied)
		}
	}
	dir := t.TempDir()
	if err := os.WriteFile(dir+"/pytorch_model.generator.bin", torchTestCheckpoint(t, entries, storages, nil), 0o644); err != nil {
		t.Fatal(err)
	}
	sd, err := ReadStateDict(dir, ReadOptions{Generator: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(sd.Tensors) != len(src)+1 || sd.Source.Format != FormatTorchBin {
		t.Fatalf("%d tensors from %+v", len(sd.Tensors), sd.Source)
	}
	for name, want := range src {
		got := sd.Tensors[name]
		if got.DType != "F16" || !reflect.DeepEqual(got.Shape, want.Shape) {
			t.Fatalf("%s: %v", name, got)
		}
		for i, v := range want.Data {
			if r := Float16ToFloat32(Float32ToFloat16(v)); got.Data[i] != r {
				t.Fatalf("%s[%d] = %g, want %g (fp16 of %g)", name, i, got.Data[i], r, v)
			}
		}
	}
	if !sameBits(sd.Tensors["tied.decoder.weight"].Data, sd.Tensors[embeddings].Data) {
		t.Error("tied duplicate differs from the tensor it shares a storage with")
	}
}
