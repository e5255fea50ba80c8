package repro

import (
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestNewStat(t *testing.T) {
	for _, tc := range []struct {
		xs        []float64
		mean, std float64
	}{
		{nil, 0, 0},
		{[]float64{2}, 2, 0},
		{[]float64{1, 2, 3, 4}, 2.5, math.Sqrt(5.0 / 3)}, // sample std: Σ(x−m)² = 5, n−1 = 3
	} {
		s := NewStat(tc.xs)
		if s.N != len(tc.xs) || math.Abs(s.Mean-tc.mean) > 1e-12 || math.Abs(s.Std-tc.std) > 1e-12 {
			t.Errorf("NewStat(%v) = %+v, want mean %g std %g", tc.xs, s, tc.mean, tc.std)
		}
	}
	if got := NewStat(nil).String(); got != "–" {
		t.Errorf("empty String() = %q", got)
	}
}

// TestLoadCommitted reads the committed reproduction run (docs/reproduction/runs): four arms, three tasks, three
// seeds each, and the report renders with every figure.
func TestLoadCommitted(t *testing.T) {
	r, err := Load("../docs/reproduction/runs", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Arms) != 4 || len(r.Tasks) != 3 {
		t.Fatalf("%d arms, tasks %v", len(r.Arms), r.Tasks)
	}
	for _, a := range r.Arms {
		for _, task := range r.Tasks {
			if test, dev, _ := a.Scores(task); len(test) != 3 || len(dev) != 3 {
				t.Errorf("%s %s: %d test / %d dev scores", a.Name, task, len(test), len(dev))
			}
		}
		if f := a.FinalOf(FinalWindow); f.Steps != 800 || !(f.MLMLoss > 0) {
			t.Errorf("%s: final %+v", a.Name, f)
		}
	}
	figs, err := r.Figures()
	if err != nil || len(figs) != 3 { // MLM loss, tug-of-war, downstream: this run has no held-out evaluation
		t.Errorf("%d figures, %v", len(figs), err)
	}
}

// TestLoadRunsPerSeed builds the per-seed layout (scripts/reproduce.sh: <arm>/pt*/, ft/<arm>/pt*/<task>/seed*/)
// from the committed run, twice per arm, and checks runs, pooled and per-run scores and the claims table.
func TestLoadRunsPerSeed(t *testing.T) {
	src, dir := "../docs/reproduction/runs", t.TempDir()
	for _, arm := range DefaultArms {
		for _, pt := range []string{"pt1", "pt2"} {
			copyTree(t, filepath.Join(src, arm), filepath.Join(dir, arm, pt))
			copyTree(t, filepath.Join(src, "ft", arm), filepath.Join(dir, "ft", arm, pt))
		}
	}
	r, err := Load(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range r.Arms {
		if len(a.Runs) != 2 || a.Runs[0].Name != "pt1" || a.Runs[1].Name != "pt2" {
			t.Fatalf("%s: runs %v", a.Name, a.Runs)
		}
		test, _, _ := a.Scores("spam")
		runs := a.RunScores("spam")
		if len(test) != 6 || len(runs) != 2 || runs[0] != runs[1] || math.Abs(runs[0]-NewStat(test).Mean) > 1e-12 {
			t.Errorf("%s: %d scores, run means %v", a.Name, len(test), runs)
		}
		if f := a.FinalOf(FinalWindow); f.Runs != 2 || f.Steps != 800 {
			t.Errorf("%s: final %+v", a.Name, f)
		}
	}
	claims := r.DownstreamClaims()
	if len(claims) != 4*len(r.Tasks) {
		t.Fatalf("%d claims for %d tasks", len(claims), len(r.Tasks))
	}
	for _, c := range claims {
		// Identical runs: equal per-run means (zero spread, a zero-width interval) and the pooled gap.
		if c.RunDiff.Lo != c.RunDiff.Hi || math.Abs(c.RunDiff.Gap-c.Diff.Gap) > 1e-12 || math.IsNaN(c.Diff.Lo) {
			t.Errorf("%+v", c)
		}
	}
	if md := r.PretrainingMarkdown(); !strings.Contains(md, "| C1 | generator MLM loss (nats) | es > gdes | 6.215 / 6.215 vs 6.058 / 6.058 | +0.157 [+0.157, +0.157] | holds |") {
		t.Errorf("pre-training claims:\n%s", md)
	}
	if md := r.CosineMarkdown(); !strings.Contains(md, "| nes | ") || !strings.Contains(md, " | 0.45 | ") {
		t.Errorf("cosine table:\n%s", md)
	}
	if md := r.ClaimsMarkdown(); !strings.Contains(md, "| C4 | spam | gdes > mlm | MNLI-m 89.3 vs 86.3 (MLM) |") {
		t.Errorf("claims table:\n%s", md)
	}
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestLoadCommittedV2 reads the committed v2 run (docs/reproduction/v2/runs): four arms × two pre-training runs of
// 4000 steps, four tasks × 6 scores, a held-out RTD evaluation for the RTD arms, and all five figures.
func TestLoadCommittedV2(t *testing.T) {
	r, err := Load("../docs/reproduction/v2/runs", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Arms) != 4 || len(r.Tasks) != 4 {
		t.Fatalf("%d arms, tasks %v", len(r.Arms), r.Tasks)
	}
	for _, a := range r.Arms {
		f := a.FinalOf(FinalWindow)
		if len(a.Runs) != 2 || f.Steps != 4000 || (a.Name != "mlm") != (f.HeldOutAUC.N == 2) {
			t.Errorf("%s: %d runs, final %+v", a.Name, len(a.Runs), f)
		}
		for _, task := range r.Tasks {
			if test, _, _ := a.Scores(task); len(test) != 6 || len(a.RunScores(task)) != 2 {
				t.Errorf("%s %s: %d test scores", a.Name, task, len(test))
			}
		}
	}
	if figs, err := r.Figures(); err != nil || len(figs) != 5 {
		t.Errorf("%d figures, %v", len(figs), err)
	}
}
