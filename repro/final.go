package repro

import "github.com/deberta-go/lab/pretrain"

// Final summarises the end of pre-training of an arm, averaged over its runs: means over the last window logged
// records of the MLM loss, RTD loss and RTD accuracy; the last held-out RTD evaluation; the last analyses.
type Final struct {
	MLMLoss, RTDLoss, RTDAcc, SampledAcc float64
	// HeldOutAUC and HeldOutGain are the last held-out evaluation of each run (N = 0 when never evaluated).
	HeldOutAUC, HeldOutGain Stat
	Cosine                  *pretrain.TableSimilarity // mean of the runs' last analyses; nil when never computed
	GradCosine              []float64                 // every logged tug-of-war cosine of every run
	Steps                   int                       // the shortest run's last step
	Runs                    int
	TokensPerS              float64
}

// FinalOf computes Final over the last window records of each run.
func (a Arm) FinalOf(window int) Final {
	f := Final{Runs: len(a.Runs)}
	var auc, gain []float64
	var cos pretrain.TableSimilarity
	cosines := 0
	for i, r := range a.Runs {
		if len(r.Metrics) == 0 {
			continue
		}
		tail := r.Metrics[max(0, len(r.Metrics)-window):]
		n := float64(len(tail) * len(a.Runs))
		for _, m := range tail {
			f.MLMLoss += m.MLMLoss / n
			f.RTDLoss += m.RTDLoss / n
			f.RTDAcc += m.RTDAcc / n
			f.SampledAcc += m.SampledAcc / n
			f.TokensPerS += m.TokensPerS / n
		}
		var last *pretrain.Record
		var sim *pretrain.TableSimilarity
		for j := range r.Metrics {
			m := &r.Metrics[j]
			if m.Eval != nil {
				last = m
			}
			if m.EmbeddingCosine != nil {
				sim = m.EmbeddingCosine
			}
			if m.Gradients != nil {
				f.GradCosine = append(f.GradCosine, m.Gradients.Cosine)
			}
		}
		if last != nil {
			auc, gain = append(auc, last.Eval.RTD.AUC), append(gain, last.Eval.RTD.Gain)
		}
		if sim != nil {
			cos.Generator, cos.Discriminator = cos.Generator+sim.Generator, cos.Discriminator+sim.Discriminator
			cosines++
		}
		if step := r.Metrics[len(r.Metrics)-1].Step; i == 0 || step < f.Steps {
			f.Steps = step
		}
	}
	f.HeldOutAUC, f.HeldOutGain = NewStat(auc), NewStat(gain)
	if cosines > 0 {
		f.Cosine = &pretrain.TableSimilarity{Generator: cos.Generator / float64(cosines), Discriminator: cos.Discriminator / float64(cosines)}
	}
	return f
}
