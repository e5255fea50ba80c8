package repro

import (
	"math"
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
	if err != nil || len(figs) != 4 {
		t.Errorf("%d figures, %v", len(figs), err)
	}
}
