package finetune

import (
	"fmt"
	"io"
	"time"
)

// StepInfo is what Options.OnStep receives after a training step.
type StepInfo struct {
	Step, Total int
	// Loss is the step's training loss; MeanLoss the mean since the previous evaluation, this step included.
	Loss, MeanLoss float64
	// ExamplesPerSecond is the training rate so far (evaluations and each Train call's first step, which
	// compiles, excluded; 0 until measured) and ETA the time the remaining steps take at that rate.
	ExamplesPerSecond float64
	ETA               time.Duration
	// Elapsed is the wall time of this Train call so far.
	Elapsed time.Duration
	// Eval is the dev evaluation done after this step (nil when none was due). Result is the run so far: its
	// History, and BestStep with its Dev report.
	Eval   *EvalPoint
	Result *Result
}

// stepInfo describes the step just done (without its evaluation and elapsed time).
func (t *Trainer) stepInfo(total int, loss float64) StepInfo {
	l := t.loop
	s := StepInfo{Step: t.step, Total: total, Loss: loss, MeanLoss: l.LossSum / float64(l.LossN),
		ExamplesPerSecond: l.examplesPerSecond(), Result: l.Result}
	if s.ExamplesPerSecond > 0 {
		s.ETA = time.Duration(float64(total-t.step) * float64(t.opts.BatchSize) / s.ExamplesPerSecond * float64(time.Second))
	}
	return s
}

// examplesPerSecond is the training rate over the timed steps (0 before any).
func (l *loop) examplesPerSecond() float64 {
	if l.TrainSeconds <= 0 {
		return 0
	}
	return float64(l.Result.TimedExamples) / l.TrainSeconds
}

// PrintProgress returns an Options.OnStep that writes the progress of `deberta finetune` to w: a line per
// evaluation (train loss, dev score, best so far, elapsed time) and every 5% of the steps (mean loss since the
// last evaluation, examples/s, ETA without the evaluations).
func PrintProgress(w io.Writer) func(StepInfo) error {
	return func(s StepInfo) error {
		var err error
		switch {
		case s.Eval != nil:
			r := s.Result
			_, err = fmt.Fprintf(w, "step %d/%d  train loss %.4f  dev %s %.4f  best %.4f (step %d)  %s\n", s.Step, s.Total,
				s.Eval.TrainLoss, r.Dev.Metric, s.Eval.DevScore, r.Dev.Score, r.BestStep, s.Elapsed.Round(time.Second))
		case s.Step%max(1, s.Total/20) == 0 && s.ExamplesPerSecond > 0:
			_, err = fmt.Fprintf(w, "step %d/%d  loss %.4f  %.1f examples/s  ETA %s\n", s.Step, s.Total, s.MeanLoss,
				s.ExamplesPerSecond, s.ETA.Round(time.Second))
		}
		return err
	}
}
