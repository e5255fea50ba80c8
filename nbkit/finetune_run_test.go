package nbkit

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/deberta-go/lab/finetune"
	"github.com/deberta-go/lab/internal/testutil"
	"github.com/deberta-go/lab/pipeline/tinymodels"
)

// tinyFinetune is a FinetuneRun of 12 steps (dev evaluations at 4, 8, 12) of a tiny random-weight model on a
// keyword-sentiment TSV task, in dir.
func tinyFinetune(t *testing.T, dir string) FinetuneRun {
	t.Helper()
	root := t.TempDir()
	model := filepath.Join(root, "model")
	spm := filepath.Join(testutil.RepoRoot(), "tokenizer", "testdata", "spm-bytefallback")
	if err := tinymodels.Write(model, tinymodels.RTD, spm, 1); err != nil {
		t.Fatal(err)
	}
	var tsv strings.Builder
	tsv.WriteString("sentence\tlabel\n")
	words := [][]string{{"bad", "awful", "poor"}, {"good", "great", "fine"}}
	for i := range 160 {
		fmt.Fprintf(&tsv, "the movie was %s today %d\t%s\n", words[i%2][i%3], i, []string{"neg", "pos"}[i%2])
	}
	task := filepath.Join(root, "sentiment.tsv")
	if err := os.WriteFile(task, []byte(tsv.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	opts := finetune.DefaultOptions()
	opts.MaxLength, opts.BatchSize, opts.Steps, opts.EvalEvery, opts.LR = 16, 8, 12, 4, 2e-3
	return FinetuneRun{Task: "tsv:" + task, Model: model, Options: opts, Dir: dir, SaveModel: true}
}

// TestFinetuneStopResumes stops a fine-tune from its live display after step 5 (a step boundary), runs the cell
// again, which continues the saved state, and compares with a run straight through: the same results and
// bit-identical saved weights. The display was updated at every step, with the dev score once evaluated.
func TestFinetuneStopResumes(t *testing.T) {
	straight := tinyFinetune(t, filepath.Join(t.TempDir(), "straight"))
	want, _, err := straight.Train(NewLiveFinetune(&recorder{}, "a", "straight", 4, true))
	if err != nil || want == nil {
		t.Fatalf("straight run: %v, %v", want, err)
	}

	r := straight
	r.Dir = filepath.Join(t.TempDir(), "stopped")
	d := &recorder{}
	l := NewLiveFinetune(d, "live", "tiny", 1, false)
	d.onUpdate = func() {
		if l.Curves.Step() == 5 {
			l.Stop()
		}
	}
	res, note, err := r.Train(l)
	if err != nil || res != nil || !strings.Contains(note, "Stopped after step 5") {
		t.Fatalf("stopped run: result %v, note %q, %v", res, note, err)
	}
	if st, err := r.state(); st != "stopped" || err != nil {
		t.Fatalf("after the stop the folder is %q (%v), want stopped", st, err)
	}
	if u := d.updates["live"]; len(u) != 6 || !strings.Contains(u[5], "step 5/12") ||
		!strings.Contains(u[5], "dev accuracy") || !strings.Contains(u[5], "examples/s") {
		t.Fatalf("%d updates (want the placeholder and 5 steps), last %.300q", len(u), u[len(u)-1])
	}

	again := NewLiveFinetune(&recorder{}, "live", "tiny", 1, false)
	got, note, err := r.Train(again)
	if err != nil || got == nil || !strings.Contains(note, "continued from step 5") {
		t.Fatalf("resumed run: result %v, note %q, %v", got, note, err)
	}
	if !reflect.DeepEqual(got.History, want.History) || got.BestStep != want.BestStep || got.Test.Score != want.Test.Score {
		t.Errorf("resumed run differs:\n%+v\n%+v", got.History, want.History)
	}
	if !reflect.DeepEqual(again.Curves.EvalSteps, []float64{4, 8, 12}) || again.Curves.Steps[0] != 6 {
		t.Errorf("resumed display: evaluations at %v, first step %v", again.Curves.EvalSteps, again.Curves.Steps[0])
	}
	sameFile(t, filepath.Join(straight.Dir, runModelDir, "model.safetensors"), filepath.Join(r.Dir, runModelDir, "model.safetensors"))
}

func sameFile(t *testing.T, a, b string) {
	t.Helper()
	x, errA := os.ReadFile(a)
	y, errB := os.ReadFile(b)
	if errA != nil || errB != nil || !bytes.Equal(x, y) {
		t.Errorf("%s and %s differ (%v, %v)", a, b, errA, errB)
	}
}

// TestFineTuneRunsSkipsFinished: a run finished with the same settings is shown from its folder, not trained
// again; other settings train afresh (here: stopped at once by the display).
func TestFineTuneRunsSkipsFinished(t *testing.T) {
	r := tinyFinetune(t, filepath.Join(t.TempDir(), "run"))
	var current atomic.Pointer[LiveFinetune]
	d := &recorder{}
	if _, err := fineTuneRuns(d, "id", []FinetuneRun{r}, true, &current); err != nil {
		t.Fatal(err)
	}
	d = &recorder{}
	results, err := fineTuneRuns(d, "id", []FinetuneRun{r}, true, &current)
	if err != nil || len(results) != 1 || len(d.html) != 1 || !strings.Contains(d.html[0], "finished earlier") || d.pngs != 0 {
		t.Fatalf("second call: %d results, %v, HTML %q, %d PNGs", len(results), err, d.html, d.pngs)
	}
	if tab := FinetuneTable(results); !strings.Contains(tab, "| accuracy |") || strings.Count(tab, "\n") != 3 {
		t.Errorf("table %q", tab)
	}
	other := r
	other.Options.Seed = 2
	if res, err := other.Result(); res != nil || err != nil {
		t.Errorf("a run of other settings reads the folder's result: %v, %v", res, err)
	}
}

// TestDownstreamHelpers: the task table, and the saved model of a finished run reloaded with the same test
// score (an altered recorded score is reported).
func TestDownstreamHelpers(t *testing.T) {
	dir := t.TempDir()
	r := tinyFinetune(t, "")
	r.Dir = taskDir(dir, r.Task)
	var current atomic.Pointer[LiveFinetune]
	if _, err := fineTuneRuns(&recorder{}, "id", []FinetuneRun{r}, true, &current); err != nil {
		t.Fatal(err)
	}
	tab, err := TaskTable([]string{r.Task})
	if err != nil || !strings.Contains(tab, "| classification | 2 |") || !strings.Contains(tab, "→ **neg**") {
		t.Errorf("task table %q, %v", tab, err)
	}
	out, err := ReloadCheck(dir, r.Task, r.Options)
	if err != nil || !strings.Contains(out, "model.safetensors") || !strings.Contains(out, "newly initialised after reload: []") {
		t.Fatalf("ReloadCheck: %v\n%s", err, out)
	}
	if md, err := ClassReport(dir, r.Task); err != nil || !strings.Contains(md, "| neg |") {
		t.Errorf("class report %q, %v", md, err)
	}
	res, err := FinetuneResult(dir, r.Task)
	if err != nil {
		t.Fatal(err)
	}
	res.Test.Score += 0.5
	if err := res.WriteJSON(filepath.Join(r.Dir, runResultsFile)); err != nil {
		t.Fatal(err)
	}
	if _, err := ReloadCheck(dir, r.Task, r.Options); err == nil {
		t.Error("ReloadCheck passed a model whose recorded test score differs")
	}
}
