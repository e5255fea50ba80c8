package pipeline

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/deberta-go/lab/debertav3"
	"github.com/deberta-go/lab/tokenizer"
)

// MaskPrediction is the prediction for one [MASK] token of a text.
type MaskPrediction struct {
	// Position is the index of the [MASK] token in the encoding ([CLS] is 0).
	Position int `json:"position"`
	// Start and End are the byte offsets of the "[MASK]" literal in the text.
	Start int `json:"start"`
	End   int `json:"end"`
	// Candidates are the top-k tokens, most probable first.
	Candidates []Candidate `json:"candidates"`
}

// Candidate is one token proposed for a [MASK].
type Candidate struct {
	TokenID int32  `json:"token_id"`
	Token   string `json:"token"` // the piece, e.g. "▁capital"
	Text    string `json:"text"`  // the piece decoded, e.g. "capital"
	// Score is the probability of the token: the softmax of the masked-LM logits over the whole vocabulary.
	Score float64 `json:"score"`
	// Sequence is the input text with this [MASK] replaced by Text (other [MASK]s left as they are).
	Sequence string `json:"sequence"`
}

// FillMask predicts the topK most probable tokens for every [MASK] of each text, in order of appearance.
// Probabilities are the softmax over all vocabulary rows (as HF's fill-mask); candidates are taken among the ids
// the tokenizer can produce. Texts without a [MASK] (after truncation) are an error.
//
// The model must have a trained masked-LM head. DeBERTa-v3 discriminators (the released
// microsoft/deberta-v3-* main checkpoints) have none: FillMask refuses them and asks for the generator checkpoint
// (Options.Generator), which Load opens with its Enhanced Mask Decoder.
func (p *Pipeline) FillMask(texts []string, topK int) ([][]MaskPrediction, error) {
	if err := p.checkFillMask(); err != nil {
		return nil, err
	}
	encs, err := p.encode("fill-mask", texts)
	if err != nil {
		return nil, err
	}
	return p.fillMask(encs, texts, p.Tokenizer.SpecialIDs().Mask, topK)
}

// ReleasedGenerators are the released DeBERTa-v3 repositories that ship a generator beside the
// discriminator (generator_config.json + pytorch_model.generator.bin); -small and -base do not.
var ReleasedGenerators = []string{"microsoft/deberta-v3-xsmall", "microsoft/deberta-v3-large", "microsoft/mdeberta-v3-base"}

// checkFillMask refuses models without a masked-LM head, saying where a generator is.
func (p *Pipeline) checkFillMask() error {
	if p.Model.Options.Has(debertav3.HeadMaskedLM) {
		return nil
	}
	where := "use a generator checkpoint"
	if p.Dir != "" {
		if _, err := os.Stat(filepath.Join(p.Dir, "generator_config.json")); err == nil {
			where = fmt.Sprintf("use the generator beside it (%s has generator_config.json)", p.Dir)
		}
	}
	return fmt.Errorf("fill-mask: the model is a replaced-token-detection discriminator with no masked-LM head "+
		"(its heads: %v; a masked-LM head such checkpoints may carry was never trained and gives random tokens): "+
		"%s — `deberta fill-mask --generator` for a folder or repository that has one, or `--generator-model` "+
		"with a folder or hub id of one (of the released models, %s ship a generator; microsoft/deberta-v3-base "+
		"and -small do not); in Go: pipeline.Options{Generator: true} or checkpoints.OpenOptions{Generator: true}",
		p.Model.Options.Heads, where, strings.Join(ReleasedGenerators, ", "))
}

// fillMask is FillMask on encoded texts, maskID marking the positions to predict. texts may be nil (then
// Sequence is empty).
func (p *Pipeline) fillMask(encs []*tokenizer.Encoding, texts []string, maskID int32, topK int) ([][]MaskPrediction, error) {
	if topK <= 0 {
		return nil, fmt.Errorf("fill-mask: topK must be positive, got %d", topK)
	}
	for i, e := range encs {
		if !hasID(e.InputIDs, maskID) {
			return nil, fmt.Errorf("fill-mask: input %d has no [MASK] token (id %d) in its first %d tokens", i, maskID, p.Options.MaxLength)
		}
	}
	usable := min(p.Tokenizer.VocabSize(), p.Model.Config.VocabSize)
	keep := func(i int) bool { return i < usable }
	res := make([][]MaskPrediction, len(encs))
	err := p.forEachBatch("fill-mask", encs, func(first int, b *Batch, out *debertav3.Outputs) error {
		logits, dims, err := floats("mlm_logits", out.MLMLogits, 3)
		if err != nil {
			return err
		}
		seq, vocab := dims[1], dims[2]
		for bi, e := range b.Encodings {
			for pos, id := range e.InputIDs {
				if id != maskID || e.AttentionMask[pos] == 0 {
					continue
				}
				probs := softmax(logits[(bi*seq+pos)*vocab : (bi*seq+pos+1)*vocab])
				mp := MaskPrediction{Position: pos, Start: e.Offsets[pos].Start, End: e.Offsets[pos].End}
				for _, c := range topIndices(probs, topK, keep) {
					cand := Candidate{TokenID: int32(c), Token: p.token(int32(c)), Score: probs[c]}
					cand.Text, _ = p.Tokenizer.Decode([]int32{int32(c)}, false)
					if texts != nil {
						text := texts[first+bi]
						cand.Sequence = text[:mp.Start] + cand.Text + text[mp.End:]
					}
					mp.Candidates = append(mp.Candidates, cand)
				}
				res[first+bi] = append(res[first+bi], mp)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

func hasID(ids []int32, id int32) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}
