package repro

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/deberta-go/lab/plots"
	"github.com/deberta-go/lab/pretrain"
)

// FinalWindow is the number of last logged records averaged in the pre-training table.
const FinalWindow = 10

// Markdown renders the pre-training table (final losses, RTD accuracy, E_G/E_D cosine, tug-of-war cosine) and
// the downstream table (test score mean ± std over seeds per task, and macro-F1 for classification).
func (r *Report) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "### Pre-training (means over the last %d logged steps)\n\n", FinalWindow)
	b.WriteString("| arm | steps | generator MLM loss | RTD loss | RTD acc | sampled = original | cos(E_G) | cos(E_D) | mean tug-of-war cos | tokens/s |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, a := range r.Arms {
		f := a.FinalOf(FinalWindow)
		cosG, cosD := "–", "–"
		if f.Cosine != nil {
			cosG, cosD = fmt.Sprintf("%.3f", f.Cosine.Generator), fmt.Sprintf("%.3f", f.Cosine.Discriminator)
		}
		tug, rtd, acc := "–", "–", "–"
		if len(f.GradCosine) > 0 {
			tug = fmt.Sprintf("%.4f", NewStat(f.GradCosine).Mean)
		}
		if a.Name != "mlm" {
			rtd, acc = fmt.Sprintf("%.4f", f.RTDLoss), fmt.Sprintf("%.3f", f.RTDAcc)
		}
		fmt.Fprintf(&b, "| %s | %d | %.4f | %s | %s | %.3f | %s | %s | %s | %.0f |\n", a.Name, f.Steps, f.MLMLoss, rtd, acc,
			f.SampledAcc, cosG, cosD, tug, f.TokensPerS)
	}
	if len(r.Tasks) == 0 {
		return b.String()
	}
	b.WriteString("\n### Downstream (test split; mean ± sample std over seeds)\n\n| arm |")
	for _, t := range r.Tasks {
		_, _, metric := r.firstMetric(t)
		fmt.Fprintf(&b, " %s (%s) |", t, metric)
	}
	b.WriteString("\n|---|" + strings.Repeat("---:|", len(r.Tasks)) + "\n")
	for _, a := range r.Arms {
		fmt.Fprintf(&b, "| %s |", a.Name)
		for _, t := range r.Tasks {
			test, _, _ := a.Scores(t)
			s := NewStat(test)
			cell := s.String()
			if s.N > 0 {
				cell = fmt.Sprintf("%.2f ± %.2f (n=%d)", 100*s.Mean, 100*s.Std, s.N)
			}
			fmt.Fprintf(&b, " %s |", cell)
		}
		b.WriteString("\n")
	}
	b.WriteString("\nMacro-F1 (test, mean over seeds):\n\n| arm |" + strings.Join(r.Tasks, " | ") + " |\n|---|" + strings.Repeat("---:|", len(r.Tasks)) + "\n")
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

// Figures renders the MLM loss (Figure 2), RTD loss, tug-of-war cosine and downstream bar charts.
func (r *Report) Figures() ([]Figure, error) {
	size := plots.Size{Width: 520, Height: 300}
	var mlm, rtd, tug []plots.Series
	for _, a := range r.Arms {
		var x, yM, yR, xg, yg []float64
		for _, m := range a.Metrics {
			x, yM, yR = append(x, float64(m.Step)), append(yM, m.MLMLoss), append(yR, m.RTDLoss)
			if m.Gradients != nil {
				xg, yg = append(xg, float64(m.Step)), append(yg, m.Gradients.Cosine)
			}
		}
		mlm = append(mlm, plots.Series{Name: a.Name, X: x, Y: pretrain.Smooth(yM, 5)})
		if a.Name != "mlm" {
			rtd = append(rtd, plots.Series{Name: a.Name, X: x, Y: pretrain.Smooth(yR, 5)})
		}
		if len(xg) > 0 {
			tug = append(tug, plots.Series{Name: a.Name, X: xg, Y: yg})
		}
	}
	var out []Figure
	add := func(name string, png []byte, err error) error {
		if err != nil {
			return fmt.Errorf("repro: %s: %w", name, err)
		}
		out = append(out, Figure{name, png})
		return nil
	}
	png, err := plots.Lines("Generator MLM loss (paper Fig. 2; moving average of 5 logs)", "step", "MLM loss", mlm, size)
	if err := add("mlm_loss.png", png, err); err != nil {
		return nil, err
	}
	if len(rtd) > 0 {
		png, err = plots.Lines("Discriminator RTD loss", "step", "RTD loss", rtd, size)
		if err := add("rtd_loss.png", png, err); err != nil {
			return nil, err
		}
	}
	if len(tug) > 0 {
		png, err = plots.Lines("Tug-of-war: cos(∂L_MLM/∂E_G, ∂L_RTD/∂E)", "step", "cosine", tug, size)
		if err := add("grad_cosine.png", png, err); err != nil {
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
		png, err = plots.GroupedBars("Downstream test score (mean over seeds)", "score (%)", r.Tasks, groups, values, size)
		if err := add("downstream.png", png, err); err != nil {
			return nil, err
		}
	}
	return out, nil
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
	for _, f := range figs {
		if err := os.WriteFile(filepath.Join(dir, f.Name), f.PNG, 0o644); err != nil {
			return err
		}
		md += fmt.Sprintf("\n![%s](%s)\n", strings.TrimSuffix(f.Name, ".png"), f.Name)
	}
	return os.WriteFile(filepath.Join(dir, "report.md"), []byte(md), 0o644)
}
