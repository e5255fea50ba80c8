package pipeline

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/deberta-go/lab/debertav3"
	"github.com/deberta-go/lab/tokenizer"
)

// Entity is a labelled token or, with aggregation, a labelled span of words.
type Entity struct {
	// Label is the token's label (e.g. "B-PER"), or for a span the entity type without its B-/I- prefix ("PER").
	Label string  `json:"label"`
	Score float64 `json:"score"`
	// Index is the token's position in the encoding; for a span, that of its first token.
	Index int `json:"index"`
	// Token is the token's piece (per-token results only).
	Token string `json:"token,omitempty"`
	// Start and End are byte offsets into the text, surrounding whitespace excluded; Word is text[Start:End].
	Start int    `json:"start"`
	End   int    `json:"end"`
	Word  string `json:"word"`
}

// TokenClassify labels the tokens of each text with the token-classification head (softmax over id2label).
//
// Without aggregation it returns every token of the text ([CLS]/[SEP] left out) with its most probable label.
// With aggregation it returns entity spans as HF's aggregation_strategy="first": each word (tokens sharing a
// word id) takes the label and probability of its first token; consecutive words are merged into one span while
// their types agree and the next word's label does not start with "B-"; a span's score is the mean of its
// words'; spans labelled "O" are dropped.
func (p *Pipeline) TokenClassify(texts []string, aggregate bool) ([][]Entity, error) {
	if err := p.requireHead("token-classify", debertav3.HeadTokenClassification, ""); err != nil {
		return nil, err
	}
	encs, err := p.encode("token-classify", texts)
	if err != nil {
		return nil, err
	}
	res := make([][]Entity, len(encs))
	err = p.forEachBatch("token-classify", encs, func(first int, b *Batch, out *debertav3.Outputs) error {
		logits, dims, err := floats("logits", out.Logits, 3)
		if err != nil {
			return err
		}
		seq, n := dims[1], dims[2]
		for bi, e := range b.Encodings {
			probs := make([][]float64, e.Len())
			for i := range probs {
				probs[i] = softmax(logits[(bi*seq+i)*n : (bi*seq+i+1)*n])
			}
			text := texts[first+bi]
			if aggregate {
				res[first+bi] = aggregateWords(text, e, probs, p.labelName)
			} else {
				res[first+bi] = tokenLabels(text, e, probs, p.labelName)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// tokenLabels labels every text token of e with its most probable label; probs is [token][label].
func tokenLabels(text string, e *tokenizer.Encoding, probs [][]float64, label func(int) string) []Entity {
	out := []Entity{}
	for i := range e.InputIDs {
		if e.SequenceIDs[i] != 0 || e.AttentionMask[i] == 0 {
			continue
		}
		best := argmax(probs[i])
		start, end := trimSpan(text, e.Offsets[i].Start, e.Offsets[i].End)
		out = append(out, Entity{Label: label(best), Score: probs[i][best], Index: i, Token: e.Tokens[i],
			Start: start, End: end, Word: text[start:end]})
	}
	return out
}

// aggregateWords turns token probabilities ([token][label]) into entity spans (see TokenClassify).
func aggregateWords(text string, e *tokenizer.Encoding, probs [][]float64, label func(int) string) []Entity {
	// Words: runs of text tokens with the same word id, labelled by their first token.
	var words []Entity
	for i := 0; i < e.Len(); {
		if e.SequenceIDs[i] != 0 || e.AttentionMask[i] == 0 {
			i++
			continue
		}
		j := i + 1
		for j < e.Len() && e.SequenceIDs[j] == 0 && e.AttentionMask[j] != 0 && e.WordIDs[j] == e.WordIDs[i] {
			j++
		}
		start, end := e.Offsets[i].Start, e.Offsets[i].End
		for k := i + 1; k < j; k++ {
			start, end = min(start, e.Offsets[k].Start), max(end, e.Offsets[k].End)
		}
		best := argmax(probs[i])
		words = append(words, Entity{Label: label(best), Score: probs[i][best], Index: i, Start: start, End: end})
		i = j
	}
	// Spans: HF's group_entities.
	var spans []Entity
	var group []Entity
	flush := func() {
		if len(group) == 0 {
			return
		}
		_, tag := bioTag(group[0].Label)
		sum := 0.0
		for _, w := range group {
			sum += w.Score
		}
		start, end := trimSpan(text, group[0].Start, group[len(group)-1].End)
		if tag != "O" {
			spans = append(spans, Entity{Label: tag, Score: sum / float64(len(group)), Index: group[0].Index,
				Start: start, End: end, Word: text[start:end]})
		}
		group = group[:0]
	}
	for _, w := range words {
		if len(group) > 0 {
			bi, tag := bioTag(w.Label)
			_, lastTag := bioTag(group[len(group)-1].Label)
			if tag != lastTag || bi == "B" {
				flush()
			}
		}
		group = append(group, w)
	}
	flush()
	if spans == nil {
		spans = []Entity{}
	}
	return spans
}

// bioTag splits "B-PER" into ("B", "PER"); a label without a B-/I- prefix counts as a continuation ("I").
func bioTag(label string) (bi, tag string) {
	if rest, ok := strings.CutPrefix(label, "B-"); ok {
		return "B", rest
	}
	if rest, ok := strings.CutPrefix(label, "I-"); ok {
		return "I", rest
	}
	return "I", label
}

// trimSpan shrinks [start, end) of text to exclude leading and trailing whitespace (pieces starting with "▁"
// cover the space before them).
func trimSpan(text string, start, end int) (int, int) {
	start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
	for start < end {
		r, size := utf8.DecodeRuneInString(text[start:end])
		if !unicode.IsSpace(r) {
			break
		}
		start += size
	}
	for end > start {
		r, size := utf8.DecodeLastRuneInString(text[start:end])
		if !unicode.IsSpace(r) {
			break
		}
		end -= size
	}
	return start, end
}

// argmax is the index of the largest value (the first one on ties; NaNs are never chosen over numbers).
func argmax(x []float64) int {
	best := 0
	for i, v := range x {
		if v > x[best] || (x[best] != x[best] && v == v) {
			best = i
		}
	}
	return best
}
