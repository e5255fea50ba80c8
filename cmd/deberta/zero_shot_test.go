package main

import (
	"strings"
	"testing"

	"github.com/deberta-go/lab/pipeline/tinymodels"
)

func TestZeroShotCommand(t *testing.T) {
	dir := tinyModel(t, tinymodels.NLI)
	got := runJSON[zeroShotLine](t, runZeroShot, "", "--model", dir, "--labels", "sports, politics,cooking", "A goal!")
	if len(got) != 1 || len(got[0].Labels) != 3 {
		t.Fatalf("zero-shot output %+v", got)
	}
	names := map[string]bool{}
	for _, l := range got[0].Labels {
		names[l.Label] = true
	}
	if !names["sports"] || !names["politics"] || !names["cooking"] {
		t.Errorf("labels %+v", got[0].Labels)
	}
	if _, err := runWithStdin(runZeroShot, "", "--model", dir, "A goal!"); err == nil || !strings.Contains(err.Error(), "--labels") {
		t.Errorf("no --labels: error %v", err)
	}
	ner := tinyModel(t, tinymodels.NER)
	if _, err := runWithStdin(runZeroShot, "", "--model", ner, "--labels", "a,b", "x"); err == nil {
		t.Error("zero-shot with a token classifier: no error")
	}
}
