package nbkit

import (
	"fmt"
	"path/filepath"

	"github.com/deberta-go/lab/plots"
	"github.com/deberta-go/lab/pretrain"
)

// RunCurves reads the metrics of a pre-training run folder (pretrain.ReadMetrics of its metrics.jsonl) and
// returns PNG line plots against the step, each a moving average drawn over the raw logged values: the losses
// (total, MLM, and RTD when logged), then the RTD ROC AUC when the run logged RTD diagnostics. A folder without metrics, or with no records, is an error.
func RunCurves(dir string) ([][]byte, error) {
	recs, err := pretrain.ReadMetrics(dir)
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("nbkit: %s: no metrics recorded yet", dir)
	}
	steps := make([]float64, len(recs))
	for i, r := range recs {
		steps[i] = float64(r.Step)
	}
	values := func(f func(pretrain.Record) float64) []float64 {
		ys := make([]float64, len(recs))
		for i, r := range recs {
			ys[i] = f(r)
		}
		return ys
	}
	w := smoothWindow(len(recs))
	mean := func(name string) string { return fmt.Sprintf("%s (%d-log mean)", name, w) }
	losses := []plots.Series{
		smoothed(mean("loss"), steps, values(func(r pretrain.Record) float64 { return r.Loss }), w),
		smoothed(mean("MLM loss"), steps, values(func(r pretrain.Record) float64 { return r.MLMLoss }), w),
	}
	auc := values(func(r pretrain.Record) float64 { return r.RTDAUC })
	if rtd := values(func(r pretrain.Record) float64 { return r.RTDLoss }); anyNonZero(rtd) {
		losses = append(losses, smoothed(mean("RTD loss"), steps, rtd, w))
	}
	png, err := plots.Lines("training losses — "+filepath.Base(dir), "training step", "loss (nats per token)", losses, plots.DefaultSize)
	if err != nil || !anyNonZero(auc) {
		return [][]byte{png}, err
	}
	aucPNG, err := plots.Lines("RTD ROC AUC (replaced vs original tokens)", "training step", "AUC",
		[]plots.Series{smoothed(mean("RTD AUC"), steps, auc, w)}, plots.DefaultSize)
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
