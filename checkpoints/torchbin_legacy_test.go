package checkpoints

import (
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/deberta-go/lab/checkpoints/torchpickle"
)

// legacyFixture is the folder of the torch-written legacy files (see its README.md).
var legacyFixture = fixtures + "/torch-written/legacy/"

func readTorchBin(t testing.TB, path string) map[string]*Tensor {
	t.Helper()
	got, err := ReadTorchBin(path)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// TestReadTorchBinLegacy: files torch 1.13 wrote with _use_new_zipfile_serialization=False read exactly as the
// same state dicts in the zip format: views, storage offsets, tied storages, F16/BF16/F64, int64, scalars.
func TestReadTorchBinLegacy(t *testing.T) {
	for _, c := range []struct{ legacy, zip string }{
		{legacyFixture + "pytorch_model.bin", fixtures + "/official-tiny/discriminator/pytorch_model.bin"},
		{legacyFixture + "views.bin", legacyFixture + "views-zip.bin"},
	} {
		got, want := readTorchBin(t, c.legacy), readTorchBin(t, c.zip)
		if len(got) != len(want) || len(got) == 0 {
			t.Fatalf("%s: %d tensors, the zip file has %d", c.legacy, len(got), len(want))
		}
		for name, w := range want {
			if g := got[name]; !reflect.DeepEqual(g, w) {
				t.Errorf("%s: %s = %v, zip file %v", c.legacy, name, g, w)
			}
		}
	}
	views := readTorchBin(t, legacyFixture+"views.bin")
	tr, tied := views["transposed"], views["tied"]
	if !slices.Equal(tr.Shape, []int{5, 6}) || tr.Data[1] != tied.Data[5] || views["row_slice"].Data[0] != tied.Data[10] {
		t.Errorf("views: transposed %v, row_slice %v of tied %v", tr, views["row_slice"], tied)
	}
	if p := views["position_ids"]; p.DType != "I64" || !slices.Equal(p.Int64, []int64{0, 1, 2, 3, 4, 5, 6}) {
		t.Errorf("position_ids %v %v", p, p.Int64)
	}
}

// TestReadTorchBinLegacyErrors: a legacy stream cut short, with trailing bytes, or with a record that
// contradicts its pickle is refused with a message naming the storage and the byte.
func TestReadTorchBinLegacyErrors(t *testing.T) {
	full, err := os.ReadFile(legacyFixture + "views.bin")
	if err != nil {
		t.Fatal(err)
	}
	l, err := torchpickle.ParseLegacy(full)
	if err != nil {
		t.Fatal(err)
	}
	badCount := slices.Clone(full)
	badCount[l.DataOffset]++
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"cut in the pickles", full[:l.DataOffset-3], "legacy torch.save storage keys: pickle offset"},
		{"cut in a record header", full[:l.DataOffset+4], "before its record (truncated file?)"},
		{"cut in the data", full[:len(full)-2], "run past the end of the file"},
		{"trailing bytes", append(slices.Clone(full), 0, 0), "2 trailing bytes after the last storage"},
		{"wrong element count", badCount, "elements at byte"},
	} {
		_, err := ReadTorchBin(writeTemp(t, "pytorch_model.bin", c.data))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
}

// FuzzTorchLegacy: any legacy-looking stream reads or fails with an error, never a panic or a tensor that
// overruns its storage.
func FuzzTorchLegacy(f *testing.F) {
	seed, err := os.ReadFile(legacyFixture + "views.bin")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<16 || !torchpickle.IsLegacy(b) {
			return
		}
		l, err := torchpickle.ParseLegacy(b)
		if err != nil {
			return
		}
		for _, e := range l.Entries {
			if err := e.Ref.Check(); err != nil {
				t.Fatalf("%s: accepted view fails its check: %v", e.Name, err)
			}
		}
		_, _ = readTorchLegacy(strings.NewReader(string(b)), int64(len(b)))
	})
}
