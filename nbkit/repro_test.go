package nbkit

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/deberta-go/lab/internal/testutil"
	"github.com/deberta-go/lab/repro"
)

var committedRuns = filepath.Join(testutil.RepoRoot(), "docs", "reproduction", "runs")

// TestShowReproduction shows the committed first reproduction run: its tables and its three figures (MLM loss,
// tug-of-war, downstream; that run has no held-out evaluation).
func TestShowReproduction(t *testing.T) {
	d := &recorder{}
	if err := showReproduction(d, committedRuns, nil); err != nil {
		t.Fatal(err)
	}
	if len(d.md) != 1 || !strings.Contains(d.md[0], "### Downstream") || d.pngs != 3 {
		t.Errorf("%d Markdown outputs, %d PNGs", len(d.md), d.pngs)
	}
	if err := showReproduction(d, filepath.Join(t.TempDir(), "none"), nil); err == nil || !strings.Contains(err.Error(), "gdes") {
		t.Errorf("missing runs folder: %v, want an error naming the arm", err)
	}
}

// TestClaims checks the claims table on the committed run (values as in docs/REPRODUCTION.md) and with an arm
// left out.
func TestClaims(t *testing.T) {
	r, err := repro.Load(committedRuns, nil)
	if err != nil {
		t.Fatal(err)
	}
	if md := r.ClaimsMarkdown(); !strings.Contains(md, "| C3 | brown-pos | gdes > nes | MNLI-m 89.3 vs 88.3 | -4.36 [-7.56, -1.17] | reversed |") {
		t.Errorf("claims table:\n%s", md)
	}
	if err := ShowClaims(committedRuns, "gdes", "es"); err != nil {
		t.Error(err)
	}
	if err := ShowClaims(t.TempDir()); err == nil {
		t.Error("a folder without runs: no error")
	}
}
