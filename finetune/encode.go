package finetune

import (
	"fmt"

	"github.com/deberta-go/lab/data"
	"github.com/deberta-go/lab/tokenizer"
)

// encoded is a split turned into fixed-length rows of MaxLength tokens, with the targets of its task kind.
// Multiple choice has choices rows per example (row = example·choices + choice).
type encoded struct {
	n                int       // examples
	ids, mask, types [][]int32 // [rows][L]
	label            []int32   // KindClassification: class; KindMultipleChoice: choice; KindQuestionAnswering: start token
	end              []int32   // KindQuestionAnswering: end token
	value            []float32 // KindRegression
	multi            [][]float32
	tags             [][]int32 // KindTagging: [n][L] tag of each word's first sub-token, -1 elsewhere
	firstTok         [][]int   // KindTagging: token index of each word's first sub-token, -1 when truncated away
	gold             [][]int   // KindTagging: gold tag of each word
	// truncated counts examples (tagging: words) that lost tokens to the length limit.
	truncated int
}

// encoder turns examples into rows for one model and length.
type encoder struct {
	tok    *tokenizer.Tokenizer
	length int
	labels map[string]int
}

func newEncoder(tok *tokenizer.Tokenizer, length int, labels []string) *encoder {
	index := make(map[string]int, len(labels))
	for i, l := range labels {
		index[l] = i
	}
	return &encoder{tok: tok, length: length, labels: index}
}

// row appends one encoding's padded ids, mask and token types.
func (e *encoded) row(enc *tokenizer.Encoding) {
	e.ids = append(e.ids, enc.InputIDs)
	e.mask = append(e.mask, enc.AttentionMask)
	e.types = append(e.types, enc.TokenTypeIDs)
}

// encodeText encodes a text or a pair padded to the length, and reports whether truncation removed tokens.
func (c *encoder) encodeText(a, b string, strategy tokenizer.Truncation) (*tokenizer.Encoding, bool, error) {
	full := tokenizer.EncodeOptions{MaxLength: c.length, Truncation: tokenizer.DoNotTruncate}
	cut := tokenizer.EncodeOptions{MaxLength: c.length, Truncation: strategy, Padding: tokenizer.PadMaxLength}
	var whole, enc *tokenizer.Encoding
	var err error
	if b == "" {
		if whole, err = c.tok.Encode(a, full); err == nil {
			enc, err = c.tok.Encode(a, cut)
		}
	} else if whole, err = c.tok.EncodePair(a, b, full); err == nil {
		enc, err = c.tok.EncodePair(a, b, cut)
	}
	if err != nil {
		return nil, false, err
	}
	return enc, whole.Len() > c.length, nil
}

// sequences encodes KindClassification, KindRegression and KindMultiLabel examples.
func (c *encoder) sequences(kind Kind, examples []data.ClassExample) (*encoded, error) {
	out := &encoded{n: len(examples)}
	for _, ex := range examples {
		enc, cut, err := c.encodeText(ex.Text, ex.Pair, tokenizer.TruncateLongestFirst)
		if err != nil {
			return nil, fmt.Errorf("example %s: %w", ex.ID, err)
		}
		if cut {
			out.truncated++
		}
		out.row(enc)
		switch kind {
		case KindRegression:
			out.value = append(out.value, float32(ex.Value))
		case KindMultiLabel:
			hot := make([]float32, len(c.labels))
			for _, l := range ex.Labels {
				i, ok := c.labels[l]
				if !ok {
					return nil, fmt.Errorf("example %s: unknown label %q", ex.ID, l)
				}
				hot[i] = 1
			}
			out.multi = append(out.multi, hot)
		default:
			if len(ex.Labels) != 1 {
				return nil, fmt.Errorf("example %s: %d labels, want 1", ex.ID, len(ex.Labels))
			}
			i, ok := c.labels[ex.Labels[0]]
			if !ok {
				return nil, fmt.Errorf("example %s: unknown label %q", ex.ID, ex.Labels[0])
			}
			out.label = append(out.label, int32(i))
		}
	}
	return out, nil
}

// words encodes KindTagging examples as HF's is_split_into_words does: each word is tokenised on its own (with the
// SentencePiece dummy prefix "▁"), the word's tag goes on its first sub-token, the other sub-tokens and the
// special tokens get -1 (ignored by the loss and the metrics). The word that does not fit and all after it
// (and words the normaliser erases) have no token: they are counted in truncated and scored as wrong by evaluate.
func (c *encoder) words(examples []data.TagExample) (*encoded, error) {
	sp, special := c.tok.SentencePiece(), c.tok.SpecialIDs()
	out := &encoded{n: len(examples)}
	for _, ex := range examples {
		if len(ex.Words) != len(ex.Tags) {
			return nil, fmt.Errorf("sentence %s: %d words and %d tags", ex.ID, len(ex.Words), len(ex.Tags))
		}
		ids := make([]int32, c.length)
		mask := make([]int32, c.length)
		tags := make([]int32, c.length)
		for i := range ids {
			ids[i], tags[i] = special.Pad, -1
		}
		ids[0], mask[0] = special.CLS, 1
		first := make([]int, len(ex.Words))
		gold := make([]int, len(ex.Words))
		pos, full := 1, false
		for w, word := range ex.Words {
			tag, ok := c.labels[ex.Tags[w]]
			if !ok {
				return nil, fmt.Errorf("sentence %s: unknown tag %q", ex.ID, ex.Tags[w])
			}
			gold[w], first[w] = tag, -1
			pieces := sp.EncodeIDs(word)
			full = full || pos+len(pieces) > c.length-1
			if len(pieces) == 0 || full {
				out.truncated++
				continue
			}
			first[w], tags[pos] = pos, int32(tag)
			for _, id := range pieces {
				ids[pos], mask[pos] = id, 1
				pos++
			}
		}
		ids[pos], mask[pos] = special.SEP, 1
		out.ids, out.mask, out.types = append(out.ids, ids), append(out.mask, mask), append(out.types, make([]int32, c.length))
		out.tags, out.firstTok, out.gold = append(out.tags, tags), append(out.firstTok, first), append(out.gold, gold)
	}
	return out, nil
}
