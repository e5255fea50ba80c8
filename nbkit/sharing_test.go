package nbkit

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/deberta-go/lab/internal/testutil"
	"github.com/deberta-go/lab/pretrain"
)

// TestSharing runs a tiny study (3 steps per mode) through the file the notebook's cells share, and renders its
// tables and figures.
func TestSharing(t *testing.T) {
	file := filepath.Join(t.TempDir(), "runs", "study.json")
	s := SharingSettings{Budget: "test", Hidden: 32, Heads: 1, DiscLayers: 1, GenLayers: 1, Steps: 3, AnalyzeEvery: 2,
		Batch: 2, SeqLen: 16, LR: 1e-3, Seed: 1,
		SPM: filepath.Join(testutil.RepoRoot(), "tokenizer", "testdata", "spm-bytefallback", "spm.model")}
	var progress strings.Builder
	table, err := RunSharing(s, file, &progress)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(table, "| gdes run time |") || strings.Count(progress.String(), "3 steps") != 3 {
		t.Errorf("settings table %q, progress %q", table, progress.String())
	}
	runs, err := LoadSharing(file)
	if err != nil || len(runs) != 3 {
		t.Fatalf("%d runs, %v", len(runs), err)
	}
	if _, err := SharingCurves(runs, "MLM", "loss", 2, func(m pretrain.Metrics) float64 { return m.MLMLoss }); err != nil {
		t.Error(err)
	}
	if md := SharingMLMTable(runs) + SharingRTDTable(runs); strings.Count(md, "| es |") != 2 {
		t.Errorf("tables %q", md)
	}
	if md, png, err := SharingCosines(runs); err != nil || len(png) == 0 || !strings.Contains(md, "| 0.45 | 0.29 |") {
		t.Errorf("cosines %q, %v", md, err)
	}
	if png, md, err := SharingGradients(runs); err != nil || len(png) == 0 || !strings.Contains(md, "| nes | 2 |") {
		t.Errorf("gradients %q, %v", md, err)
	}
	if _, err := LoadSharing(filepath.Join(t.TempDir(), "none.json")); err == nil || !strings.Contains(err.Error(), "training cell") {
		t.Errorf("missing file: %v", err)
	}
}
