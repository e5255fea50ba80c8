package pipeline

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/deberta-go/lab/debertav3"
	"github.com/deberta-go/lab/tokenizer"
)

// DefaultMaxAnswerLen is the longest answer in tokens when QA is given 0 (HF's max_answer_len).
const DefaultMaxAnswerLen = 15

// Answer is one extracted answer span.
type Answer struct {
	// Text is context[Start:End]: byte offsets into the context, surrounding whitespace excluded.
	Text  string `json:"text"`
	Start int    `json:"start"`
	End   int    `json:"end"`
	// Score is P(start)·P(end), each the softmax of its logits over the context tokens.
	Score float64 `json:"score"`
	// StartToken and EndToken are the span's first and last token positions in the encoding.
	StartToken int `json:"start_token"`
	EndToken   int `json:"end_token"`
}

// QA extracts answers to questions[i] from contexts[i] with the question-answering head: each pair is encoded as
// `[CLS] question [SEP] context [SEP]` (the context truncated to MaxLength, with a warning: long contexts are not
// split into strided windows), and the topK best spans are returned, best first: start ≤ end, both inside the
// context, at most maxAnswerLen tokens (0: DefaultMaxAnswerLen). topK 0 means 1.
func (p *Pipeline) QA(questions, contexts []string, topK, maxAnswerLen int) ([][]Answer, error) {
	if err := p.requireHead("qa", debertav3.HeadQuestionAnswering, ""); err != nil {
		return nil, err
	}
	if len(questions) != len(contexts) {
		return nil, fmt.Errorf("qa: %d questions but %d contexts", len(questions), len(contexts))
	}
	if topK < 0 || maxAnswerLen < 0 {
		return nil, fmt.Errorf("qa: topK (%d) and maxAnswerLen (%d) must not be negative", topK, maxAnswerLen)
	}
	topK, maxAnswerLen = max(topK, 1), cmp.Or(maxAnswerLen, DefaultMaxAnswerLen)
	pairs := make([][2]string, len(questions))
	for i := range pairs {
		pairs[i] = [2]string{questions[i], contexts[i]}
	}
	encs, err := p.encodePairs("qa", pairs, tokenizer.TruncateOnlySecond)
	if err != nil {
		return nil, err
	}
	res := make([][]Answer, len(encs))
	err = p.forEachBatch("qa", encs, func(first int, b *Batch, out *debertav3.Outputs) error {
		starts, dims, err := floats("start_logits", out.StartLogits, 2)
		if err != nil {
			return err
		}
		ends, _, err := floats("end_logits", out.EndLogits, 2)
		if err != nil {
			return err
		}
		seq := dims[1]
		for bi, e := range b.Encodings {
			inContext := make([]bool, e.Len())
			for i := range inContext {
				inContext[i] = e.SequenceIDs[i] == 1 && e.AttentionMask[i] != 0
			}
			context := contexts[first+bi]
			answers := []Answer{}
			for _, s := range decodeSpans(starts[bi*seq:bi*seq+e.Len()], ends[bi*seq:bi*seq+e.Len()], inContext, topK, maxAnswerLen) {
				start, end := trimSpan(context, e.Offsets[s.start].Start, e.Offsets[s.end].End)
				answers = append(answers, Answer{Text: context[start:end], Start: start, End: end, Score: s.score,
					StartToken: s.start, EndToken: s.end})
			}
			res[first+bi] = answers
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// span is a candidate answer: token positions (inclusive) and its probability.
type span struct {
	start, end int
	score      float64
}

// decodeSpans returns the topK spans (start, end) with start ≤ end, end−start+1 ≤ maxLen and both positions
// allowed, best first (ties: earlier start, then earlier end). Scores are P(start)·P(end), each a softmax of the
// logits over the allowed positions only. start, end and allowed have one entry per token.
func decodeSpans(start, end []float32, allowed []bool, topK, maxLen int) []span {
	var idx []int
	for i, ok := range allowed {
		if ok && i < len(start) && i < len(end) {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 || topK <= 0 || maxLen <= 0 {
		return nil
	}
	probs := func(logits []float32) []float64 {
		sub := make([]float32, len(idx))
		for k, i := range idx {
			sub[k] = logits[i]
		}
		return softmax(sub)
	}
	ps, pe := probs(start), probs(end)
	better := func(a, b span) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		if c := cmp.Compare(a.start, b.start); c != 0 {
			return c
		}
		return cmp.Compare(a.end, b.end)
	}
	var best []span // sorted, best first, at most topK
	for a, s := range idx {
		for b := a; b < len(idx) && idx[b]-s+1 <= maxLen; b++ {
			c := span{start: s, end: idx[b], score: ps[a] * pe[b]}
			if math.IsNaN(c.score) || (len(best) == topK && better(c, best[topK-1]) >= 0) {
				continue
			}
			pos, _ := slices.BinarySearchFunc(best, c, better)
			best = slices.Insert(best, pos, c)
			if len(best) > topK {
				best = best[:topK]
			}
		}
	}
	return best
}
