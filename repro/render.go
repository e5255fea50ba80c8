package repro

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/deberta-go/lab/plots"
	"github.com/deberta-go/lab/pretrain"
)

// FinalWindow is the number of last logged records averaged in the pre-training table.
const FinalWindow = 10

// Markdown renders the pre-training table (final losses, RTD accuracy, held-out RTD AUC, E_G/E_D cosine,
// tug-of-war cosine), the downstream table (test score mean ± std and 95% interval over runs × seeds per task,
// and the spread of the per-run means) and macro-F1.
func (r *Report) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "### Pre-training (means over the last %d logged steps and over the runs)\n\n", FinalWindow)
	b.WriteString("| arm | runs | steps | generator MLM loss | RTD loss | RTD acc | held-out RTD AUC | held-out gain (nats) | sampled = original | cos(E_G) | cos(E_D) | mean tug-of-war cos | tokens/s |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, a := range r.Arms {
		f := a.FinalOf(FinalWindow)
		cosG, cosD := "–", "–"
		if f.Cosine != nil {
			cosG, cosD = fmt.Sprintf("%.3f", f.Cosine.Generator), fmt.Sprintf("%.3f", f.Cosine.Discriminator)
		}
		tug, rtd, acc, auc, gain := "–", "–", "–", "–", "–"
		if len(f.GradCosine) > 0 {
			tug = fmt.Sprintf("%.4f", NewStat(f.GradCosine).Mean)
		}
		if a.Name != "mlm" {
			rtd, acc = fmt.Sprintf("%.4f", f.RTDLoss), fmt.Sprintf("%.3f", f.RTDAcc)
		}
		if f.HeldOutAUC.N > 0 {
			auc = fmt.Sprintf("%.3f (%s)", f.HeldOutAUC.Mean, spread(f.HeldOutAUC, 3))
			gain = fmt.Sprintf("%.4f", f.HeldOutGain.Mean)
		}
		fmt.Fprintf(&b, "| %s | %d | %d | %.4f | %s | %s | %s | %s | %.3f | %s | %s | %s | %.0f |\n", a.Name, f.Runs, f.Steps,
			f.MLMLoss, rtd, acc, auc, gain, f.SampledAcc, cosG, cosD, tug, f.TokensPerS)
	}
	if len(r.Tasks) == 0 {
		return b.String()
	}
	b.WriteString("\n### Downstream (test split, %; mean ± sample std over runs × fine-tuning seeds, [95% interval of the mean], per-run means)\n\n| arm |")
	for _, t := range r.Tasks {
		_, _, metric := r.firstMetric(t)
		fmt.Fprintf(&b, " %s (%s) |", t, metric)
	}
	b.WriteString("\n|---|" + strings.Repeat("---:|", len(r.Tasks)) + "\n")
	for _, a := range r.Arms {
		fmt.Fprintf(&b, "| %s |", a.Name)
		for _, t := range r.Tasks {
			test, _, _ := a.Scores(t)
			fmt.Fprintf(&b, " %s |", scoreCell(NewStat(test), a.RunScores(t)))
		}
		b.WriteString("\n")
	}
	b.WriteString("\nMacro-F1 (test, %, mean ± std over runs × seeds):\n\n| arm |" + strings.Join(r.Tasks, " | ") + " |\n|---|" + strings.Repeat("---:|", len(r.Tasks)) + "\n")
	for _, a := range r.Arms {
		fmt.Fprintf(&b, "| %s |", a.Name)
		for _, t := range r.Tasks {
			s := NewStat(a.MacroF1(t))
			if s.N == 0 {
				b.WriteString(" – |")
				continue
			}
			fmt.Fprintf(&b, " %.2f ± %.2f |", 100*s.Mean, 100*s.Std)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// scoreCell is "mean ± std [lo, hi] (n=N; runs a / b)" in percent.
func scoreCell(s Stat, runs []float64) string {
	if s.N == 0 {
		return "–"
	}
	cell := fmt.Sprintf("%.2f ± %.2f", 100*s.Mean, 100*s.Std)
	if s.N > 1 {
		cell += fmt.Sprintf(" [%.2f, %.2f]", 100*(s.Mean-s.CI95), 100*(s.Mean+s.CI95))
	}
	cell += fmt.Sprintf(" (n=%d", s.N)
	if len(runs) > 1 {
		parts := make([]string, len(runs))
		for i, x := range runs {
			parts[i] = fmt.Sprintf("%.2f", 100*x)
		}
		cell += "; runs " + strings.Join(parts, " / ")
	}
	return cell + ")"
}

// spread is "± std" over runs, or "1 run".
func spread(s Stat, digits int) string {
	if s.N < 2 {
		return "1 run"
	}
	return fmt.Sprintf("± %.*f, %d runs", digits, s.Std, s.N)
}

func (r *Report) firstMetric(task string) (test, dev []float64, metric string) {
	for _, a := range r.Arms {
		if test, dev, metric = a.Scores(task); metric != "" {
			return
		}
	}
	return nil, nil, "score"
}

// Figure is one rendered PNG.
type Figure struct {
	Name string // file name
	PNG  []byte
}

// Figures renders, per arm (mean over its runs at each logged step): the generator's MLM loss (Figure 2), the
// held-out RTD AUC and gain against the prior, the tug-of-war cosine, and the downstream bar chart.
func (r *Report) Figures() ([]Figure, error) {
	size := plots.Size{Width: 560, Height: 320}
	var mlm, auc, gain, tug []plots.Series
	for _, a := range r.Arms {
		x, y := a.curve(func(m pretrain.Record) (float64, bool) { return m.MLMLoss, true })
		mlm = append(mlm, plots.Series{Name: a.Name, X: x, Y: pretrain.Smooth(y, 5), Raw: y})
		if x, y := a.curve(heldOut(func(s pretrain.RTDStats) float64 { return s.AUC })); len(x) > 0 {
			auc = append(auc, plots.Series{Name: a.Name, X: x, Y: y, Markers: true})
		}
		if x, y := a.curve(heldOut(func(s pretrain.RTDStats) float64 { return s.Gain })); len(x) > 0 {
			gain = append(gain, plots.Series{Name: a.Name, X: x, Y: y, Markers: true})
		}
		if x, y := a.curve(func(m pretrain.Record) (float64, bool) {
			if m.Gradients == nil {
				return 0, false
			}
			return m.Gradients.Cosine, true
		}); len(x) > 0 {
			tug = append(tug, plots.Series{Name: a.Name, X: x, Y: y, Markers: true})
		}
	}
	var out []Figure
	add := func(name, title, yLabel string, series []plots.Series) error {
		if len(series) == 0 {
			return nil
		}
		png, err := plots.Lines(title, "pre-training step (16 sequences each)", yLabel, series, size)
		if err != nil {
			return fmt.Errorf("repro: %s: %w", name, err)
		}
		out = append(out, Figure{name, png})
		return nil
	}
	if len(auc) > 0 {
		auc = append(auc, flat("prior (0.5)", auc, 0.5), flat("target 0.75", auc, 0.75))
	}
	for _, f := range []struct {
		name, title, y string
		s              []plots.Series
	}{
		{"mlm_loss.png", "Generator MLM loss (paper Fig. 2; mean of runs, moving average of 5 logs over the raw values)", "MLM loss (nats / masked token)", mlm},
		{"heldout_auc.png", "Held-out RTD AUC (replaced vs original, mean of runs)", "ROC AUC", auc},
		{"heldout_gain.png", "Held-out RTD gain H(p) − loss (> 0: beats the prior)", "gain (nats / token)", gain},
		{"grad_cosine.png", "Tug-of-war: cos(∂L_MLM/∂E_G, ∂L_RTD/∂E)", "cosine", tug},
	} {
		if err := add(f.name, f.title, f.y, f.s); err != nil {
			return nil, err
		}
	}
	if len(r.Tasks) > 0 {
		groups := make([]string, len(r.Arms))
		values := make([][]float64, len(r.Arms))
		for i, a := range r.Arms {
			groups[i] = a.Name
			for _, t := range r.Tasks {
				test, _, _ := a.Scores(t)
				values[i] = append(values[i], 100*NewStat(test).Mean)
			}
		}
		png, err := plots.GroupedBars("Downstream test score (mean over runs × seeds)", "score (%)", r.Tasks, groups, values, size)
		if err != nil {
			return nil, fmt.Errorf("repro: downstream.png: %w", err)
		}
		out = append(out, Figure{"downstream.png", png})
	}
	return out, nil
}

// curve is the mean of value over the arm's runs at each step where at least one run has it, in step order.
func (a Arm) curve(value func(pretrain.Record) (float64, bool)) (xs, ys []float64) {
	sums, counts := map[int]float64{}, map[int]int{}
	for _, r := range a.Runs {
		for _, m := range r.Metrics {
			if v, ok := value(m); ok {
				sums[m.Step] += v
				counts[m.Step]++
			}
		}
	}
	steps := make([]int, 0, len(sums))
	for s := range sums {
		steps = append(steps, s)
	}
	slices.Sort(steps)
	for _, s := range steps {
		xs, ys = append(xs, float64(s)), append(ys, sums[s]/float64(counts[s]))
	}
	return xs, ys
}

// heldOut reads one statistic of a record's held-out evaluation.
func heldOut(f func(pretrain.RTDStats) float64) func(pretrain.Record) (float64, bool) {
	return func(m pretrain.Record) (float64, bool) {
		if m.Eval == nil {
			return 0, false
		}
		return f(m.Eval.RTD), true
	}
}

// flat is a horizontal reference line at y across the steps of series.
func flat(name string, series []plots.Series, y float64) plots.Series {
	lo, hi := series[0].X[0], series[0].X[0]
	for _, s := range series {
		for _, x := range s.X {
			lo, hi = min(lo, x), max(hi, x)
		}
	}
	return plots.Series{Name: name, X: []float64{lo, hi}, Y: []float64{y, y}}
}

// Write saves report.md and the figures into dir.
func (r *Report) Write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	figs, err := r.Figures()
	if err != nil {
		return err
	}
	md := r.Markdown() + "\n"
	md += "\n### Pre-training claims (per-run values, Welch 95% intervals)\n\n" + r.PretrainingMarkdown()
	md += "\n### Word-vector cosine (claim C2)\n\n" + r.CosineMarkdown()
	if len(r.Tasks) > 0 {
		md += "\n### Downstream claims (Welch 95% intervals)\n\n" + r.ClaimsMarkdown()
	}
	for _, f := range figs {
		if err := os.WriteFile(filepath.Join(dir, f.Name), f.PNG, 0o644); err != nil {
			return err
		}
		md += fmt.Sprintf("\n![%s](%s)\n", strings.TrimSuffix(f.Name, ".png"), f.Name)
	}
	return os.WriteFile(filepath.Join(dir, "report.md"), []byte(md), 0o644)
}
