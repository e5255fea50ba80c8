package testutil

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// RepoRoot returns the repository root (the folder holding go.mod), found from this source file.
func RepoRoot() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		panic("testutil: cannot locate source file")
	}
	dir := filepath.Dir(file)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			panic("testutil: go.mod not found above " + file)
		}
		dir = parent
	}
}

// Fixture returns the path of a file under testdata/fixtures of the repository.
func Fixture(parts ...string) string {
	return filepath.Join(append([]string{RepoRoot(), "testdata", "fixtures"}, parts...)...)
}

// MaskedMaxAbsDiff returns max |got − want| over the elements whose (batch, position) is a real token.
// shape is the arrays' shape; batchAxis and posAxis say which axes index mask [batch, seqLen] (mask != 0 =
// real); posAxis -1 means the arrays have no position axis (e.g. classification logits) and seqLen is 1.
// It returns an error when the lengths disagree with the shape.
func MaskedMaxAbsDiff(got, want []float32, shape []int, mask []int64, seqLen, batchAxis, posAxis int) (float64, error) {
	n := 1
	for _, d := range shape {
		n *= d
	}
	if len(got) != n || len(want) != n {
		return 0, fmt.Errorf("sizes: got %d, want %d, shape %v has %d elements", len(got), len(want), shape, n)
	}
	strides := make([]int, len(shape))
	s := 1
	for i := len(shape) - 1; i >= 0; i-- {
		strides[i] = s
		s *= shape[i]
	}
	maxDiff := 0.0
	for i := range n {
		b := (i / strides[batchAxis]) % shape[batchAxis]
		p := 0
		if posAxis >= 0 {
			p = (i / strides[posAxis]) % shape[posAxis]
		}
		if mask[b*seqLen+p] == 0 {
			continue
		}
		d := math.Abs(float64(got[i]) - float64(want[i]))
		if math.IsNaN(d) {
			return math.Inf(1), nil
		}
		maxDiff = max(maxDiff, d)
	}
	return maxDiff, nil
}

// HubEnv isolates a test from the user's hub settings: every variable that changes the behaviour of a hub
// load (token, offline, endpoint, cache folders) is cleared, and HF_HOME points into a temporary folder, so that
// no real token file or cache is read.
func HubEnv(t testing.TB) {
	t.Helper()
	for _, v := range []string{"HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_TOKEN_PATH", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE",
		"HF_ENDPOINT", "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "XDG_CACHE_HOME"} {
		t.Setenv(v, "")
	}
	t.Setenv("HF_HOME", filepath.Join(t.TempDir(), "hf-home"))
}
