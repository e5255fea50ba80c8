package pretrain

import (
	"errors"
	"fmt"
	"io"
	"slices"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/deberta-go/lab/data"
	"github.com/deberta-go/lab/tokenizer"
)

// rtdTokens are the discriminator's logits and labels of a batch, flattened, with the scored flags.
type rtdTokens struct {
	logits, labels []float32
	scored         []bool
}

func (r *rtdTokens) add(o rtdTokens) {
	r.logits, r.labels, r.scored = append(r.logits, o.logits...), append(r.labels, o.labels...), append(r.scored, o.scored...)
}

func (r rtdTokens) stats() (RTDStats, error) { return RTDStatsOf(r.logits, r.labels, r.scored) }

// withRTDOutputs appends out's RTDLogits and RTDLabels to outputs for the RTD objective.
func (t *Trainer) withRTDOutputs(out StepOutputs, outputs []*Node) []*Node {
	if t.cfg.Objective != ObjectiveRTD {
		return outputs
	}
	return append(outputs, out.RTDLogits, out.RTDLabels)
}

// rtdOutputs splits the outputs of withRTDOutputs: the scalars, and the RTD diagnostics over batch's scored
// tokens with the tokens themselves (zero for ObjectiveMLM).
func (t *Trainer) rtdOutputs(res []*tensors.Tensor, batch HostBatch) ([]*tensors.Tensor, RTDStats, rtdTokens, error) {
	if t.cfg.Objective != ObjectiveRTD {
		return res, RTDStats{}, rtdTokens{}, nil
	}
	n := len(res) - 2
	toks := rtdTokens{logits: tensors.MustCopyFlatData[float32](res[n]), labels: tensors.MustCopyFlatData[float32](res[n+1])}
	scored := batch.Scored
	if scored == nil {
		scored = batch.Mask
	}
	if !slices.Equal(scored.Shape().Dimensions, res[n].Shape().Dimensions) {
		return nil, RTDStats{}, toks, fmt.Errorf("pretrain: HostBatch.Scored has shape %s, want %v", scored.Shape(), res[n].Shape().Dimensions)
	}
	for _, x := range tensors.MustCopyFlatData[int32](scored) {
		toks.scored = append(toks.scored, x != 0)
	}
	stats, err := toks.stats()
	return res[:n], stats, toks, err
}

// scalars reads float32 scalar outputs.
func scalars(res []*tensors.Tensor) []float64 {
	vals := make([]float64, len(res))
	for i, r := range res {
		vals[i] = float64(tensors.ToScalar[float32](r))
	}
	return vals
}

// ScoredMask returns the HostBatch.Scored of original ids [b, L] int32 with attention mask [b, L] int32: 1 for
// the real tokens whose id is not one of special.
func ScoredMask(original, mask *tensors.Tensor, special ...int32) *tensors.Tensor {
	ids, m := tensors.MustCopyFlatData[int32](original), tensors.MustCopyFlatData[int32](mask)
	out := make([]int32, len(ids))
	for i, id := range ids {
		if m[i] != 0 && !slices.Contains(special, id) {
			out[i] = 1
		}
	}
	return tensors.FromFlatDataAndDimensions(out, original.Shape().Dimensions...)
}

// NewTextBatch is the HostBatch of a packed batch b masked as m, scoring the tokens other than sid's [CLS],
// [SEP], [PAD] and [MASK] (the tokens data.Masker may mask).
func NewTextBatch(b *data.Batch, m *data.Masked, sid tokenizer.SpecialIDs) HostBatch {
	ids, mask := b.Tensors()
	masked, positions, _, weights := m.Tensors()
	return HostBatch{MaskedIDs: masked, Original: ids, Positions: positions, Weights: weights, Mask: mask,
		Scored: ScoredMask(ids, mask, sid.CLS, sid.SEP, sid.Pad, sid.Mask)}
}

// HeldOut is the evaluation of a fixed set of batches (Trainer.EvaluateSet), as logged in metrics.jsonl.
type HeldOut struct {
	Batches int `json:"batches"`
	// MLMLoss, RTDLoss (all real tokens) and SampledAcc are means over the batches.
	MLMLoss    float64 `json:"mlm_loss"`
	RTDLoss    float64 `json:"rtd_loss"`
	SampledAcc float64 `json:"sampled_acc"`
	// RTD pools the scored tokens of all batches (RTDStats).
	RTD RTDStats `json:"rtd"`
}

// EvaluateSet evaluates batches (Evaluate: no dropout, no update) with the context RNG reset to seed for the
// generator's sampling and restored afterwards, so that the same batches and seed give the same masks and
// samples at every call for the same parameters, and training is not changed. At least one Step must have run.
func (t *Trainer) EvaluateSet(batches []HostBatch, seed int64) (HeldOut, error) {
	var h HeldOut
	if t.step == 0 {
		return h, errors.New("pretrain: EvaluateSet needs a trained model: run a Step first")
	}
	if len(batches) == 0 {
		return h, errors.New("pretrain: EvaluateSet: no batches")
	}
	restore, err := t.saveRNG()
	if err != nil {
		return h, err
	}
	if err := t.ctx.SetRNGStateFromSeed(seed); err != nil {
		return h, err
	}
	var pooled rtdTokens
	for _, b := range batches {
		m, toks, err := t.evaluate(b)
		if err != nil {
			_ = restore()
			return h, err
		}
		pooled.add(toks)
		h.MLMLoss += m.MLMLoss
		h.RTDLoss += m.RTDLoss
		h.SampledAcc += m.SampledAcc
	}
	if err := restore(); err != nil {
		return h, err
	}
	n := float64(len(batches))
	h.Batches, h.MLMLoss, h.RTDLoss, h.SampledAcc = len(batches), h.MLMLoss/n, h.RTDLoss/n, h.SampledAcc/n
	h.RTD, err = pooled.stats()
	return h, err
}

// ValidationBatches are the first n batches of [batch, seqLen] of the validation split of docs (data.Split with
// the default fraction and seed; the CLI trains on the other part), packed in corpus order (not shuffled) and
// masked with data.DefaultMaskOptions seeded by seed: the same corpus and seed give the same batches. Fewer than
// n when the split is shorter; an error when it yields none.
func ValidationBatches(tok *tokenizer.Tokenizer, docs data.Docs, batch, seqLen, n int, seed uint64) ([]HostBatch, error) {
	masker, err := textMasker("ValidationBatches", tok, batch, seqLen, n, seed)
	if err != nil {
		return nil, err
	}
	valid := data.Split(docs, data.DefaultValidationFraction, data.DefaultSplitSeed, true)
	batcher, err := data.NewBatcher(data.Pack(tok, valid, seqLen, false), batch, seqLen, tok.SpecialIDs().Pad, false)
	if err != nil {
		return nil, err
	}
	defer batcher.Close()
	var out []HostBatch
	for len(out) < n {
		b, err := batcher.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		m, err := masker.MaskBatch(b)
		if err != nil {
			return nil, err
		}
		out = append(out, NewTextBatch(b, m, tok.SpecialIDs()))
	}
	if len(out) == 0 {
		return nil, errors.New("pretrain: the corpus's validation split yields no sequences")
	}
	return out, nil
}

// textMasker checks the settings of a batch builder (name) and makes its masker (data.DefaultMaskOptions with
// seed).
func textMasker(name string, tok *tokenizer.Tokenizer, batch, seqLen, n int, seed uint64) (*data.Masker, error) {
	if batch <= 0 || seqLen < 8 || n <= 0 {
		return nil, fmt.Errorf("pretrain: %s needs batch > 0, seqLen >= 8, n > 0 (got %d, %d, %d)", name, batch, seqLen, n)
	}
	opts := data.DefaultMaskOptions()
	opts.Seed = seed
	return data.NewMasker(tok, seqLen, opts)
}
