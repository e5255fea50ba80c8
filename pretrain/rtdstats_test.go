package pretrain

import (
	"math"
	"testing"
)

// TestRankAUC checks RankAUC against AUCs computed by hand as the fraction of (positive, negative) pairs ranked
// correctly, ties counting one half.
func TestRankAUC(t *testing.T) {
	for _, tc := range []struct {
		name     string
		scores   []float64
		positive []bool
		want     float64
	}{
		{"perfect", []float64{0.1, 0.2, 0.8, 0.9}, []bool{false, false, true, true}, 1},
		{"inverted", []float64{0.1, 0.2, 0.8, 0.9}, []bool{true, true, false, false}, 0},
		// Pairs (p, n): (0.35, 0.1) ✓, (0.35, 0.4) ✗, (0.8, 0.1) ✓, (0.8, 0.4) ✓ → 3/4.
		{"sklearn example", []float64{0.1, 0.4, 0.35, 0.8}, []bool{false, false, true, true}, 0.75},
		// Every pair tied → 1/2.
		{"all tied", []float64{3, 3, 3, 3, 3}, []bool{true, false, false, true, false}, 0.5},
		// p = {2, 1}, n = {1, 0, 1}: (2, ·) 3 wins; (1, 1) ½, (1, 0) 1, (1, 1) ½ → 5/6.
		{"ties across classes", []float64{2, 1, 1, 0, 1}, []bool{true, true, false, false, false}, 5.0 / 6},
		// p = {0.5}, n = {0.5, 0.2, 0.9}: ½ + 1 + 0 → 1.5/3.
		{"one positive", []float64{0.5, 0.5, 0.2, 0.9}, []bool{true, false, false, false}, 0.5},
		// p = {4, 2, 2}, n = {3, 2, 1}: 4 beats all (3); each 2: vs 3 ✗, vs 2 ½, vs 1 ✓ → 1.5 each → 6/9.
		{"mixed ties", []float64{4, 2, 2, 3, 2, 1}, []bool{true, true, true, false, false, false}, 6.0 / 9},
		{"no negatives", []float64{1, 2}, []bool{true, true}, 0.5},
		{"no positives", []float64{1, 2}, []bool{false, false}, 0.5},
		{"empty", nil, nil, 0.5},
	} {
		if got := RankAUC(tc.scores, tc.positive); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("%s: RankAUC = %.6f, want %.6f", tc.name, got, tc.want)
		}
	}
}

// TestRTDStatsOf checks every field on a hand-computed case, the scored filter and the errors.
func TestRTDStatsOf(t *testing.T) {
	// Scored tokens (the last one is not): logits 2, −1, 0.5, −3 with labels 1, 0, 0, 1.
	logits := []float32{2, -1, 0.5, -3, 9}
	labels := []float32{1, 0, 0, 1, 0}
	scored := []bool{true, true, true, true, false}
	s, err := RTDStatsOf(logits, labels, scored)
	if err != nil {
		t.Fatal(err)
	}
	softplus := func(x float64) float64 { return math.Log1p(math.Exp(x)) }
	// BCE: y=1 → softplus(−x), y=0 → softplus(x).
	loss := (softplus(-2) + softplus(-1) + softplus(0.5) + softplus(3)) / 4
	// Predicted replaced (logit > 0): tokens 0 (right) and 2 (wrong); correct: tokens 0 and 1.
	// AUC: p = {2, −3}, n = {−1, 0.5}: 2 beats both, −3 beats none → 2/4.
	want := RTDStats{Tokens: 4, Replaced: 2, Prior: 0.5, Loss: loss, Gain: math.Ln2 - loss, AUC: 0.5, Accuracy: 0.5,
		Precision: 0.5, Recall: 0.5}
	if math.Abs(s.Loss-want.Loss) > 1e-12 || math.Abs(s.Gain-want.Gain) > 1e-12 {
		t.Errorf("loss %.9f gain %.9f, want %.9f %.9f", s.Loss, s.Gain, want.Loss, want.Gain)
	}
	s.Loss, s.Gain, want.Loss, want.Gain = 0, 0, 0, 0
	if s != want {
		t.Errorf("RTDStatsOf = %+v, want %+v", s, want)
	}
	if all, _ := RTDStatsOf(logits, labels, nil); all.Tokens != 5 || all.Replaced != 2 {
		t.Errorf("without scored flags: %+v", all)
	}
	if none, err := RTDStatsOf(nil, nil, nil); err != nil || none != (RTDStats{}) {
		t.Errorf("no tokens: %+v, %v", none, err)
	}
	if _, err := RTDStatsOf(logits, labels[:2], nil); err == nil {
		t.Error("mismatched lengths: no error")
	}
	// Large logits stay finite: softplus(−800) ≈ 0, softplus(800) = 800.
	big, _ := RTDStatsOf([]float32{800, -800}, []float32{1, 1}, nil)
	if math.Abs(big.Loss-400) > 1e-9 || big.Precision != 1 || big.Recall != 0.5 {
		t.Errorf("large logits: %+v", big)
	}
}

func TestBinaryEntropy(t *testing.T) {
	for _, tc := range []struct{ p, want float64 }{{0, 0}, {1, 0}, {0.5, math.Ln2}, {0.25, -(0.25*math.Log(0.25) + 0.75*math.Log(0.75))}} {
		if got := BinaryEntropy(tc.p); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("BinaryEntropy(%g) = %g, want %g", tc.p, got, tc.want)
		}
	}
}
