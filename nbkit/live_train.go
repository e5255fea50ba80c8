package nbkit

import (
	"github.com/deberta-go/lab/pretrain"
)

// Train runs pretrain.Loop — the loop of `deberta pretrain` — on tr and src up to step last, with its state
// saved in run's folder when the run ends or l.Stop is called (resumable with pretrain.Resume). Every step is
// written to the run's metrics.jsonl and recorded in l; every analyzeEvery steps (0: never; RTD runs only) the
// record also holds the embedding cosines (Trainer.TableSimilarities, 2000 pairs, seed) and the gradient
// cosines of the step's batch (Trainer.GradientCosines).
func (l *Live) Train(tr *pretrain.Trainer, src pretrain.BatchSource, run *pretrain.RunWriter, last, analyzeEvery int, seed uint64) (pretrain.LoopResult, error) {
	return pretrain.Loop(tr, src, pretrain.LoopOptions{Last: last, RunDir: run.Dir(), Stopped: l.Stopped,
		OnStep: func(m pretrain.Metrics, hb pretrain.HostBatch, tokens int) error {
			rec := pretrain.NewRecord(m, tokens)
			if analyzeEvery > 0 && tr.Config().Objective == pretrain.ObjectiveRTD && (m.Step%analyzeEvery == 0 || m.Step == last) {
				g, err := tr.GradientCosines(hb)
				if err != nil {
					return err
				}
				sim, err := tr.TableSimilarities(2000, seed)
				if err != nil {
					return err
				}
				rec.Gradients, rec.EmbeddingCosine = &g, &sim
			}
			if err := run.Log(rec); err != nil {
				return err
			}
			return l.Record(rec, tokens)
		}})
}
