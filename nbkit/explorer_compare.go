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
			f3(last(c.MLM)), f3(last(c.RTD)), f3(last(c.AUC)), f3(last(c.Gain)), f3(last(c.CosG)), f3(last(c.CosD)), f3(last(c.GradCos)),
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

func f3(x float64) string { return fmt.Sprintf("%.3f", x) }

// Overlays renders the runs' curves on shared axes: MLM loss, RTD AUC (per step), and at the analysis steps the
// cosine of E_G and of E_D and the MLM-vs-RTD gradient cosine. Series are named "#i sharing λ".
func Overlays(results []Result) ([][]byte, error) {
	var mlm, auc, cos, grad []plots.Series
	for i, r := range results {
		c, name := r.Curves, fmt.Sprintf("#%d %s λ=%g", i+1, r.Settings.Sharing, r.Settings.Lambda)
		mlm = append(mlm, plots.Series{Name: name, X: c.Steps, Y: c.MLM})
		auc = append(auc, plots.Series{Name: name, X: c.Steps, Y: c.AUC})
		cos = append(cos, plots.Series{Name: name + " E_G", X: c.AnalysisSteps, Y: c.CosG},
			plots.Series{Name: name + " E_D", X: c.AnalysisSteps, Y: c.CosD})
		grad = append(grad, plots.Series{Name: name, X: c.AnalysisSteps, Y: c.GradCos})
	}
	size := plots.Size{Width: plots.DefaultSize.Width * 3 / 4, Height: plots.DefaultSize.Height * 3 / 4}
	var out [][]byte
	for _, p := range []struct {
		title, y string
		s        []plots.Series
	}{{"MLM loss", "loss", mlm}, {"RTD AUC", "AUC", auc}, {"embedding cosine (E_G, E_D)", "avg cosine", cos},
		{"MLM-vs-RTD gradient cosine (word table)", "cosine", grad}} {
		png, err := plots.Lines(p.title, "step", p.y, p.s, size)
		if err != nil {
			return nil, err
		}
		out = append(out, png)
	}
	return out, nil
}
