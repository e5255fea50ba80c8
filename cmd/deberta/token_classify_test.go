package main

import (
	"testing"

	"github.com/deberta-go/lab/pipeline/tinymodels"
)

func TestTokenClassifyCommand(t *testing.T) {
	dir := tinyModel(t, tinymodels.NER)
	text := "Ada Lovelace lives in London"
	tokens := runJSON[tokenClassifyLine](t, runTokenClassify, "", "--model", dir, "--aggregate=false", text)
	if len(tokens) != 1 || len(tokens[0].Entities) < 5 {
		t.Fatalf("per-token output %+v", tokens)
	}
	spans := runJSON[tokenClassifyLine](t, runTokenClassify, "", "--model", dir, text)
	for _, e := range spans[0].Entities {
		if e.Word != text[e.Start:e.End] || e.Label == "O" || e.Token != "" {
			t.Errorf("span %+v", e)
		}
	}
}
