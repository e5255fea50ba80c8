package pipeline

import (
	"github.com/deberta-go/lab/debertav3"
	"github.com/deberta-go/lab/tokenizer"
)

// LabelScore is the score of one label.
type LabelScore struct {
	Label string `json:"label"`
	// ID is the label's class index (id2label key), or its index in the labels given to ZeroShot.
	ID    int     `json:"id"`
	Score float64 `json:"score"`
}

// Classify runs sequence classification on each text and returns every label of the model's id2label (named
// "LABEL_i" when id2label lacks it) with its score, best first: the softmax over the logits, or with multiLabel
// each label's independent sigmoid.
func (p *Pipeline) Classify(texts []string, multiLabel bool) ([][]LabelScore, error) {
	if err := p.requireHead("classify", debertav3.HeadSequenceClassification, ""); err != nil {
		return nil, err
	}
	encs, err := p.encode("classify", texts)
	if err != nil {
		return nil, err
	}
	return p.classify("classify", encs, multiLabel)
}

// ClassifyPairs is Classify for pairs of texts (`[CLS] a [SEP] b [SEP]`, e.g. premise and hypothesis),
// truncated longest-first.
func (p *Pipeline) ClassifyPairs(pairs [][2]string, multiLabel bool) ([][]LabelScore, error) {
	if err := p.requireHead("classify", debertav3.HeadSequenceClassification, ""); err != nil {
		return nil, err
	}
	encs, err := p.encodePairs("classify", pairs, tokenizer.TruncateLongestFirst)
	if err != nil {
		return nil, err
	}
	return p.classify("classify", encs, multiLabel)
}

// classify scores encoded inputs with the sequence-classification head.
func (p *Pipeline) classify(what string, encs []*tokenizer.Encoding, multiLabel bool) ([][]LabelScore, error) {
	logits, err := p.sequenceLogits(what, encs)
	if err != nil {
		return nil, err
	}
	res := make([][]LabelScore, len(logits))
	for i, row := range logits {
		var probs []float64
		if multiLabel {
			probs = make([]float64, len(row))
			for j, v := range row {
				probs[j] = sigmoid(v)
			}
		} else {
			probs = softmax(row)
		}
		scores := make([]LabelScore, len(row))
		for j, pr := range probs {
			scores[j] = LabelScore{Label: p.labelName(j), ID: j, Score: pr}
		}
		sortScores(scores)
		res[i] = scores
	}
	return res, nil
}

// sequenceLogits returns the sequence-classification logits of each encoding, [input][label].
func (p *Pipeline) sequenceLogits(what string, encs []*tokenizer.Encoding) ([][]float32, error) {
	res := make([][]float32, len(encs))
	err := p.forEachBatch(what, encs, func(first int, b *Batch, out *debertav3.Outputs) error {
		logits, dims, err := floats("logits", out.Logits, 2)
		if err != nil {
			return err
		}
		n := dims[1]
		for bi := range b.Encodings {
			res[first+bi] = logits[bi*n : (bi+1)*n]
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}
