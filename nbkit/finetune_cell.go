package nbkit

import (
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/widgets"

	"github.com/deberta-go/lab/finetune"
)

// FineTuneTasks is notebook 04's fine-tuning cell: it fine-tunes model ("": the built-in discriminator) on
// each task in turn with opts, each a FinetuneRun in dir/<task> (a file task's "/" and ":" made "_") shown by its own live display (LiveFinetune),
// then shows the table of the results. A task finished in dir with the same settings is shown, not trained
// again; a stopped one continues from its saved state. In a browser a Stop button ends the current run at its
// next step boundary, saves its state and ends the cell (run the cell again to continue); headless
// (HeadlessEnv, or no browser answering) the displays end as static figures. saveModel names the tasks whose
// fine-tuned model is saved in its folder's model/ (ReloadCheck).
func FineTuneTasks(tasks []string, model string, opts finetune.Options, dir string, saveModel ...string) error {
	runs := make([]FinetuneRun, len(tasks))
	for i, task := range tasks {
		runs[i] = FinetuneRun{Task: task, Model: model, Options: opts, Dir: taskDir(dir, task), SaveModel: slices.Contains(saveModel, task)}
	}
	var current atomic.Pointer[LiveFinetune]
	headless := !interactive()
	if !headless {
		release, ok := stopButton(func() {
			if l := current.Load(); l != nil {
				l.Stop()
			}
		})
		defer release()
		headless = !ok
	}
	results, err := fineTuneRuns(GonbUI{}, "nbkit-finetune-"+gonbui.UniqueID(), runs, headless, &current)
	if err != nil {
		return err
	}
	if len(results) > 0 {
		GonbUI{}.Markdown(FinetuneTable(results))
	}
	gonbui.Sync()
	return nil
}

// fineTuneRuns trains (or shows, when finished earlier) each run in turn on its own display (id-<i>), current
// pointing at the display of the run in progress; a stopped run ends the list. It returns the finished runs'
// results.
func fineTuneRuns(d Display, id string, runs []FinetuneRun, headless bool, current *atomic.Pointer[LiveFinetune]) ([]*finetune.Result, error) {
	var results []*finetune.Result
	for i, r := range runs {
		res, err := r.Result()
		if err != nil {
			return nil, err
		}
		if res != nil {
			d.HTML(statusHTML(res.Summary(), "finished earlier in this session with these settings: loaded from "+r.Dir))
			results = append(results, res)
			continue
		}
		l := NewLiveFinetune(d, fmt.Sprintf("%s-%d", id, i), r.Task, max(1, r.Options.Steps/20), headless)
		current.Store(l)
		res, note, err := r.Train(l)
		current.Store(nil)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.Task, err)
		}
		if err := l.Finish(note); err != nil {
			return nil, err
		}
		if res == nil {
			break
		}
		results = append(results, res)
	}
	return results, nil
}

// FinetuneTable is a Markdown table of fine-tuning results: best dev and its test score, best step, truncated
// test inputs, training throughput and wall time.
func FinetuneTable(results []*finetune.Result) string {
	var b strings.Builder
	b.WriteString("| task | metric | best dev | test | best step | truncated (test) | train examples/s | wall |\n|---|---|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range results {
		test, truncated := "–", "–"
		if r.Test != nil {
			test, truncated = fmt.Sprintf("%.4f", r.Test.Score), fmt.Sprint(r.Test.Truncated)
		}
		fmt.Fprintf(&b, "| %s | %s | %.4f | %s | %d | %s | %.1f | %.0f s |\n", r.Task, r.Dev.Metric, r.Dev.Score, test,
			r.BestStep, truncated, r.TrainExamplesPerSecond, r.WallSeconds)
	}
	return b.String()
}

// stopButton shows a Stop button that calls stop on each click, and a release function; ok is false (and
// nothing is listened to) when no browser answered within 4×FrontEndTimeout.
func stopButton(stop func()) (release func(), ok bool) {
	built := make(chan *widgets.ButtonBuilder, 1)
	go func() { built <- widgets.Button("Stop").WithHtmlId("nbkit-stop-" + gonbui.UniqueID()).Done() }()
	var b *widgets.ButtonBuilder
	select {
	case b = <-built:
	case <-time.After(4 * FrontEndTimeout):
		return func() {}, false
	}
	clicks := b.Listen()
	go func() {
		for range clicks.C {
			stop()
		}
	}()
	return clicks.Close, true
}
