package finetune

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// TestStopSaveLoadState: 12 steps straight vs stopped after 5 (Options.Stop, asked by Options.OnStep as a
// notebook's Stop button does), SaveState, LoadState in a new Trainer and the rest: the same history, best step,
// dev/test scores and bit-identical final weights; OnStep saw every step once, with the evaluations.
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

	var steps, evals []int
	stop := false
	opts.Stop = func() bool { return stop }
	opts.OnStep = func(s StepInfo) error {
		steps = append(steps, s.Step)
		if s.Eval != nil {
			evals = append(evals, s.Eval.Step)
		}
		stop = s.Step == 5
		return nil
	}
	first, err := New(model, task, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := first.Train(); !errors.Is(err, ErrStopped) || first.Step() != 5 {
		t.Fatalf("Train with Stop: %v at step %d, want ErrStopped at 5", err, first.Step())
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
	if !reflect.DeepEqual(steps, []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}) || !reflect.DeepEqual(evals, []int{4, 8, 12}) {
		t.Errorf("OnStep saw steps %v, evaluations %v", steps, evals)
	}
	sameWeights(t, straight, resumed)
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

// sameWeights fails unless a's and b's parameters are bit-identical.
func sameWeights(t *testing.T, a, b *Trainer) {
	t.Helper()
	wa, err := a.snapshot()
	if err != nil {
		t.Fatal(err)
	}
	wb, err := b.snapshot()
	if err != nil {
		t.Fatal(err)
	}
	for name, x := range wa {
		xa, errA := tensors.CopyFlatData[float32](x)
		xb, errB := tensors.CopyFlatData[float32](wb[name])
		if errA != nil || errB != nil || !slices.Equal(xa, xb) {
			t.Fatalf("%s differs after the resumed run", name)
		}
	}
}

// TestPrintProgress: an evaluation line at each evaluation, a loss line every 5% of the steps once the rate is
// known, nothing else.
func TestPrintProgress(t *testing.T) {
	var b strings.Builder
	p := PrintProgress(&b)
	res := &Result{BestStep: 20, Dev: EvalReport{Metric: "accuracy", Score: 0.75}}
	for _, s := range []StepInfo{
		{Step: 3, Total: 60, MeanLoss: 2.5}, // rate unknown: silent
		{Step: 6, Total: 60, MeanLoss: 2.25, ExamplesPerSecond: 10.5, ETA: 90 * time.Second},
		{Step: 7, Total: 60, ExamplesPerSecond: 10.5}, // not a 5% step
		{Step: 20, Total: 60, Eval: &EvalPoint{Step: 20, TrainLoss: 2, DevScore: 0.75}, Result: res, Elapsed: 39 * time.Second},
	} {
		if err := p(s); err != nil {
			t.Fatal(err)
		}
	}
	want := "step 6/60  loss 2.2500  10.5 examples/s  ETA 1m30s\n" +
		"step 20/60  train loss 2.0000  dev accuracy 0.7500  best 0.7500 (step 20)  39s\n"
	if b.String() != want {
		t.Errorf("progress:\n%s\nwant:\n%s", b.String(), want)
	}
}
