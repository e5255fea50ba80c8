package main

import (
	"testing"

	"github.com/deberta-go/lab/defaultmodel"
)

// TestBuiltinModel: without --model, fill-mask uses the built-in generator and detect the built-in
// discriminator, and both give the answers the model card (defaultmodel/README.md) shows: "United [MASK]" is
// completed with "States", and "whale" after "United" is more suspicious than "States".
func TestBuiltinModel(t *testing.T) {
	t.Setenv(defaultmodel.CacheDirEnv, t.TempDir())
	fill := runJSON[fillMaskLine](t, runFillMask, "", "--top-k", "3", "The Congress of the United [MASK] must act.")
	if len(fill) != 1 || len(fill[0].Masks) != 1 || fill[0].Masks[0].Candidates[0].Token != "▁States" {
		t.Errorf("fill-mask: %+v", fill)
	}
	texts := []string{"The Congress of the United States must act to protect the people.",
		"The Congress of the United whale must act to protect the people."}
	det := runJSON[detectLine](t, runDetect, "", texts...)
	score := func(line detectLine, token string) float64 {
		for _, s := range line.Tokens {
			if s.Token == token {
				return s.Score
			}
		}
		t.Fatalf("no token %q in %+v", token, line.Tokens)
		return 0
	}
	if orig, repl := score(det[0], "▁States"), score(det[1], "▁whale"); !(repl > orig+0.1) {
		t.Errorf("P(replaced): States %.3f, whale %.3f", orig, repl)
	}
}
