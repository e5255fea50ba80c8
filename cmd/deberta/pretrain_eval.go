package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"

	"github.com/deberta-go/lab/pretrain"
	"github.com/deberta-go/lab/tokenizer"
)

// evalSeed seeds the held-out evaluation's masks and the generator's samples: fixed, so that the numbers of
// every step and every run (arm, seed) on the same corpus are comparable.
const evalSeed = 1

// heldOutEval is pretrain's held-out evaluation: every N steps, Trainer.EvaluateSet on a fixed number of batches
// of the corpus's validation split, logged as the record's "eval".
type heldOutEval struct {
	every, count int
	batches      []pretrain.HostBatch
}

// addEvalFlags declares --eval-every and --eval-batches on fs; out-of-range values fail fs.Parse.
func addEvalFlags(fs *flag.FlagSet) *heldOutEval {
	e := &heldOutEval{count: 8}
	fs.Var(minInt{&e.every, 0}, "eval-every", "evaluate RTD on held-out batches of the validation split every N steps (AUC, gain, precision/recall in metrics.jsonl's \"eval\"); 0: never")
	fs.Var(minInt{&e.count, 1}, "eval-batches", "number of held-out batches of --eval-every (fixed masks and sampling seed)")
	return e
}

// minInt is an int flag that rejects values below min when parsed.
type minInt struct {
	p   *int
	min int
}

func (m minInt) String() string {
	if m.p == nil {
		return "0"
	}
	return strconv.Itoa(*m.p)
}

func (m minInt) Set(s string) error {
	v, err := strconv.Atoi(s)
	if err != nil {
		return err
	}
	if v < m.min {
		return fmt.Errorf("must be >= %d, got %d", m.min, v)
	}
	*m.p = v
	return nil
}

// prepare builds the held-out batches from the run's corpus.
func (e *heldOutEval) prepare(tr *pretrain.Trainer, src *batchSource, tok *tokenizer.Tokenizer) error {
	if e.every == 0 {
		return nil
	}
	if tr.Config().Objective != pretrain.ObjectiveRTD {
		return fmt.Errorf("--eval-every needs --objective %s", pretrain.ObjectiveRTD)
	}
	docs, err := src.docs()
	if err != nil {
		return err
	}
	if e.batches, err = pretrain.ValidationBatches(tok, docs, src.f.batch, src.f.seq, e.count, evalSeed); err != nil {
		return err
	}
	if len(e.batches) < e.count {
		fmt.Fprintf(os.Stderr, "held-out evaluation: the validation split has %d batches, fewer than --eval-batches %d\n", len(e.batches), e.count)
	}
	return nil
}

// due reports whether step is an evaluation step.
func (e *heldOutEval) due(step int) bool { return e.every > 0 && step%e.every == 0 }

// run evaluates into rec.Eval when step is due.
func (e *heldOutEval) run(tr *pretrain.Trainer, step int, rec *pretrain.Record) error {
	if !e.due(step) {
		return nil
	}
	h, err := tr.EvaluateSet(e.batches, evalSeed)
	if err != nil {
		return err
	}
	rec.Eval = &h
	return nil
}

// rtdProgress is the RTD diagnostics part of a progress line (empty for MLM runs).
func rtdProgress(rec pretrain.Record) string {
	if rec.RTDLoss == 0 {
		return ""
	}
	s := fmt.Sprintf("  auc %.3f  gain %+.4f  p/r %.2f/%.2f", rec.RTDAUC, rec.RTDGain, rec.RTDPrecision, rec.RTDRecall)
	if h := rec.Eval; h != nil {
		s += fmt.Sprintf("  [held-out auc %.3f  gain %+.4f  p/r %.2f/%.2f  prior %.3f]", h.RTD.AUC, h.RTD.Gain, h.RTD.Precision,
			h.RTD.Recall, h.RTD.Prior)
	}
	return s
}
