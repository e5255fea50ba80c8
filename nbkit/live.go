package nbkit

import (
	"fmt"
	"time"

	"github.com/deberta-go/lab/plots"
	"github.com/deberta-go/lab/pretrain"
)

// Curves accumulates the records of one training run: the per-step losses and RTD diagnostics, and the
// analyses (embedding and gradient cosines) at the steps that have them.
type Curves struct {
	Name  string
	Total int // steps planned
	Steps []float64
	// MLM and RTD losses, RTD AUC and gain over the prior, per recorded step.
	MLM, RTD, AUC, Gain []float64
	// AnalysisSteps and, at each, the average cosine of E_G and of E_D and the MLM-vs-RTD gradient cosine.
	AnalysisSteps, CosG, CosD, GradCos []float64
	// Tokens counts the real tokens of the recorded steps after the first (whose time includes compilation),
	// Seconds their wall time.
	Tokens  int
	Seconds float64
}

// Add appends a record (tokens: its batch's real tokens).
func (c *Curves) Add(r pretrain.Record, tokens int) {
	c.Steps = append(c.Steps, float64(r.Step))
	c.MLM, c.RTD = append(c.MLM, r.MLMLoss), append(c.RTD, r.RTDLoss)
	c.AUC, c.Gain = append(c.AUC, r.RTDAUC), append(c.Gain, r.RTDGain)
	if len(c.Steps) > 1 {
		c.Tokens += tokens
		c.Seconds += r.StepSeconds
	}
	if r.EmbeddingCosine != nil && r.Gradients != nil {
		c.AnalysisSteps = append(c.AnalysisSteps, float64(r.Step))
		c.CosG, c.CosD = append(c.CosG, r.EmbeddingCosine.Generator), append(c.CosD, r.EmbeddingCosine.Discriminator)
		c.GradCos = append(c.GradCos, r.Gradients.Cosine)
	}
}

// Step is the last recorded step (0 before any).
func (c *Curves) Step() int {
	if len(c.Steps) == 0 {
		return 0
	}
	return int(c.Steps[len(c.Steps)-1])
}

// TokensPerS is the training rate after the first step (0 before the second).
func (c *Curves) TokensPerS() float64 {
	if c.Seconds <= 0 {
		return 0
	}
	return float64(c.Tokens) / c.Seconds
}

// ETA is the time the remaining steps take at the mean step time after the first step.
func (c *Curves) ETA() time.Duration {
	n := len(c.Steps) - 1
	if n <= 0 {
		return 0
	}
	return time.Duration(c.Seconds / float64(n) * float64(c.Total-c.Step()) * float64(time.Second))
}

// last is the final value of ys (NaN-free: 0 when empty).
func last(ys []float64) float64 {
	if len(ys) == 0 {
		return 0
	}
	return ys[len(ys)-1]
}

// Status is the one-line summary of the run so far.
func (c *Curves) Status() string {
	return fmt.Sprintf("%s: step %d/%d · MLM %.3f · RTD %.3f · AUC %.3f · gain %.3f · %.0f tokens/s · ETA %s",
		c.Name, c.Step(), c.Total, last(c.MLM), last(c.RTD), last(c.AUC), last(c.Gain), c.TokensPerS(), c.ETA().Round(time.Second))
}

// Figures renders the losses (each bold over its raw per-step values, faint) and the RTD AUC / gain plots as
// PNGs.
func (c *Curves) Figures() ([][]byte, error) {
	size := plots.Size{Width: plots.DefaultSize.Width * 3 / 4, Height: plots.DefaultSize.Height * 3 / 4}
	w := smoothWindow(len(c.Steps))
	losses, err := plots.Lines(c.Name+": losses", "training step", "loss (nats per token)",
		[]plots.Series{smoothed(fmt.Sprintf("MLM (%d-step mean)", w), c.Steps, c.MLM, w),
			smoothed(fmt.Sprintf("RTD (%d-step mean)", w), c.Steps, c.RTD, w)}, size)
	if err != nil {
		return nil, err
	}
	rtd, err := plots.Lines(c.Name+": replaced-token detection", "training step", "AUC; gain (nats per token)",
		[]plots.Series{{Name: "AUC", X: c.Steps, Y: c.AUC}, {Name: "gain over prior", X: c.Steps, Y: c.Gain}}, size)
	if err != nil {
		return nil, err
	}
	return [][]byte{losses, rtd}, nil
}

// smoothWindow is the moving-average window of a curve of n steps: n/10, between 1 and 25.
func smoothWindow(n int) int { return min(max(1, n/10), 25) }

// smoothed is the series of ys's trailing moving average over window steps, drawn over ys.
func smoothed(name string, xs, ys []float64, window int) plots.Series {
	return plots.Series{Name: name, X: xs, Y: pretrain.Smooth(ys, window), Raw: ys}
}

// Live shows a pre-training run in one display updated in place every Every steps, with a Stop button when a
// live front-end answers. Use Record as the loop's per-step callback, Stopped as its stop test, Finish at the
// end.
type Live struct {
	Curves Curves
	panel
}

// NewLive starts the display of a run of total steps named name; headless: no in-place updates, Finish shows
// static figures.
func NewLive(d Display, id, name string, total, every int, headless bool) *Live {
	l := &Live{Curves: Curves{Name: name, Total: total}}
	l.panel.init(d, id, name, every, headless, &l.Curves)
	return l
}

// Record adds a step's record and redraws every Every steps (and at the last step).
func (l *Live) Record(r pretrain.Record, tokens int) error {
	l.Curves.Add(r, tokens)
	if !l.due(r.Step, l.Curves.Total) {
		return nil
	}
	return l.draw("")
}
