package main

import (
	"math"
	"testing"

	"github.com/deberta-go/lab/pipeline/tinymodels"
)

func TestClassifyCommand(t *testing.T) {
	dir := tinyModel(t, tinymodels.NLI)
	got := runJSON[classifyLine](t, runClassify, "", "--model", dir, "A text.", "Another one.")
	if len(got) != 2 || len(got[0].Labels) != 3 || got[0].Text != "A text." {
		t.Fatalf("classify output %+v", got)
	}
	sum := 0.0
	for _, l := range got[0].Labels {
		sum += l.Score
	}
	if math.Abs(sum-1) > 1e-9 {
		t.Errorf("softmax scores sum to %g", sum)
	}
	pairs := runJSON[classifyLine](t, runClassify, `["A man eats.", "Someone eats."]`+"\n", "--model", dir, "--pair", "--multi-label")
	if len(pairs) != 1 || pairs[0].Pair == nil || pairs[0].Pair[1] != "Someone eats." || len(pairs[0].Labels) != 3 {
		t.Errorf("classify --pair output %+v", pairs)
	}
	if _, err := runWithStdin(runClassify, "", "--model", dir, "--pair", "not json"); err == nil {
		t.Error("--pair with a non-JSON input: no error")
	}
}
