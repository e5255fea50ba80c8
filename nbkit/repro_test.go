package nbkit

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/deberta-go/lab/internal/testutil"
	"github.com/deberta-go/lab/repro"
)

var committedRuns = filepath.Join(testutil.RepoRoot(), "docs", "reproduction", "runs")

// TestShowReproduction shows the committed reproduction run: its tables and its four figures.
func TestShowReproduction(t *testing.T) {
	d := &recorder{}
	if err := showReproduction(d, committedRuns, nil); err != nil {
		t.Fatal(err)
	}
	if len(d.md) != 1 || !strings.Contains(d.md[0], "### Downstream") || d.pngs != 4 {
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
	tab := Claims(r)
	for _, want := range []string{
		"| brown-pos | does not hold (-2.88 pts, 1.4× spread) | does not hold (-1.49 pts, 0.7× spread) |",
		"| brown-genre | does not hold (-0.20 pts, 0.6× spread) | holds (+0.40 pts, 1.2× spread) |",
	} {
		if !strings.Contains(tab, want) {
			t.Errorf("claims table lacks %q:\n%s", want, tab)
		}
	}
	r, err = repro.Load(committedRuns, []string{"gdes", "es"})
	if err != nil {
		t.Fatal(err)
	}
	if tab := Claims(r); strings.Count(tab, "n/a") != 9 || strings.Count(tab, " pts,") != 3 {
		t.Errorf("without nes and mlm:\n%s", tab)
	}
}
