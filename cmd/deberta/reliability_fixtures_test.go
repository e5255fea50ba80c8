package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/deberta-go/lab/checkpoints"
	"github.com/deberta-go/lab/internal/npy"
)

// snapshot returns "path sha256" for every file under dir, sorted (nil when dir does not exist).
func snapshot(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		rel, _ := filepath.Rel(dir, path)
		out = append(out, rel+" "+hex.EncodeToString(sum[:8]))
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// captureStderr runs f with os.Stderr sent to a temporary file and returns what was written.
func captureStderr(t *testing.T, f func()) string {
	t.Helper()
	tmp, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stderr
	os.Stderr = tmp
	defer func() { os.Stderr = saved }()
	f()
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(tmp)
	tmp.Close()
	return string(b)
}

// userFolder makes a folder holding a user's files (not ours): config.json and a weight file.
func userFolder(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "mine")
	writeFile(t, filepath.Join(dir, "config.json"), `{"mine": true}`)
	writeFile(t, filepath.Join(dir, "weights.bin"), "old weights")
	return dir
}

func writeFile(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// editConfig copies the model folder src and sets config.json's key to value (raw JSON).
func editConfig(t *testing.T, src, key, value string) string {
	t.Helper()
	dir := copyDir(t, src)
	path := filepath.Join(dir, "config.json")
	var cfg map[string]json.RawMessage
	b, _ := os.ReadFile(path)
	if err := json.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	cfg[key] = json.RawMessage(value)
	b, _ = json.Marshal(cfg)
	writeFile(t, path, string(b))
	return dir
}

// nanModel copies the model folder src with NaN in its word embeddings.
func nanModel(t *testing.T, src string) string {
	t.Helper()
	dir := copyDir(t, src)
	path := filepath.Join(dir, "model.safetensors")
	ts, meta, err := checkpoints.ReadSafetensors(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range ts["deberta.embeddings.word_embeddings.weight"].Data {
		ts["deberta.embeddings.word_embeddings.weight"].Data[i] = float32(math.NaN())
	}
	if err := checkpoints.WriteSafetensors(path, checkpoints.SortedTensors(ts), meta, "F32"); err != nil {
		t.Fatal(err)
	}
	return dir
}

// truncatedModel copies the model folder src with its weight file cut in half.
func truncatedModel(t *testing.T, src string) string {
	t.Helper()
	dir := copyDir(t, src)
	path := filepath.Join(dir, "model.safetensors")
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, st.Size()/2); err != nil {
		t.Fatal(err)
	}
	return dir
}

// npyInts writes an int64 .npy file.
func npyInts(t *testing.T, dir, name string, shape []int, data []int64) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := npy.WriteInt64(path, shape, data); err != nil {
		t.Fatal(err)
	}
	return path
}

// labelledTSV writes a sentence/label TSV with the labels repeated over n rows.
func labelledTSV(t *testing.T, path string, n int, labels ...string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("sentence\tlabel\n")
	for i := range n {
		fmt.Fprintf(&b, "sentence number %d is about %s\t%s\n", i, labels[i%len(labels)], labels[i%len(labels)])
	}
	return writeFile(t, path, b.String())
}

// smallCorpus writes a pre-training corpus of n paragraphs.
func smallCorpus(t *testing.T, path string, n int) string {
	t.Helper()
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "Paragraph %d tells of the whale, the sea and the ship number %d, sailing far to the north.\n\n", i, i*7)
	}
	return writeFile(t, path, b.String())
}

// tinyPretrainArgs are the flags of a very small, fast pre-training run.
func tinyPretrainArgs(corpus, out string, steps int) []string {
	return []string{"--preset", "tiny", "--hidden", "32", "--layers", "2", "--heads", "2", "--ffn", "64",
		"--steps", fmt.Sprint(steps), "--batch", "2", "--seq", "32", "--log-every", "1", "--corpus", corpus,
		"--spm", spmModel, "--out", out, "--seed", "3"}
}
