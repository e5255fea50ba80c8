package data

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// BenchmarkPack packs Newton's Opticks (one document per paragraph) into 128-token sequences with the bundled
// 8000-piece tokenizer; MB/s is of input text.
func BenchmarkPack(b *testing.B) {
	path := filepath.Join(runtime.GOROOT(), "src", "testdata", OpticksFile) //nolint:staticcheck // test only
	fi, err := os.Stat(path)
	if err != nil {
		b.Skip(err)
	}
	tok := loadTokenizer(b)
	b.SetBytes(fi.Size())
	for b.Loop() {
		n := 0
		for _, err := range Pack(tok, TextFiles([]string{path}, TextOptions{Paragraphs: true}), 128, false) {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		b.ReportMetric(float64(n), "seqs")
	}
}

// BenchmarkMask masks a [64, 512] batch with the default options.
func BenchmarkMask(b *testing.B) {
	const size, L = 64, 512
	ids := randomBatch(size, L, L/2, 1)
	m, err := newMasker(testSpecial, 1000, L, DefaultMaskOptions())
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := m.Mask(ids, size); err != nil {
			b.Fatal(err)
		}
	}
}
