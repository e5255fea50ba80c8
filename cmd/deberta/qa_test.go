package main

import (
	"testing"

	"github.com/deberta-go/lab/pipeline/tinymodels"
)

func TestQACommand(t *testing.T) {
	dir := tinyModel(t, tinymodels.QA)
	context := "Ada Lovelace wrote the first program in 1843."
	got := runJSON[qaLine](t, runQA, "", "--model", dir, "--context", context, "--top-k", "2", "--max-answer-len", "3", "Who?", "When?")
	if len(got) != 2 || got[1].Question != "When?" || len(got[0].Answers) != 2 {
		t.Fatalf("qa output %+v", got)
	}
	for _, a := range got[0].Answers {
		if a.Text != context[a.Start:a.End] || a.EndToken-a.StartToken+1 > 3 {
			t.Errorf("answer %+v", a)
		}
	}
	objs := runJSON[qaLine](t, runQA, `{"question": "Who?", "context": "Ada did."}`+"\n", "--model", dir)
	if len(objs) != 1 || objs[0].Context != "Ada did." || len(objs[0].Answers) != 1 {
		t.Errorf("qa JSON input output %+v", objs)
	}
	if _, err := runWithStdin(runQA, "", "--model", dir, "Who?"); err == nil {
		t.Error("a plain question without --context: no error")
	}
}
