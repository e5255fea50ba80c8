package checkpoints

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestWriteSafetensorsMatchesReference rewrites a fixture written by the Python safetensors library and
// expects the very same bytes.
func TestWriteSafetensorsMatchesReference(t *testing.T) {
	for _, src := range []string{fixtures + "/tiny-v3/mlm/model.safetensors", fixtures + "/official-tiny/generator/model.safetensors"} {
		want, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		tensors, meta, err := ReadSafetensors(src)
		if err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(t.TempDir(), "model.safetensors")
		if err := WriteSafetensors(out, SortedTensors(tensors), meta, "F32"); err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(out)
		if !bytes.Equal(got, want) {
			t.Errorf("%s: rewritten file differs (%d vs %d bytes)", src, len(got), len(want))
		}
	}
}

func randomTensors(r *rand.Rand) []*Tensor {
	var ts []*Tensor
	for i, shape := range [][]int{{3, 5}, {7}, {}, {0, 4}, {2, 3, 2}} {
		tn := &Tensor{Name: "t" + string(rune('a'+i)), DType: "F32", Shape: shape}
		tn.Data = make([]float32, tn.NumElements())
		for j := range tn.Data {
			tn.Data[j] = float32(r.NormFloat64() * math.Pow(10, float64(r.IntN(6)-3)))
		}
		ts = append(ts, tn)
	}
	ts = append(ts, &Tensor{Name: "position_ids", DType: "I64", Shape: []int{1, 3}, Int64: []int64{0, 1, -1 << 40}})
	return ts
}

func TestWriteSafetensorsRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	in := randomTensors(r)
	for _, c := range []struct {
		dtype string
		conv  func(float32) float32
		relTo float64 // relative precision of the format
	}{
		{"F32", func(f float32) float32 { return f }, 0},
		{"F16", func(f float32) float32 { return Float16ToFloat32(Float32ToFloat16(f)) }, 1.0 / 2048},
		{"BF16", func(f float32) float32 { return BFloat16ToFloat32(Float32ToBFloat16(f)) }, 1.0 / 256},
	} {
		p := filepath.Join(t.TempDir(), "x.safetensors")
		if err := WriteSafetensors(p, in, map[string]string{"format": "pt", "b": "2"}, c.dtype); err != nil {
			t.Fatal(err)
		}
		got, meta, err := ReadSafetensors(p)
		if err != nil {
			t.Fatalf("%s: %v", c.dtype, err)
		}
		if !reflect.DeepEqual(meta, map[string]string{"format": "pt", "b": "2"}) || len(got) != len(in) {
			t.Fatalf("%s: metadata %v, %d tensors", c.dtype, meta, len(got))
		}
		for _, want := range in {
			g := got[want.Name]
			if !reflect.DeepEqual(g.Shape, want.Shape) && !(len(g.Shape) == 0 && len(want.Shape) == 0) {
				t.Errorf("%s %s: shape %v, want %v", c.dtype, want.Name, g.Shape, want.Shape)
			}
			if want.Int64 != nil {
				if g.DType != "I64" || !reflect.DeepEqual(g.Int64, want.Int64) {
					t.Errorf("%s %s: %v %v", c.dtype, want.Name, g.DType, g.Int64)
				}
				continue
			}
			if g.DType != c.dtype {
				t.Errorf("%s %s: dtype %s", c.dtype, want.Name, g.DType)
			}
			for i, v := range want.Data {
				if g.Data[i] != c.conv(v) {
					t.Fatalf("%s %s[%d]: %g, want %g", c.dtype, want.Name, i, g.Data[i], c.conv(v))
				}
				// Values are within the format's precision (no value here is subnormal in F16/BF16).
				if d := math.Abs(float64(g.Data[i] - v)); math.Abs(float64(v)) > 1e-4 && d > c.relTo*math.Abs(float64(v)) {
					t.Fatalf("%s %s[%d]: %g vs %g", c.dtype, want.Name, i, g.Data[i], v)
				}
			}
		}
	}
}

func TestWriteSafetensorsLayout(t *testing.T) {
	in := []*Tensor{
		{Name: "z.half", Shape: []int{3}, Data: []float32{1, 2, 3}},
		{Name: "a.ids", Shape: []int{1}, Int64: []int64{9}},
	}
	dir := t.TempDir()
	p1, p2 := filepath.Join(dir, "1.safetensors"), filepath.Join(dir, "2.safetensors")
	if err := WriteSafetensors(p1, in, nil, "F16"); err != nil {
		t.Fatal(err)
	}
	if err := WriteSafetensors(p2, []*Tensor{in[1], in[0]}, map[string]string{}, "F16"); err != nil {
		t.Fatal(err)
	}
	b1, _ := os.ReadFile(p1)
	b2, _ := os.ReadFile(p2)
	if !bytes.Equal(b1, b2) {
		t.Error("output depends on the input order")
	}
	n := binary.LittleEndian.Uint64(b1)
	header := string(b1[8 : 8+n])
	want := `{"a.ids":{"dtype":"I64","shape":[1],"data_offsets":[0,8]},"z.half":{"dtype":"F16","shape":[3],"data_offsets":[8,14]}}`
	if n%8 != 0 || strings.TrimRight(header, " ") != want {
		t.Errorf("header (%d bytes) = %q, want %q padded to 8", n, header, want)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 2 {
		t.Errorf("temporary files left behind: %v", ents)
	}
}

func TestWriteSafetensorsErrors(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x.safetensors")
	ok := &Tensor{Name: "a", Shape: []int{1}, Data: []float32{1}}
	for _, c := range []struct {
		name    string
		tensors []*Tensor
		dtype   string
		path    string
		want    string
	}{
		{"bad dtype", []*Tensor{ok}, "F64", p, `cannot write dtype "F64"`},
		{"duplicate", []*Tensor{ok, ok}, "F32", p, `tensor "a": duplicate name`},
		{"length", []*Tensor{{Name: "b", Shape: []int{2}, Data: []float32{1}}}, "F32", p, `tensor "b": 1 values for shape [2]`},
		{"int length", []*Tensor{{Name: "c", Shape: []int{2}, Int64: []int64{1}}}, "F32", p, `tensor "c": 1 Int64 values`},
		{"both", []*Tensor{{Name: "d", Shape: []int{1}, Data: []float32{1}, Int64: []int64{1}}}, "F32", p, "both Data and Int64"},
		{"empty name", []*Tensor{{Shape: []int{0}}}, "F32", p, "invalid tensor name"},
		{"nil", []*Tensor{nil}, "F32", p, "nil tensor"},
		{"no folder", []*Tensor{ok}, "F32", filepath.Join(dir, "missing", "x.safetensors"), "missing"},
	} {
		err := WriteSafetensors(c.path, c.tensors, nil, c.dtype)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.path) {
			t.Errorf("%s: error %v, want %q and the path", c.name, err, c.want)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("files left behind: %v", ents)
	}
}
