package tokenizer

import (
	"errors"
	"fmt"
)

// Truncation selects how inputs longer than the maximum length are shortened (HF's truncation strategies; tokens
// are always removed from the end of a sequence).
type Truncation int

const (
	// TruncateLongestFirst (the default) removes tokens one at a time from the longer sequence, from the second
	// one when both are equally long.
	TruncateLongestFirst Truncation = iota
	// TruncateOnlyFirst removes tokens from the first sequence only.
	TruncateOnlyFirst
	// TruncateOnlySecond removes tokens from the second sequence of a pair only.
	TruncateOnlySecond
	// DoNotTruncate keeps every token, whatever the length.
	DoNotTruncate
)

// Padding selects how encodings are padded with [PAD] on the right.
type Padding int

const (
	// NoPadding (the default) leaves every encoding at its own length.
	NoPadding Padding = iota
	// PadLongest pads the encodings of a batch to the longest of them.
	PadLongest
	// PadMaxLength pads every encoding to the maximum length.
	PadMaxLength
)

// EncodeOptions configures Encode, EncodePair and the batch variants. The zero value truncates to the
// tokenizer's MaxLength (512 by default) with TruncateLongestFirst and does not pad.
type EncodeOptions struct {
	MaxLength  int // 0 means the tokenizer's MaxLength
	Truncation Truncation
	Padding    Padding
}

// Offset is a half-open range [Start, End) of the input text.
type Offset struct{ Start, End int }

// Encoding is the model input built from one text or one pair of texts: `[CLS] A [SEP]` or
// `[CLS] A [SEP] B [SEP]`, then [PAD]s. All slices have the same length.
type Encoding struct {
	InputIDs          []int32
	AttentionMask     []int32 // 1 for real tokens, 0 for padding
	TokenTypeIDs      []int32 // 0 for [CLS], A and its [SEP]; 1 for B and the last [SEP]; 0 for padding
	SpecialTokensMask []int32 // 1 for the added [CLS]/[SEP]/[PAD]; 0 for tokens of the texts, literals included
	Tokens            []string
	// Offsets are byte offsets into the token's own text (A or B, see SequenceIDs); {0, 0} for added tokens.
	Offsets []Offset
	// RuneOffsets are the same offsets in code points (what HF's offset_mapping holds).
	RuneOffsets []Offset
	// WordIDs numbers the words of each text from 0 (a word starts at a piece beginning with "▁", at a special-token
	// literal and at the token after one); -1 for added tokens.
	WordIDs []int32
	// SequenceIDs is 0 for tokens of A, 1 for tokens of B and -1 for added tokens.
	SequenceIDs []int32
}

// Len returns the number of tokens, padding included.
func (e *Encoding) Len() int { return len(e.InputIDs) }

// newEncoding returns an empty Encoding with room for capacity tokens, its int32 and Offset slices carved out of
// two allocations.
func newEncoding(capacity int) *Encoding {
	ints := make([]int32, 6*capacity)
	offsets := make([]Offset, 2*capacity)
	part := func(i int) []int32 { return ints[i*capacity : i*capacity : (i+1)*capacity] }
	return &Encoding{
		InputIDs: part(0), AttentionMask: part(1), TokenTypeIDs: part(2), SpecialTokensMask: part(3),
		WordIDs: part(4), SequenceIDs: part(5), Tokens: make([]string, 0, capacity),
		Offsets: offsets[:0:capacity], RuneOffsets: offsets[capacity : capacity : 2*capacity],
	}
}

// push appends one token of text seq (-1 for added tokens) with word index word.
func (e *Encoding) push(tok Token, typeID, attention, seq, word int32) {
	special := int32(0)
	if seq < 0 {
		special = 1
	}
	e.InputIDs = append(e.InputIDs, tok.ID)
	e.AttentionMask = append(e.AttentionMask, attention)
	e.TokenTypeIDs = append(e.TokenTypeIDs, typeID)
	e.SpecialTokensMask = append(e.SpecialTokensMask, special)
	e.Tokens = append(e.Tokens, tok.Piece)
	e.Offsets = append(e.Offsets, Offset{tok.Start, tok.End})
	e.RuneOffsets = append(e.RuneOffsets, Offset{tok.RuneStart, tok.RuneEnd})
	e.WordIDs = append(e.WordIDs, word)
	e.SequenceIDs = append(e.SequenceIDs, seq)
}

// sequence is the tokens of one text and their word indices.
type sequence struct {
	tokens []Token
	words  []int32
}

// assemble builds `[CLS] a [SEP] (b [SEP])` with room for padding up to capacity tokens.
func (t *Tokenizer) assemble(a, b *sequence, capacity int) *Encoding {
	n := len(a.tokens) + 2
	if b != nil {
		n += len(b.tokens) + 1
	}
	e := newEncoding(max(n, capacity))
	e.push(Token{ID: t.cls, Piece: t.names[t.cls]}, 0, 1, -1, -1)
	for i, tok := range a.tokens {
		e.push(tok, 0, 1, 0, a.words[i])
	}
	sep := Token{ID: t.sep, Piece: t.names[t.sep]}
	e.push(sep, 0, 1, -1, -1)
	if b != nil {
		for i, tok := range b.tokens {
			e.push(tok, 1, 1, 1, b.words[i])
		}
		e.push(sep, 1, 1, -1, -1)
	}
	return e
}

// padTo appends [PAD] tokens up to length (nothing when the encoding is already that long).
func (t *Tokenizer) padTo(e *Encoding, length int) {
	pad := Token{ID: t.pad, Piece: t.names[t.pad]}
	for e.Len() < length {
		e.push(pad, 0, 0, -1, -1)
	}
}

// truncate returns how many tokens of each sequence to keep (HF's truncate_sequences for the right side). It
// fails when the strategy cannot reach maxLen, where HF logs an error and returns the sequence unchanged.
func truncate(na, nb int, pair bool, maxLen int, strategy Truncation) (int, int, error) {
	if strategy == DoNotTruncate {
		return na, nb, nil
	}
	specials := 2
	if pair {
		specials = 3
	}
	remove := na + nb + specials - maxLen
	if remove <= 0 {
		return na, nb, nil
	}
	switch {
	case strategy == TruncateOnlyFirst || (strategy == TruncateLongestFirst && !pair):
		if na <= remove {
			return 0, 0, fmt.Errorf("tokenizer: cannot truncate to %d tokens: %d must go but the first sequence "+
				"has only %d", maxLen, remove, na)
		}
		return na - remove, nb, nil
	case strategy == TruncateLongestFirst:
		if remove > na+nb {
			return 0, 0, fmt.Errorf("tokenizer: max length %d leaves no room for the special tokens", maxLen)
		}
		for ; remove > 0; remove-- {
			if na > nb {
				na--
			} else {
				nb--
			}
		}
		return na, nb, nil
	default: // TruncateOnlySecond
		if !pair {
			return 0, 0, errors.New("tokenizer: only-second truncation needs a pair of texts")
		}
		if nb <= remove {
			return 0, 0, fmt.Errorf("tokenizer: cannot truncate to %d tokens: %d must go but the second sequence "+
				"has only %d", maxLen, remove, nb)
		}
		return na, nb - remove, nil
	}
}
