package main

import (
	"testing"

	"github.com/deberta-go/lab/pipeline/tinymodels"
)

func TestDetectCommand(t *testing.T) {
	dir := tinyModel(t, tinymodels.RTD)
	// Inputs one per line on stdin; a long one is truncated to --max-length (a warning on stderr).
	got := runJSON[detectLine](t, runDetect, "Hello world\n\none two three four five six seven eight\n",
		"--model", dir, "--max-length", "6", "--batch-size", "1")
	if len(got) != 2 || got[0].Text != "Hello world" || len(got[1].Tokens) != 4 {
		t.Fatalf("detect output %+v", got)
	}
	for _, line := range got {
		for _, tok := range line.Tokens {
			if tok.Score <= 0 || tok.Score >= 1 || tok.Token == "" {
				t.Errorf("token %+v", tok)
			}
		}
	}
	if _, err := runWithStdin(runDetect, "", "--model", tinyModel(t, tinymodels.QA), "x"); err == nil {
		t.Error("detect with a QA model: no error")
	}
}
