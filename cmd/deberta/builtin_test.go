package main

import (
	"os"
	"testing"

	"github.com/deberta-go/lab/defaultmodel"
)

// TestBuiltinModel: without --model, detect uses the built-in discriminator and fill-mask the built-in generator,
// and both behave as the model card (defaultmodel/README.md) shows: a replaced word ("whale" in "United whale",
// "Congress" in "swam under the Congress") is flagged with high probability, the original word in the same place
// with low probability.
func TestBuiltinModel(t *testing.T) {
	t.Setenv(defaultmodel.CacheDirEnv, t.TempDir())
	fill := runJSON[fillMaskLine](t, runFillMask, "", "--top-k", "5", "The Congress of the United [MASK] must act.")
	if len(fill) != 1 || len(fill[0].Masks) != 1 || len(fill[0].Masks[0].Candidates) != 5 {
		t.Errorf("fill-mask: %+v", fill)
	}
	for _, tc := range []struct{ original, replaced, origWord, replWord string }{
		{"The Congress of the United States must act to protect the people.", "The Congress of the United whale must act to protect the people.", "▁States", "▁whale"},
		{"The whale swam under the ship.", "The whale swam under the Congress.", "▁ship", "▁Congress"},
	} {
		det := runJSON[detectLine](t, runDetect, "", tc.original, tc.replaced)
		if orig, repl := detectScore(t, det[0], tc.origWord), detectScore(t, det[1], tc.replWord); !(orig < 0.1 && repl > 0.5) {
			t.Errorf("P(replaced): %s %.3f (want < 0.1), %s %.3f (want > 0.5)", tc.origWord, orig, tc.replWord, repl)
		}
	}
}

// TestBuiltinModelHeldOut: on held-out batches of the pre-training corpus's validation split, the built-in
// discriminator ranks its generator's replacements well above the originals (AUC ≥ 0.8, gain over the prior ≥ 0.08
// nats; the model card: 0.849, 0.129 over the whole split) and the generator's fill-mask top-5 accuracy is ≥ 0.25
// (card: 0.311). A discriminator at the prior has AUC 0.5 and gain ≤ 0. Needs the fetched corpora (DEBERTA_FETCH_TEST=1).
func TestBuiltinModelHeldOut(t *testing.T) {
	if os.Getenv("DEBERTA_FETCH_TEST") != "1" {
		t.Skip("set DEBERTA_FETCH_TEST=1 to read the real corpora")
	}
	t.Setenv(defaultmodel.CacheDirEnv, t.TempDir())
	res := runJSON[evalRTDResult](t, runEvalRTD, "", "--held-out", "--max-batches", "24")
	if len(res) != 1 {
		t.Fatalf("%d lines", len(res))
	}
	r := res[0]
	t.Logf("held-out: AUC %.3f, gain %.4f, fill-mask top-1 %.3f, top-5 %.3f over %d tokens", r.AUC, r.Gain, r.FillTop1, r.FillTop5, r.Tokens)
	if r.AUC < 0.8 || r.Gain < 0.08 || r.FillTop5 < 0.25 || r.Tokens < 20000 {
		t.Errorf("the built-in model no longer does what its card says: %+v", r)
	}
}

func detectScore(t *testing.T, line detectLine, token string) float64 {
	t.Helper()
	for _, s := range line.Tokens {
		if s.Token == token {
			return s.Score
		}
	}
	t.Fatalf("no token %q in %+v", token, line.Tokens)
	return 0
}
