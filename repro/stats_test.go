package repro

import (
	"math"
	"testing"
)

// TestCI95 checks the half-width against hand-computed values: t_{0.975,3} = 3.182 (tables), std √(5/3), n = 4.
func TestCI95(t *testing.T) {
	s := NewStat([]float64{1, 2, 3, 4})
	if want := 3.182 * math.Sqrt(5.0/3) / 2; math.Abs(s.CI95-want) > 1e-9 {
		t.Errorf("CI95 = %g, want %g", s.CI95, want)
	}
	if !math.IsNaN(NewStat([]float64{2}).CI95) {
		t.Error("one value must have no interval")
	}
	for _, tc := range []struct{ df, want float64 }{{1, 12.706}, {2.9, 4.303}, {30, 2.042}, {35, 2.021}, {1000, 1.96}} {
		if got := TQuantile975(tc.df); got != tc.want {
			t.Errorf("TQuantile975(%g) = %g, want %g", tc.df, got, tc.want)
		}
	}
}

// TestDiffVerdicts: separated samples give "holds" / "reversed", overlapping ones "not separated", too few values
// "untestable"; the Welch interval matches a hand computation.
func TestDiffVerdicts(t *testing.T) {
	lo, hi, mid := []float64{0.50, 0.51, 0.52}, []float64{0.60, 0.61, 0.62}, []float64{0.45, 0.55, 0.65}
	for _, tc := range []struct {
		a, b []float64
		want string
	}{
		{hi, lo, "holds"}, {lo, hi, "reversed"}, {mid, lo, "not separated"}, {hi, []float64{0.5}, "untestable"},
	} {
		if got := NewDiff(NewStat(tc.a), NewStat(tc.b)).Verdict(); got != tc.want {
			t.Errorf("%v vs %v: %s, want %s", tc.a, tc.b, got, tc.want)
		}
	}
	// Equal variances 0.0001 and n = 3: se = √(2·0.0001/3), df = 4 → t = 2.776.
	d := NewDiff(NewStat(hi), NewStat(lo))
	h := 2.776 * math.Sqrt(2*0.0001/3)
	if math.Abs(d.Gap-0.1) > 1e-12 || math.Abs(d.DF-4) > 1e-9 || math.Abs(d.Hi-d.Gap-h) > 1e-9 {
		t.Errorf("diff %+v, want gap 0.1, df 4, half-width %g", d, h)
	}
}
