package pipeline

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/deberta-go/lab/internal/testutil"
	"github.com/deberta-go/lab/pipeline/tinymodels"
)

// modelDirs holds one tiny random-weight checkpoint folder per kind, written once by TestMain.
var modelDirs = map[tinymodels.Kind]string{}

// spmDir is the test tokenizer: 8000 pieces with byte fallback, [MASK] = 8000.
var spmDir = filepath.Join(testutil.RepoRoot(), "tokenizer", "testdata", "spm-bytefallback")

func TestMain(m *testing.M) {
	root, err := os.MkdirTemp("", "pipeline-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for i, kind := range tinymodels.Kinds {
		dir := filepath.Join(root, string(kind))
		if err := tinymodels.Write(dir, kind, spmDir, int64(10+i)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.RemoveAll(root)
			os.Exit(1)
		}
		modelDirs[kind] = dir
	}
	code := testutil.MainCheckingDotGenerals(m) // also fails when a DotGeneral missed BLAS
	os.RemoveAll(root)
	os.Exit(code)
}

// load opens a tiny model with warnings discarded unless opts says otherwise.
func load(t testing.TB, kind tinymodels.Kind, opts Options) *Pipeline {
	t.Helper()
	if opts.Warnings == nil {
		opts.Warnings = io.Discard
	}
	p, err := Load(modelDirs[kind], opts)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// texts are inputs of different lengths (so batches need padding), ASCII and not.
var texts = []string{
	"Paris is the capital of France.",
	"Hi",
	"The quick brown fox jumps over the lazy dog while the cat sleeps on the warm windowsill.",
	"日本語のテキスト and English",
	"New York's mayor, J.R. Smith, met Ada Lovelace in London.",
}

// maxDiff returns max |a−b| over equally long slices, +Inf when the lengths differ.
func maxDiff[T float32 | float64](a, b []T) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	d := 0.0
	for i := range a {
		d = math.Max(d, math.Abs(float64(a[i])-float64(b[i])))
	}
	return d
}

// batchSizes runs fn with BatchSize 1 and 3 and returns both results.
func batchSizes[T any](t *testing.T, kind tinymodels.Kind, opts Options, fn func(p *Pipeline) (T, error)) (one, three T) {
	t.Helper()
	var err error
	opts.BatchSize = 1
	if one, err = fn(load(t, kind, opts)); err != nil {
		t.Fatal(err)
	}
	opts.BatchSize = 3
	if three, err = fn(load(t, kind, opts)); err != nil {
		t.Fatal(err)
	}
	return one, three
}

func TestLoadOptionsAndErrors(t *testing.T) {
	// A folder without spm.model.
	if _, err := Load(testutil.Fixture("official-tiny", "discriminator"), Options{}); err == nil || !bytes.Contains([]byte(err.Error()), []byte("spm.model")) {
		t.Errorf("Load without spm.model: error %v, want one naming spm.model", err)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing"), Options{}); err == nil {
		t.Error("Load of a missing folder: no error")
	}
	p := load(t, tinymodels.RTD, Options{})
	if _, err := New(p.Model, p.Tokenizer, Options{BatchSize: -1}); err == nil {
		t.Error("negative BatchSize: no error")
	}
	if _, err := New(p.Model, p.Tokenizer, Options{MaxLength: 2}); err == nil {
		t.Error("MaxLength 2: no error")
	}
	if _, err := New(nil, p.Tokenizer, Options{}); err == nil {
		t.Error("nil model: no error")
	}
	gen := load(t, tinymodels.RTD, Options{Generator: true})
	if gen.Options.MaxLength != 512 || p.Options.BatchSize != DefaultBatchSize {
		t.Errorf("defaults: MaxLength %d, BatchSize %d", gen.Options.MaxLength, p.Options.BatchSize)
	}
	if _, err := New(gen.Model, gen.Tokenizer, Options{MaxLength: 600}); err == nil {
		t.Error("MaxLength beyond the generator's 512 absolute positions: no error")
	}
	if _, err := p.Detect(nil); err == nil {
		t.Error("Detect(nil): no error")
	}
	// The tokenizer's model_max_length lowers the default maximum length.
	dir := t.TempDir()
	if err := tinymodels.Write(dir, tinymodels.QA, spmDir, 1); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tokenizer_config.json"), []byte(`{"model_max_length": 64}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if q, err := Load(dir, Options{}); err != nil {
		t.Error(err)
	} else if q.Options.MaxLength != 64 {
		t.Errorf("model_max_length 64: MaxLength %d", q.Options.MaxLength)
	}
}
