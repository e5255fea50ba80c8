package finetune

import (
	"errors"
	"reflect"
	"testing"
)

// TestStopSaveLoadState: 12 steps straight vs stopped after 5 (Options.Stop), SaveState, LoadState in a new
// Trainer and the rest: the same history, best step and dev/test scores.
func TestStopSaveLoadState(t *testing.T) {
	task := &Task{Name: "sentiment", Kind: KindClassification, Labels: []string{"neg", "pos"},
		Train: sentimentExamples(40, 1), Dev: sentimentExamples(16, 2), Test: sentimentExamples(16, 3)}
	opts := DefaultOptions()
	opts.MaxLength, opts.BatchSize, opts.Steps, opts.EvalEvery, opts.LR = 16, 8, 12, 4, 2e-3
	model := tinyModel(t)
	run := func(tr *Trainer) *Result {
		res, err := tr.Train()
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	straight, err := New(model, task, opts)
	if err != nil {
		t.Fatal(err)
	}
	want := run(straight)

	stopAt := 5
	first, err := New(model, task, opts)
	if err != nil {
		t.Fatal(err)
	}
	first.opts.Stop = func() bool { return first.step == stopAt }
	if _, err := first.Train(); !errors.Is(err, ErrStopped) {
		t.Fatalf("Train with Stop: %v, want ErrStopped", err)
	}
	dir := t.TempDir()
	if err := first.SaveState(dir); err != nil {
		t.Fatal(err)
	}
	resumed, err := New(model, task, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := resumed.LoadState(dir); err != nil {
		t.Fatal(err)
	}
	got := run(resumed)
	if !reflect.DeepEqual(got.History, want.History) || got.BestStep != want.BestStep || got.Dev.Score != want.Dev.Score ||
		got.Test.Score != want.Test.Score {
		t.Errorf("resumed run differs:\n%+v\n%+v", got.History, want.History)
	}
	other := opts
	other.Steps = 20
	mismatched, err := New(model, task, other)
	if err != nil {
		t.Fatal(err)
	}
	if err := mismatched.LoadState(dir); err == nil {
		t.Error("LoadState into a run of other length: no error")
	}
}
