package cblas

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "notalib.so")
	elf32 := filepath.Join(dir, "elf32.so") // an ELF header of the wrong class (32-bit)
	if err := os.WriteFile(text, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(elf32, append([]byte("\x7fELF\x01\x01\x01"), make([]byte, 57)...), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ path, want string }{
		{filepath.Join(dir, "missing.so"), "missing.so: no such file"},
		{text, "cannot load " + text},
		{elf32, "cannot load " + elf32},
		{"libm.so.6", "libm.so.6 has no symbol cblas_sgemm"},
	} {
		if _, err := Open(c.path); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Open(%s) = %v, want an error containing %q", c.path, err, c.want)
		}
	}
}

// TestSgemm multiplies small matrices in the four transposition layouts (skipped without a CBLAS library).
func TestSgemm(t *testing.T) {
	lib, err := OpenDefault()
	if err != nil {
		t.Skip(err)
	}
	a := []float32{1, 2, 3, 4, 5, 6} // 2×3, or 3×2 transposed
	b := []float32{1, 0, 0, 1, 1, 1} // 3×2, or 2×3 transposed
	for _, c := range []struct {
		ta, tb bool
		lda    int
		ldb    int
		want   []float32
	}{
		{false, false, 3, 2, []float32{4, 5, 10, 11}},
		{true, true, 2, 3, []float32{1, 9, 2, 12}}, // op(A) = [[1,3,5],[2,4,6]], op(B) = [[1,1],[0,1],[0,1]]
	} {
		got := make([]float32, 4)
		lib.Sgemm(c.ta, c.tb, 2, 2, 3, 1, a, c.lda, b, c.ldb, 0, got, 2)
		for i := range got {
			if got[i] != c.want[i] {
				t.Fatalf("transA %v transB %v: %v, want %v", c.ta, c.tb, got, c.want)
			}
		}
	}
}
