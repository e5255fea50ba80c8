package repro

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"

	"github.com/deberta-go/lab/finetune"
	"github.com/deberta-go/lab/pretrain"
)

// DefaultArms are the experiment's pre-training arms, in table order.
var DefaultArms = []string{"gdes", "es", "nes", "mlm"}

// Arm is one pre-training arm: its run folder's metrics and its fine-tuning results per task.
type Arm struct {
	Name    string
	Metrics []pretrain.Record
	// Finetunes[task] are the results of the seeds, sorted by seed.
	Finetunes map[string][]*finetune.Result
}

// Report is the whole experiment.
type Report struct {
	Arms  []Arm
	Tasks []string // sorted
}

// Load reads dir/<arm>/metrics.jsonl and dir/ft/<arm>/<task>/seed*/results.json for each arm (nil: DefaultArms).
// A missing arm folder is an error; an arm without fine-tuning results has none.
func Load(dir string, arms []string) (*Report, error) {
	if arms == nil {
		arms = DefaultArms
	}
	r := &Report{}
	tasks := map[string]bool{}
	for _, name := range arms {
		metrics, err := pretrain.ReadMetrics(filepath.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("repro: arm %s: %w", name, err)
		}
		arm := Arm{Name: name, Metrics: metrics, Finetunes: map[string][]*finetune.Result{}}
		files, err := filepath.Glob(filepath.Join(dir, "ft", name, "*", "seed*", "results.json"))
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			res, err := finetune.ReadResult(f)
			if err != nil {
				return nil, err
			}
			task := filepath.Base(filepath.Dir(filepath.Dir(f)))
			arm.Finetunes[task] = append(arm.Finetunes[task], res)
			tasks[task] = true
		}
		for _, rs := range arm.Finetunes {
			slices.SortFunc(rs, func(a, b *finetune.Result) int { return int(a.Seed - b.Seed) })
		}
		r.Arms = append(r.Arms, arm)
	}
	for t := range tasks {
		r.Tasks = append(r.Tasks, t)
	}
	sort.Strings(r.Tasks)
	return r, nil
}

// Stat is a mean and a sample standard deviation over N values.
type Stat struct {
	Mean, Std float64
	N         int
}

// String formats "mean ± std" (percent for scores in [0, 1] is the caller's choice).
func (s Stat) String() string {
	if s.N == 0 {
		return "–"
	}
	return fmt.Sprintf("%.4f ± %.4f", s.Mean, s.Std)
}

// NewStat computes the mean and the sample standard deviation (n−1; 0 for one value).
func NewStat(xs []float64) Stat {
	s := Stat{N: len(xs)}
	if s.N == 0 {
		return s
	}
	for _, x := range xs {
		s.Mean += x
	}
	s.Mean /= float64(s.N)
	if s.N > 1 {
		var ss float64
		for _, x := range xs {
			ss += (x - s.Mean) * (x - s.Mean)
		}
		s.Std = math.Sqrt(ss / float64(s.N-1))
	}
	return s
}

// Scores are an arm's test (or, without a test split, dev) scores on a task over its seeds, and the metric.
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

// MacroF1 are the test macro-F1 scores of a classification / tagging task over the seeds.
func (a Arm) MacroF1(task string) []float64 {
	var out []float64
	for _, r := range a.Finetunes[task] {
		if r.Test != nil && r.Test.Class != nil {
			out = append(out, r.Test.Class.MacroF1)
		}
	}
	return out
}

// Final summarises the end of pre-training: means over the last window logged records of the MLM loss, RTD
// loss and RTD accuracy, and the last analyses (nil when never computed).
type Final struct {
	MLMLoss, RTDLoss, RTDAcc, SampledAcc float64
	Cosine                               *pretrain.TableSimilarity
	GradCosine                           []float64 // every logged tug-of-war cosine, in step order
	Steps                                int
	TokensPerS                           float64
}

// FinalOf computes Final over the last window records.
func (a Arm) FinalOf(window int) Final {
	var f Final
	if len(a.Metrics) == 0 {
		return f
	}
	tail := a.Metrics[max(0, len(a.Metrics)-window):]
	for _, m := range tail {
		f.MLMLoss += m.MLMLoss / float64(len(tail))
		f.RTDLoss += m.RTDLoss / float64(len(tail))
		f.RTDAcc += m.RTDAcc / float64(len(tail))
		f.SampledAcc += m.SampledAcc / float64(len(tail))
		f.TokensPerS += m.TokensPerS / float64(len(tail))
	}
	for _, m := range a.Metrics {
		if m.EmbeddingCosine != nil {
			f.Cosine = m.EmbeddingCosine
		}
		if m.Gradients != nil {
			f.GradCosine = append(f.GradCosine, m.Gradients.Cosine)
		}
	}
	f.Steps = a.Metrics[len(a.Metrics)-1].Step
	return f
}

// Exists reports whether dir holds at least one arm folder with metrics.jsonl.
func Exists(dir string) bool {
	for _, a := range DefaultArms {
		if _, err := os.Stat(filepath.Join(dir, a, "metrics.jsonl")); err == nil {
			return true
		} else if !errors.Is(err, fs.ErrNotExist) {
			return false
		}
	}
	return false
}
