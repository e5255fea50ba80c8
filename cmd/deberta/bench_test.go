package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/deberta-go/lab/debertav3"
)

// TestBenchAndPretrainSharePresets: bench --shape and pretrain --preset take the same names (tiny included),
// and an unknown name lists them all in both.
func TestBenchAndPretrainSharePresets(t *testing.T) {
	var out bytes.Buffer
	if err := runBench([]string{"--shape", "tiny", "--batch", "1", "--seq", "8", "--iters", "1", "--warmup", "0"}, &out); err != nil {
		t.Fatal(err)
	}
	var res benchResult
	if err := json.Unmarshal(out.Bytes(), &res); err != nil || res.Shape != "tiny" {
		t.Errorf("bench --shape tiny: %q, %v", out.String(), err)
	}
	names := strings.Join(debertav3.PresetNames(), ", ")
	if !strings.Contains(names, "tiny") || !strings.Contains(names, "small-v3") {
		t.Fatalf("preset names %s", names)
	}
	for name, run := range map[string]func() error{
		"bench": func() error { return runBench([]string{"--shape", "huge"}, &out) },
		"pretrain": func() error {
			return runPretrain([]string{"--preset", "huge", "--spm", "x", "--out", t.TempDir()}, &out)
		},
	} {
		if err := run(); err == nil || !strings.Contains(err.Error(), names) {
			t.Errorf("%s with an unknown preset: %v, want the list %s", name, err, names)
		}
	}
}
