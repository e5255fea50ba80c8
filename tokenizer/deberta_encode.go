package tokenizer

import (
	"fmt"
	"strings"
)

// Encode encodes one text as `[CLS] text [SEP]` (HF: tokenizer(text, truncation=True, max_length=...)).
func (t *Tokenizer) Encode(text string, opts EncodeOptions) (*Encoding, error) {
	return t.encode(text, nil, opts)
}

// EncodePair encodes two texts as `[CLS] a [SEP] b [SEP]` (HF: tokenizer(a, b, ...)).
func (t *Tokenizer) EncodePair(a, b string, opts EncodeOptions) (*Encoding, error) {
	return t.encode(a, &b, opts)
}

// EncodeBatch encodes texts in parallel (GOMAXPROCS goroutines). With PadLongest all encodings are padded to the
// longest. The first failing item fails the batch.
func (t *Tokenizer) EncodeBatch(texts []string, opts EncodeOptions) ([]*Encoding, error) {
	return t.encodeBatch(len(texts), func(i int) (string, *string) { return texts[i], nil }, opts)
}

// EncodePairBatch is EncodeBatch for pairs of texts.
func (t *Tokenizer) EncodePairBatch(pairs [][2]string, opts EncodeOptions) ([]*Encoding, error) {
	return t.encodeBatch(len(pairs), func(i int) (string, *string) { return pairs[i][0], &pairs[i][1] }, opts)
}

func (t *Tokenizer) maxLength(opts EncodeOptions) (int, error) {
	switch {
	case opts.MaxLength < 0:
		return 0, fmt.Errorf("tokenizer: negative MaxLength %d", opts.MaxLength)
	case opts.MaxLength == 0:
		return t.cfg.MaxLength, nil
	}
	return opts.MaxLength, nil
}

func (t *Tokenizer) encode(a string, b *string, opts EncodeOptions) (*Encoding, error) {
	maxLen, err := t.maxLength(opts)
	if err != nil {
		return nil, err
	}
	if opts.Padding < NoPadding || opts.Padding > PadMaxLength {
		return nil, fmt.Errorf("tokenizer: unknown padding %d", opts.Padding)
	}
	if opts.Truncation < TruncateLongestFirst || opts.Truncation > DoNotTruncate {
		return nil, fmt.Errorf("tokenizer: unknown truncation strategy %d", opts.Truncation)
	}
	// The token lists are scratch: assemble copies them into the Encoding.
	seqs, _ := t.seqs.Get().(*[2]sequence)
	if seqs == nil {
		seqs = new([2]sequence)
	}
	defer t.seqs.Put(seqs)
	sa, sb := &seqs[0], (*sequence)(nil)
	t.tokenize(a, sa)
	nb := 0
	if b != nil {
		sb = &seqs[1]
		t.tokenize(*b, sb)
		nb = len(sb.tokens)
	}
	na, nb, err := truncate(len(sa.tokens), nb, b != nil, maxLen, opts.Truncation)
	if err != nil {
		return nil, err
	}
	sa.tokens, sa.words = sa.tokens[:na], sa.words[:na]
	if sb != nil {
		sb.tokens, sb.words = sb.tokens[:nb], sb.words[:nb]
	}
	if opts.Padding != PadMaxLength {
		maxLen = 0
	}
	e := t.assemble(sa, sb, maxLen)
	t.padTo(e, maxLen)
	return e, nil
}

func (t *Tokenizer) encodeBatch(n int, at func(i int) (string, *string), opts EncodeOptions) ([]*Encoding, error) {
	out := make([]*Encoding, n)
	errs := make([]error, n)
	parallelFor(n, func(i int) {
		a, b := at(i)
		out[i], errs[i] = t.encode(a, b, opts)
	})
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("batch item %d: %w", i, err)
		}
	}
	if opts.Padding == PadLongest {
		longest := 0
		for _, e := range out {
			longest = max(longest, e.Len())
		}
		for _, e := range out {
			t.padTo(e, longest)
		}
	}
	return out, nil
}

// Decode turns ids back into text. Runs of ordinary ids are decoded by sentencepiece (see SentencePiece.Decode).
// Special tokens ([CLS], [SEP], [PAD], [UNK], [MASK]) are dropped with skipSpecialTokens, otherwise written as
// their literal; added-token literals are always written. Literals are separated from the neighbouring text by
// one space (HF's spaces_between_special_tokens). An id outside [0, VocabSize()) is an error.
func (t *Tokenizer) Decode(ids []int32, skipSpecialTokens bool) (string, error) {
	var parts []string
	var run []int32
	flush := func() error {
		if len(run) == 0 {
			return nil
		}
		s, err := t.sp.Decode(run)
		if s != "" {
			parts = append(parts, s)
		}
		run = run[:0]
		return err
	}
	for _, id := range ids {
		if id < 0 || int(id) >= t.vocabSize {
			return "", fmt.Errorf("tokenizer: id %d out of range [0, %d)", id, t.vocabSize)
		}
		lit, isLiteral := t.names[id]
		switch {
		case skipSpecialTokens && t.special[id]:
		case isLiteral:
			if err := flush(); err != nil {
				return "", err
			}
			parts = append(parts, lit)
		default:
			run = append(run, id)
		}
	}
	if err := flush(); err != nil {
		return "", err
	}
	return strings.Join(parts, " "), nil
}
