package npy

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestReadGoldens(t *testing.T) {
	for _, c := range []struct {
		file   string
		dtype  string
		shape  []int
		firstF []float32
		firstI []int64
	}{
		{"input_ids.npy", "<i8", []int{3, 16}, nil, []int64{1, 13, 3, 34, 18, 103, 80, 108, 2, 95, 103, 57, 28, 8, 17, 2}},
		{"cls_logits.npy", "<f4", []int{3, 3}, []float32{0.6165633797645569, -0.8378377556800842, -0.1886209398508072}, nil},
		{"relative_pos.npy", "<i4", []int{16, 16}, nil, []int64{0, -1, -2, -3, -4, -5, -6, -7, -8, -9, -9, -9, -10, -10, -10, -10}},
	} {
		a, err := Read(filepath.Join("testdata", c.file))
		if err != nil {
			t.Fatal(err)
		}
		if a.DType != c.dtype || !reflect.DeepEqual(a.Shape, c.shape) || a.NumElements() != len(a.F32)+len(a.I64) {
			t.Errorf("%s: dtype %s shape %v (%d+%d values)", c.file, a.DType, a.Shape, len(a.F32), len(a.I64))
		}
		if c.firstF != nil && !reflect.DeepEqual(a.F32[:len(c.firstF)], c.firstF) {
			t.Errorf("%s: F32 starts %v, want %v", c.file, a.F32[:len(c.firstF)], c.firstF)
		}
		if c.firstI != nil && !reflect.DeepEqual(a.I64[:len(c.firstI)], c.firstI) {
			t.Errorf("%s: I64 starts %v, want %v", c.file, a.I64[:len(c.firstI)], c.firstI)
		}
	}
}

// TestWriteMatchesNumpy rewrites the goldens and expects numpy's exact bytes.
func TestWriteMatchesNumpy(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"input_ids.npy", "cls_logits.npy"} {
		want, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		a, err := Decode(want)
		if err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, name)
		if a.F32 != nil {
			err = WriteFloat32(out, a.Shape, a.F32)
		} else {
			err = WriteInt64(out, a.Shape, a.I64)
		}
		if err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(out)
		if !bytes.Equal(got, want) {
			t.Errorf("%s: rewritten file differs from numpy's", name)
		}
	}
}

func TestWriteRoundTrip(t *testing.T) {
	dir := t.TempDir()
	for _, shape := range [][]int{{}, {5}, {2, 3}, {0, 4}, {1, 1, 2}} {
		n := 1
		for _, d := range shape {
			n *= d
		}
		f := make([]float32, n)
		iv := make([]int64, n)
		for i := range f {
			f[i] = float32(i) * -0.5
			iv[i] = int64(i) - 1<<40
		}
		p := filepath.Join(dir, "x.npy")
		if err := WriteFloat32(p, shape, f); err != nil {
			t.Fatal(err)
		}
		a, err := Read(p)
		if err != nil || !reflect.DeepEqual(a.Shape, shape) || len(a.F32) != n || (n > 0 && !reflect.DeepEqual(a.F32, f)) {
			t.Fatalf("float32 %v: %v %+v", shape, err, a)
		}
		if err := WriteInt64(p, shape, iv); err != nil {
			t.Fatal(err)
		}
		a, err = Read(p)
		if err != nil || !reflect.DeepEqual(a.Shape, shape) || len(a.I64) != n || (n > 0 && !reflect.DeepEqual(a.I64, iv)) {
			t.Fatalf("int64 %v: %v %+v", shape, err, a)
		}
		raw, _ := os.ReadFile(p)
		h, _ := ParseHeader(raw)
		if h.DataOffset%64 != 0 {
			t.Errorf("data offset %d not 64-aligned", h.DataOffset)
		}
	}
	if err := WriteFloat32(filepath.Join(dir, "bad.npy"), []int{2, 2}, make([]float32, 3)); err == nil ||
		!strings.Contains(err.Error(), "3 values for shape [2 2]") {
		t.Errorf("length mismatch: %v", err)
	}
}

// npyFile builds a version-1 .npy file from a header dict and data.
func npyFile(dict string, data []byte) []byte {
	b := append([]byte("\x93NUMPY\x01\x00"), byte(len(dict)), byte(len(dict)>>8))
	return append(append(b, dict...), data...)
}

func TestDecodeOtherDTypes(t *testing.T) {
	for _, c := range []struct {
		dict  string
		data  []byte
		wantF []float32
		wantI []int64
	}{
		{"{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }\n", []byte{0, 0, 0, 0, 0, 0, 0xf8, 0x3f}, []float32{1.5}, nil},
		{"{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }", []byte{1, 0}, nil, []int64{1, 0}},
		{"{'descr': '|u1', 'fortran_order': False, 'shape': (2,), }", []byte{255, 7}, nil, []int64{255, 7}},
		{"{'descr': '|i1', 'fortran_order': False, 'shape': (2,), }", []byte{255, 7}, nil, []int64{-1, 7}},
		{"{'shape': (), 'fortran_order': False, 'descr': '<i4'}", []byte{0xfe, 0xff, 0xff, 0xff}, nil, []int64{-2}},
		{"{'descr': '<i8', 'fortran_order': False, 'shape': (1L, 1L), }", make([]byte, 8), nil, []int64{0}},
	} {
		a, err := Decode(npyFile(c.dict, c.data))
		if err != nil {
			t.Fatalf("%s: %v", c.dict, err)
		}
		if !reflect.DeepEqual(a.F32, c.wantF) || !reflect.DeepEqual(a.I64, c.wantI) {
			t.Errorf("%s: got %v %v", c.dict, a.F32, a.I64)
		}
	}
	// Version 2 header.
	dict := "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }"
	b := append([]byte("\x93NUMPY\x02\x00"), byte(len(dict)), 0, 0, 0)
	b = append(append(b, dict...), 0, 0, 0x80, 0x3f)
	if a, err := Decode(b); err != nil || a.F32[0] != 1 {
		t.Errorf("v2: %v %v", a, err)
	}
}

func TestDecodeErrors(t *testing.T) {
	good := "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }"
	for _, c := range []struct {
		name string
		file []byte
		want string
	}{
		{"bad magic", []byte("PK\x03\x04xxxxxxxxxx"), "bad magic"},
		{"too short", []byte("\x93NUMPY"), "bad magic"},
		{"version", []byte("\x93NUMPY\x04\x00\x00\x00"), "unsupported .npy format version 4.0"},
		{"truncated header", npyFile(good, nil)[:30], "exceeds the"},
		{"fortran", npyFile("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }", make([]byte, 8)), "fortran_order"},
		{"big endian", npyFile("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", make([]byte, 8)), `unsupported dtype ">f4"`},
		{"complex", npyFile("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", make([]byte, 16)), `unsupported dtype "<c8"`},
		{"short data", npyFile(good, make([]byte, 7)), "data has 7 bytes, shape [2] of <f4 needs 8"},
		{"long data", npyFile(good, make([]byte, 9)), "data has 9 bytes"},
		{"missing key", npyFile("{'descr': '<f4', 'shape': (2,), }", make([]byte, 8)), "must have descr"},
		{"unknown key", npyFile("{'descr': '<f4', 'x': 1}", nil), `unknown header key "x"`},
		{"duplicate key", npyFile("{'descr': '<f4', 'descr': '<f4'}", nil), "duplicate header key"},
		{"not a dict", npyFile("[1, 2]", nil), "not a Python dict"},
		{"bad shape", npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (2, -1), }", nil), "bad dimension"},
		{"huge shape", npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (1125899906842624, 1125899906842624), }", nil), "too many elements"},
		{"garbage after", npyFile(good+" x", make([]byte, 8)), "after the dict"},
	} {
		_, err := Decode(c.file)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to contain %q", c.name, err, c.want)
		}
	}
	if _, err := Read(filepath.Join(t.TempDir(), "missing.npy")); err == nil || !strings.Contains(err.Error(), "missing.npy") {
		t.Errorf("missing file: %v", err)
	}
}

func FuzzNpyHeader(f *testing.F) {
	for _, name := range []string{"input_ids.npy", "cls_logits.npy", "relative_pos.npy"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(npyFile("{'descr': '|b1', 'fortran_order': False, 'shape': (), }", []byte{1}))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := Decode(b)
		if err != nil {
			return
		}
		if a.NumElements() != len(a.F32)+len(a.I64) {
			t.Fatalf("shape %v but %d+%d values", a.Shape, len(a.F32), len(a.I64))
		}
	})
}
