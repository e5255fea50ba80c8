package repro

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/deberta-go/lab/finetune"
	"github.com/deberta-go/lab/pretrain"
)

// DefaultArms are the experiment's pre-training arms, in table order.
var DefaultArms = []string{"gdes", "es", "nes", "mlm"}

// Run is one pre-training run of an arm: Name is its folder ("pt1", "pt2", …; "" for the single run of the
// first layout, <arm>/metrics.jsonl).
type Run struct {
	Name    string
	Metrics []pretrain.Record
}

// Arm is one pre-training arm: its runs (one per pre-training seed) and its fine-tuning results per task.
type Arm struct {
	Name string
	Runs []Run
	// Finetunes[task] are the results of every run and fine-tuning seed, sorted by run then seed.
	Finetunes map[string][]*finetune.Result
	// FinetuneRun[task][i] is the Run.Name of Finetunes[task][i].
	FinetuneRun map[string][]string
}

// Report is the whole experiment.
type Report struct {
	Arms  []Arm
	Tasks []string // sorted
}

// Load reads each arm (nil: DefaultArms) of an experiment folder in either layout:
//
//   - one run per arm: dir/<arm>/metrics.jsonl and dir/ft/<arm>/<task>/seed*/results.json;
//   - runs per pre-training seed (scripts/reproduce.sh): dir/<arm>/pt*/metrics.jsonl and
//     dir/ft/<arm>/pt*/<task>/seed*/results.json.
//
// An arm without any run is an error; an arm without fine-tuning results has none.
func Load(dir string, arms []string) (*Report, error) {
	if arms == nil {
		arms = DefaultArms
	}
	r := &Report{}
	tasks := map[string]bool{}
	for _, name := range arms {
		arm, err := loadArm(dir, name)
		if err != nil {
			return nil, fmt.Errorf("repro: arm %s: %w", name, err)
		}
		for t := range arm.Finetunes {
			tasks[t] = true
		}
		r.Arms = append(r.Arms, arm)
	}
	for t := range tasks {
		r.Tasks = append(r.Tasks, t)
	}
	sort.Strings(r.Tasks)
	return r, nil
}

func loadArm(dir, name string) (Arm, error) {
	arm := Arm{Name: name, Finetunes: map[string][]*finetune.Result{}, FinetuneRun: map[string][]string{}}
	runs := []string{""}
	if _, err := os.Stat(filepath.Join(dir, name, pretrain.MetricsFile)); errors.Is(err, fs.ErrNotExist) {
		found, err := filepath.Glob(filepath.Join(dir, name, "pt*", pretrain.MetricsFile))
		if err != nil {
			return arm, err
		}
		if len(found) == 0 {
			return arm, fmt.Errorf("no %s in %s or its pt*/ folders", pretrain.MetricsFile, filepath.Join(dir, name))
		}
		runs = runs[:0]
		for _, f := range found {
			runs = append(runs, filepath.Base(filepath.Dir(f)))
		}
		slices.SortFunc(runs, compareRunNames)
	}
	for _, run := range runs {
		metrics, err := pretrain.ReadMetrics(filepath.Join(dir, name, run))
		if err != nil {
			return arm, err
		}
		arm.Runs = append(arm.Runs, Run{Name: run, Metrics: metrics})
		if err := arm.loadFinetunes(filepath.Join(dir, "ft", name, run), run); err != nil {
			return arm, err
		}
	}
	return arm, nil
}

// loadFinetunes appends the results under dir/<task>/seed*/results.json, sorted by seed.
func (a *Arm) loadFinetunes(dir, run string) error {
	files, err := filepath.Glob(filepath.Join(dir, "*", "seed*", "results.json"))
	if err != nil {
		return err
	}
	byTask := map[string][]*finetune.Result{}
	for _, f := range files {
		res, err := finetune.ReadResult(f)
		if err != nil {
			return err
		}
		task := filepath.Base(filepath.Dir(filepath.Dir(f)))
		byTask[task] = append(byTask[task], res)
	}
	for task, rs := range byTask {
		slices.SortFunc(rs, func(a, b *finetune.Result) int { return int(a.Seed - b.Seed) })
		a.Finetunes[task] = append(a.Finetunes[task], rs...)
		for range rs {
			a.FinetuneRun[task] = append(a.FinetuneRun[task], run)
		}
	}
	return nil
}

// compareRunNames orders pt2 before pt10.
func compareRunNames(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}

// Scores are an arm's test (or, without a test split, dev) scores on a task over its runs and seeds, and the metric.
func (a Arm) Scores(task string) (test, dev []float64, metric string) {
	for _, r := range a.Finetunes[task] {
		metric = r.Dev.Metric
		dev = append(dev, r.Dev.Score)
		if r.Test != nil {
			test = append(test, r.Test.Score)
		}
	}
	return test, dev, metric
}

// RunScores are the mean test scores on a task per pre-training run (the unit that varies the pre-training).
func (a Arm) RunScores(task string) []float64 {
	sums, counts := map[string]float64{}, map[string]int{}
	for i, r := range a.Finetunes[task] {
		if r.Test != nil {
			run := a.FinetuneRun[task][i]
			sums[run] += r.Test.Score
			counts[run]++
		}
	}
	var out []float64
	for _, run := range a.Runs {
		if counts[run.Name] > 0 {
			out = append(out, sums[run.Name]/float64(counts[run.Name]))
		}
	}
	return out
}

// MacroF1 are the test macro-F1 scores of a classification / tagging task over the runs and seeds.
func (a Arm) MacroF1(task string) []float64 {
	var out []float64
	for _, r := range a.Finetunes[task] {
		if r.Test != nil && r.Test.Class != nil {
			out = append(out, r.Test.Class.MacroF1)
		}
	}
	return out
}
