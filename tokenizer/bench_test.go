package tokenizer

import (
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// The throughput benchmarks encode Go's copy of Newton's Opticks ($GOROOT/src/testdata/Isaac.Newton-Opticks.txt,
// 567 kB of English), one non-empty line per call, with the byte-fallback model (the layout of the real
// deberta-v3 spm.model). bench/tokenizer/run.sh runs them next to sentencepiece on the same lines.

var benchLines = sync.OnceValues(func() ([]string, error) {
	root := ""
	if out, err := exec.Command("go", "env", "GOROOT").Output(); err == nil {
		root = strings.TrimSpace(string(out))
	}
	if root == "" {
		root = runtime.GOROOT() // deprecated, but a fallback when the go command is not on PATH
	}
	data, err := os.ReadFile(filepath.Join(root, "src", "testdata", "Isaac.Newton-Opticks.txt"))
	if err != nil {
		return nil, err
	}
	var lines []string
	for _, l := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
	}
	return lines, nil
})

func loadBenchLines(b *testing.B) (lines []string, bytes int64) {
	lines, err := benchLines()
	if err != nil {
		b.Skipf("benchmark text not available (%v): needs $GOROOT/src/testdata/Isaac.Newton-Opticks.txt", err)
	}
	for _, l := range lines {
		bytes += int64(len(l))
	}
	return lines, bytes
}

// cpuMeter measures the process CPU time of a benchmark loop.
type cpuMeter struct {
	start time.Duration
	ok    bool
}

func startCPU(b *testing.B) cpuMeter {
	b.ResetTimer()
	start, ok := processCPUTime()
	return cpuMeter{start, ok}
}

// report reports tokens/s (wall time) and, where the CPU time is known, MB and tokens per CPU second, given the
// bytes and tokens of one iteration.
func (m cpuMeter) report(b *testing.B, bytes int64, tokens int) {
	b.ReportMetric(float64(tokens)*float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
	if end, ok := processCPUTime(); ok && m.ok && end > m.start {
		cpu := (end - m.start).Seconds()
		b.ReportMetric(float64(bytes)*float64(b.N)/cpu/1e6, "MB/cpu-s")
		b.ReportMetric(float64(tokens)*float64(b.N)/cpu, "tokens/cpu-s")
	}
}

// benchmarkEncode times count, which encodes every line and returns the number of tokens.
func benchmarkEncode(b *testing.B, count func(sp *SentencePiece, lines []string) int) {
	lines, n := loadBenchLines(b)
	sp := loadTestModel(b, "spm-bytefallback")
	b.SetBytes(n)
	tokens := 0
	cpu := startCPU(b)
	for b.Loop() {
		tokens = count(sp, lines)
	}
	cpu.report(b, n, tokens)
}

// BenchmarkEncodeIDs: single goroutine, ids only (what sentencepiece's encode returns).
func BenchmarkEncodeIDs(b *testing.B) {
	benchmarkEncode(b, func(sp *SentencePiece, lines []string) (tokens int) {
		for _, l := range lines {
			tokens += len(sp.EncodeIDs(l))
		}
		return tokens
	})
}

// BenchmarkEncode: single goroutine, tokens with pieces and byte and rune offsets.
func BenchmarkEncode(b *testing.B) {
	benchmarkEncode(b, func(sp *SentencePiece, lines []string) (tokens int) {
		for _, l := range lines {
			tokens += len(sp.Encode(l))
		}
		return tokens
	})
}

// BenchmarkEncodeIDsBatch: all lines in one parallel batch (GOMAXPROCS goroutines).
func BenchmarkEncodeIDsBatch(b *testing.B) {
	benchmarkEncode(b, func(sp *SentencePiece, lines []string) (tokens int) {
		for _, ids := range sp.EncodeIDsBatch(lines) {
			tokens += len(ids)
		}
		return tokens
	})
}

// BenchmarkDeBERTaEncodeBatch: full DeBERTa encodings ([CLS]/[SEP], masks, offsets, word ids), parallel batch.
func BenchmarkDeBERTaEncodeBatch(b *testing.B) {
	lines, n := loadBenchLines(b)
	tok := loadTestTokenizer(b, "spm-bytefallback")
	b.SetBytes(n)
	tokens := 0
	cpu := startCPU(b)
	for b.Loop() {
		encodings, err := tok.EncodeBatch(lines, EncodeOptions{})
		if err != nil {
			b.Fatal(err)
		}
		tokens = 0
		for _, e := range encodings {
			tokens += e.Len()
		}
	}
	cpu.report(b, n, tokens)
}

// BenchmarkNewSentencePiece128k measures building a model the size of the real deberta-v3 vocabulary (128000
// random pieces): the double-array construction dominates load time.
func BenchmarkNewSentencePiece128k(b *testing.B) {
	m := tinyModel()
	r := rand.New(rand.NewSource(1))
	seen := map[string]bool{}
	for _, p := range m.Pieces {
		seen[p.Text] = true
	}
	for len(m.Pieces) < 128000 {
		var sb strings.Builder
		if r.Intn(2) == 0 {
			sb.WriteString(spaceSymbol)
		}
		for n := 1 + r.Intn(8); n > 0; n-- {
			sb.WriteByte(byte('a' + r.Intn(26)))
		}
		if s := sb.String(); !seen[s] {
			seen[s] = true
			m.Pieces = append(m.Pieces, Piece{Text: s, Score: -r.Float32() * 20, Type: PieceNormal})
		}
	}
	for b.Loop() {
		if _, err := NewSentencePiece(m); err != nil {
			b.Fatal(fmt.Errorf("building: %w", err))
		}
	}
}
