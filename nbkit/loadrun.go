package nbkit

import (
	"fmt"
	"path/filepath"

	"github.com/deberta-go/lab/plots"
	"github.com/deberta-go/lab/pretrain"
)

// RunCurves reads the metrics of a pre-training run folder (pretrain.ReadMetrics of its metrics.jsonl) and
// returns PNG line plots against the step: the losses (total, MLM, and RTD when logged), then the RTD ROC AUC
// when the run logged RTD diagnostics. A folder without metrics, or with no records, is an error.
func RunCurves(dir string) ([][]byte, error) {
	recs, err := pretrain.ReadMetrics(dir)
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("nbkit: %s: no metrics recorded yet", dir)
	}
	series := func(name string, f func(pretrain.Record) float64) plots.Series {
		s := plots.Series{Name: name}
		for _, r := range recs {
			s.X, s.Y = append(s.X, float64(r.Step)), append(s.Y, f(r))
		}
		return s
	}
	losses := []plots.Series{
		series("loss", func(r pretrain.Record) float64 { return r.Loss }),
		series("MLM loss", func(r pretrain.Record) float64 { return r.MLMLoss }),
	}
	auc := series("RTD AUC", func(r pretrain.Record) float64 { return r.RTDAUC })
	rtd := series("RTD loss", func(r pretrain.Record) float64 { return r.RTDLoss })
	if anyNonZero(rtd.Y) {
		losses = append(losses, rtd)
	}
	png, err := plots.Lines("training losses — "+filepath.Base(dir), "step", "loss", losses, plots.DefaultSize)
	if err != nil || !anyNonZero(auc.Y) {
		return [][]byte{png}, err
	}
	aucPNG, err := plots.Lines("RTD ROC AUC (replaced vs original tokens)", "step", "AUC", []plots.Series{auc},
		plots.DefaultSize)
	return [][]byte{png, aucPNG}, err
}

// anyNonZero reports whether some value is not 0 (a metric absent from the records reads as 0).
func anyNonZero(ys []float64) bool {
	for _, y := range ys {
		if y != 0 {
			return true
		}
	}
	return false
}
