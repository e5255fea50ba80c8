package nbkit

import (
	"fmt"
	"time"

	"github.com/deberta-go/lab/finetune"
	"github.com/deberta-go/lab/plots"
)

// FinetuneCurves accumulates the steps and dev evaluations of a fine-tuning run (finetune.StepInfo).
type FinetuneCurves struct {
	Name  string
	Total int
	Kind  finetune.Kind
	// Steps and Loss: the training loss of each step recorded (a resumed run: since it was resumed).
	Steps, Loss []float64
	// EvalSteps and Dev: every dev evaluation of the run (a resumed run's earlier ones included), in Metric.
	EvalSteps, Dev []float64
	Metric         string
	BestStep       int
	Best           float64
	// ExamplesPerS and ETA as of the last step.
	ExamplesPerS float64
	ETA          time.Duration
}

// Add records a step.
func (c *FinetuneCurves) Add(s finetune.StepInfo) {
	c.Total = s.Total
	c.Steps, c.Loss = append(c.Steps, float64(s.Step)), append(c.Loss, s.Loss)
	c.ExamplesPerS, c.ETA = s.ExamplesPerSecond, s.ETA
	if s.Result == nil {
		return
	}
	c.Kind = s.Result.Kind
	c.EvalSteps, c.Dev = c.EvalSteps[:0], c.Dev[:0]
	for _, p := range s.Result.History {
		c.EvalSteps, c.Dev = append(c.EvalSteps, float64(p.Step)), append(c.Dev, p.DevScore)
	}
	if len(s.Result.History) > 0 {
		c.Metric, c.BestStep, c.Best = s.Result.Dev.Metric, s.Result.BestStep, s.Result.Dev.Score
	}
}

// Step is the last recorded step (0 before any).
func (c *FinetuneCurves) Step() int { return int(last(c.Steps)) }

// Status is the one-line summary of the run so far.
func (c *FinetuneCurves) Status() string {
	s := fmt.Sprintf("%s: step %d/%d · loss %.4f (%d-step mean %.4f)", c.Name, c.Step(), c.Total, last(c.Loss),
		smoothWindow(len(c.Loss)), last(smoothed("", c.Steps, c.Loss, smoothWindow(len(c.Loss))).Y))
	if len(c.Dev) > 0 {
		s += fmt.Sprintf(" · dev %s %.4f (best %.4f at step %d)", c.Metric, last(c.Dev), c.Best, c.BestStep)
	}
	rate, eta := "measuring after the first step", "–"
	if c.ExamplesPerS > 0 {
		rate, eta = fmt.Sprintf("%.1f examples/s", c.ExamplesPerS), c.ETA.Round(time.Second).String()
	}
	return s + " · " + rate + " · ETA " + eta + " (without evaluations)"
}

// lossUnit names the training loss of the run's kind.
func (c *FinetuneCurves) lossUnit() string {
	if c.Kind == finetune.KindRegression {
		return "training loss (mean squared error)"
	}
	return "training loss (cross-entropy, nats)"
}

// Figures renders the training loss (its moving average bold over the per-step values) and the dev score at
// each evaluation as PNGs.
func (c *FinetuneCurves) Figures() ([][]byte, error) {
	size := plots.Size{Width: plots.DefaultSize.Width * 3 / 4, Height: plots.DefaultSize.Height * 3 / 4}
	w := smoothWindow(len(c.Loss))
	loss, err := plots.Lines(c.Name+": training loss", "training step", c.lossUnit(),
		[]plots.Series{smoothed(fmt.Sprintf("%d-step mean", w), c.Steps, c.Loss, w)}, size)
	if err != nil {
		return nil, err
	}
	metric, title := c.Metric, c.Name+": dev evaluations"
	if len(c.Dev) == 0 {
		metric, title = "score", c.Name+": no dev evaluation yet"
	}
	dev, err := plots.Lines(title, "training step", "dev "+metric+" (0–1)",
		[]plots.Series{{Name: "dev " + metric, X: c.EvalSteps, Y: c.Dev, Markers: true}}, size)
	if err != nil {
		return nil, err
	}
	return [][]byte{loss, dev}, nil
}

// LiveFinetune shows a fine-tuning run in one display updated in place every Every steps and at each dev
// evaluation (the training loss raw and smoothed, the dev score, examples/s, ETA), with the Stop flag of the
// run. OnStep is the run's finetune.Options.OnStep, Stopped its Options.Stop; Finish shows the end.
type LiveFinetune struct {
	Curves FinetuneCurves
	panel
}

// NewLiveFinetune starts the display of a run named name; headless: no in-place updates, Finish shows static
// figures.
func NewLiveFinetune(d Display, id, name string, every int, headless bool) *LiveFinetune {
	l := &LiveFinetune{Curves: FinetuneCurves{Name: name}}
	l.panel.init(d, id, name, every, headless, &l.Curves)
	return l
}

// OnStep records a step and redraws when due (finetune.Options.OnStep).
func (l *LiveFinetune) OnStep(s finetune.StepInfo) error {
	l.Curves.Add(s)
	if !l.due(s.Step, s.Total) && (l.headless || s.Eval == nil) {
		return nil
	}
	return l.draw("")
}
