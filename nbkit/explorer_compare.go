package nbkit

import (
	"fmt"
	"html"
	"strings"
	"time"

	"github.com/deberta-go/lab/plots"
)

// Table is the comparison table of the results as HTML: one row per run with its knobs and final values.
func Table(results []Result) string {
	var b strings.Builder
	b.WriteString(`<table class="gdes-runs"><tr><th>#</th><th>sharing</th><th>λ</th><th>gen layers × width</th><th>T</th><th>lr</th>` +
		`<th>steps</th><th>MLM</th><th>RTD</th><th>RTD AUC</th><th>gain</th><th>cos E_G</th><th>cos E_D</th><th>grad cos</th><th>tokens/s</th><th>time</th></tr>`)
	for i, r := range results {
		s, c := r.Settings, r.Curves
		steps := fmt.Sprintf("%d/%d", c.Step(), s.Steps)
		if r.Stopped {
			steps += " (stopped)"
		}
		cells := []string{fmt.Sprint(i + 1), s.Sharing.String(), fmt.Sprintf("%g", s.Lambda), fmt.Sprintf("%d × %d", s.GenLayers, s.genWidth()),
			fmt.Sprintf("%g", s.Temperature), fmt.Sprintf("%g", s.LR), steps,
			f3(c.MLM), f3(c.RTD), f3(c.AUC), f3(c.Gain), f3(c.CosG), f3(c.CosD), f3(c.GradCos),
			fmt.Sprintf("%.0f", c.TokensPerS()), r.Duration.Round(time.Second).String()}
		b.WriteString("<tr>")
		for _, x := range cells {
			b.WriteString("<td>" + html.EscapeString(x) + "</td>")
		}
		b.WriteString("</tr>")
	}
	b.WriteString("</table>")
	return b.String()
}

// f3 is the last value of ys with 3 decimals, "–" when there is none (e.g. no analysis yet).
func f3(ys []float64) string {
	if len(ys) == 0 {
		return "–"
	}
	return fmt.Sprintf("%.3f", last(ys))
}

// Overlays renders the runs' curves on shared axes: the MLM loss (moving average over the raw values) and the
// RTD AUC per step, then, at the analysis steps (dots), the cosine of E_G and of E_D and the MLM-vs-RTD gradient
// cosine. Series are named "#i sharing λ". Runs stopped before their first analysis are left out of the last
// two figures, their titles naming them; when no run has an analysis those two figures are omitted.
func Overlays(results []Result) ([][]byte, error) {
	var mlm, auc, cos, grad []plots.Series
	var unanalysed []string
	for i, r := range results {
		c, name := r.Curves, fmt.Sprintf("#%d %s λ=%g", i+1, r.Settings.Sharing, r.Settings.Lambda)
		mlm = append(mlm, smoothed(name, c.Steps, c.MLM, smoothWindow(len(c.Steps))))
		auc = append(auc, plots.Series{Name: name, X: c.Steps, Y: c.AUC})
		if len(c.AnalysisSteps) == 0 {
			unanalysed = append(unanalysed, fmt.Sprintf("#%d", i+1))
			continue
		}
		cos = append(cos, plots.Series{Name: name + " E_G", X: c.AnalysisSteps, Y: c.CosG, Markers: true},
			plots.Series{Name: name + " E_D", X: c.AnalysisSteps, Y: c.CosD, Markers: true})
		grad = append(grad, plots.Series{Name: name, X: c.AnalysisSteps, Y: c.GradCos, Markers: true})
	}
	note := ""
	if len(unanalysed) > 0 {
		note = "; no analysis yet: " + strings.Join(unanalysed, ", ")
	}
	figures := []struct {
		title, y string
		s        []plots.Series
	}{{"MLM loss", "MLM loss (nats per token)", mlm}, {"RTD AUC", "RTD ROC AUC", auc},
		{"embedding cosine (E_G, E_D)" + note, "mean cosine of word pairs", cos},
		{"MLM-vs-RTD gradient cosine" + note, "cosine of the word-table gradients", grad}}
	if len(cos) == 0 {
		figures = figures[:2]
	}
	size := plots.Size{Width: plots.DefaultSize.Width * 3 / 4, Height: plots.DefaultSize.Height * 3 / 4}
	var out [][]byte
	for _, p := range figures {
		png, err := plots.Lines(p.title, "training step", p.y, p.s, size)
		if err != nil {
			return nil, err
		}
		out = append(out, png)
	}
	return out, nil
}
