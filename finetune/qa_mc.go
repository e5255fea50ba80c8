package finetune

import (
	"fmt"
	"strings"

	"github.com/deberta-go/lab/tokenizer"
)

// QAExample is one extractive question-answering example (SQuAD v1.1 style).
type QAExample struct {
	ID, Question, Context string
	// AnswerStart is the byte offset of the training answer Answers[0] in Context.
	AnswerStart int
	// Answers are the gold answer texts (the first one is trained on; evaluation takes the best match).
	Answers []string
}

// MCExample is one multiple-choice example: a context and candidate continuations, Label the right one.
type MCExample struct {
	ID, Context string
	Choices     []string
	Label       int
}

// maxAnswerTokens bounds the length of a predicted answer span.
const maxAnswerTokens = 30

// questions encodes [CLS] question [SEP] context [SEP] (truncating the context only) with the answer's first and
// last context tokens as targets; an answer cut away by truncation points at [CLS] (index 0), as HF does.
func (c *encoder) questions(examples []QAExample) (*encoded, []*tokenizer.Encoding, error) {
	out := &encoded{n: len(examples)}
	encs := make([]*tokenizer.Encoding, len(examples))
	for i, ex := range examples {
		if len(ex.Answers) == 0 || ex.AnswerStart < 0 || ex.AnswerStart+len(ex.Answers[0]) > len(ex.Context) ||
			ex.Context[ex.AnswerStart:ex.AnswerStart+len(ex.Answers[0])] != ex.Answers[0] {
			return nil, nil, fmt.Errorf("question %s: answer %q is not at byte %d of the context", ex.ID, first(ex.Answers), ex.AnswerStart)
		}
		enc, cut, err := c.encodeText(ex.Question, ex.Context, tokenizer.TruncateOnlySecond)
		if err != nil {
			return nil, nil, fmt.Errorf("question %s: %w", ex.ID, err)
		}
		if cut {
			out.truncated++
		}
		encs[i] = enc
		out.row(enc)
		startByte, endByte := ex.AnswerStart, ex.AnswerStart+len(ex.Answers[0])
		start, end := int32(0), int32(0)
		for t := range enc.Len() {
			if enc.SequenceIDs[t] != 1 {
				continue
			}
			o := enc.Offsets[t]
			if start == 0 && o.End > startByte {
				start = int32(t)
			}
			if o.Start < endByte {
				end = int32(t)
			}
		}
		if start == 0 || end < start {
			start, end = 0, 0
		}
		out.label, out.end = append(out.label, start), append(out.end, end)
	}
	return out, encs, nil
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

// bestSpan returns the context text of the highest-scoring span (start ≤ end, both context tokens, at most
// maxAnswerTokens long) of one example.
func bestSpan(enc *tokenizer.Encoding, context string, start, end []float32) string {
	best, bs, be := float32(0), -1, -1
	for s := range enc.Len() {
		if enc.SequenceIDs[s] != 1 {
			continue
		}
		for e := s; e < enc.Len() && e < s+maxAnswerTokens && enc.SequenceIDs[e] == 1; e++ {
			if score := start[s] + end[e]; bs < 0 || score > best {
				best, bs, be = score, s, e
			}
		}
	}
	if bs < 0 {
		return ""
	}
	return strings.TrimSpace(context[enc.Offsets[bs].Start:enc.Offsets[be].End])
}

// choices encodes each (context, choice) pair; every example must have the same number of choices.
func (c *encoder) choices(examples []MCExample) (*encoded, int, error) {
	out := &encoded{n: len(examples)}
	n := 0
	for _, ex := range examples {
		if n == 0 {
			n = len(ex.Choices)
		}
		if len(ex.Choices) != n || n < 2 {
			return nil, 0, fmt.Errorf("multiple choice %s: %d choices, want %d (≥ 2, the same for every example)", ex.ID, len(ex.Choices), n)
		}
		if ex.Label < 0 || ex.Label >= n {
			return nil, 0, fmt.Errorf("multiple choice %s: label %d out of range [0, %d)", ex.ID, ex.Label, n)
		}
		cut := false
		for _, choice := range ex.Choices {
			enc, c1, err := c.encodeText(ex.Context, choice, tokenizer.TruncateOnlyFirst)
			if err != nil {
				return nil, 0, fmt.Errorf("multiple choice %s: %w", ex.ID, err)
			}
			cut = cut || c1
			out.row(enc)
		}
		if cut {
			out.truncated++
		}
		out.label = append(out.label, int32(ex.Label))
	}
	return out, n, nil
}
