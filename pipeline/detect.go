package pipeline

import (
	"github.com/deberta-go/lab/debertav3"
	"github.com/deberta-go/lab/tokenizer"
)

// TokenScore is the replaced-token-detection score of one token of a text.
type TokenScore struct {
	// Index is the token's position in the encoding ([CLS] is 0).
	Index   int    `json:"index"`
	TokenID int32  `json:"token_id"`
	Token   string `json:"token"`
	// Start and End are the token's byte offsets in the text (a piece starting with "▁" includes the space before
	// it; the leading byte pieces of a multi-byte character have Start == End).
	Start int `json:"start"`
	End   int `json:"end"`
	// Score is the probability that the token was replaced: sigmoid of the mask_predictions logit.
	Score float64 `json:"score"`
}

// Detect runs replaced-token detection, ELECTRA-style: for every token of each text ([CLS]/[SEP] left out) the
// probability that it is not the original token, from the discriminator's mask_predictions head (HeadRTD:
// Microsoft's DeBERTa-v3 main checkpoints carry it; HF's task models do not) or an ELECTRA-style
// discriminator_predictions head (HeadRTDElectra, `deberta pretrain --rtd-head electra`).
func (p *Pipeline) Detect(texts []string) ([][]TokenScore, error) {
	if !p.Model.Options.Has(debertav3.HeadRTDElectra) {
		if err := p.requireHead("detect", debertav3.HeadRTD, ": load a DeBERTa-v3 discriminator checkpoint "+
			"(e.g. microsoft/deberta-v3-base) that has the mask_predictions.* weights"); err != nil {
			return nil, err
		}
	}
	encs, err := p.encode("detect", texts)
	if err != nil {
		return nil, err
	}
	return p.detect(encs)
}

// detect is Detect on encoded texts.
func (p *Pipeline) detect(encs []*tokenizer.Encoding) ([][]TokenScore, error) {
	res := make([][]TokenScore, len(encs))
	err := p.forEachBatch("detect", encs, func(first int, b *Batch, out *debertav3.Outputs) error {
		logits, dims, err := floats("rtd_logits", out.RTDLogits, 2)
		if err != nil {
			return err
		}
		seq := dims[1]
		for bi, e := range b.Encodings {
			scores := []TokenScore{}
			for i, id := range e.InputIDs {
				if e.SequenceIDs[i] < 0 || e.AttentionMask[i] == 0 {
					continue
				}
				scores = append(scores, TokenScore{Index: i, TokenID: id, Token: e.Tokens[i],
					Start: e.Offsets[i].Start, End: e.Offsets[i].End, Score: sigmoid(logits[bi*seq+i])})
			}
			res[first+bi] = scores
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}
