package tokenizer

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
)

// Tokenizer is the DeBERTa-v3 tokenizer: HF DebertaV2Tokenizer (the slow, sentencepiece-based one, with
// do_lower_case and split_by_punct false) on top of SentencePiece. It is immutable and safe for concurrent use.
type Tokenizer struct {
	sp        *SentencePiece
	cfg       Config
	cls, sep  int32
	pad, unk  int32
	mask      int32
	vocabSize int
	literals  *doubleArray     // special and added token literals → id, recognised in text
	litFirst  [256]bool        // litFirst[b]: a literal starts with byte b
	names     map[int32]string // id → literal of every special and added token
	special   map[int32]bool   // ids of the five special tokens
	seqs      sync.Pool        // *[2]sequence, scratch token lists of encode
}

// Load reads a DeBERTa tokenizer from a HF model folder: spm.model and the optional tokenizer_config.json,
// special_tokens_map.json and added_tokens.json (see ReadConfig).
func Load(dir string) (*Tokenizer, error) {
	cfg, err := ReadConfig(dir)
	if err != nil {
		return nil, err
	}
	sp, err := LoadSentencePiece(filepath.Join(dir, "spm.model"))
	if err != nil {
		return nil, err
	}
	return New(sp, cfg)
}

// New builds a DeBERTa tokenizer. Special tokens take the id of their piece when the vocabulary has one, else
// the id in cfg.AddedTokens, else the next id after the pieces and the added tokens (so [MASK], which the real
// spm.model lacks, is 128000).
func New(sp *SentencePiece, cfg Config) (*Tokenizer, error) {
	if cfg.MaxLength <= 0 {
		return nil, fmt.Errorf("tokenizer: MaxLength %d must be positive", cfg.MaxLength)
	}
	t := &Tokenizer{sp: sp, cfg: cfg, vocabSize: sp.NumPieces(), names: map[int32]string{},
		special: map[int32]bool{}}
	literals := map[string]int32{}
	for lit, id := range cfg.AddedTokens {
		if lit == "" || id < 0 {
			return nil, fmt.Errorf("tokenizer: invalid added token %q with id %d", lit, id)
		}
		literals[lit] = id
		t.vocabSize = max(t.vocabSize, int(id)+1)
	}
	for _, s := range []struct {
		lit string
		id  *int32
	}{{cfg.CLSToken, &t.cls}, {cfg.SEPToken, &t.sep}, {cfg.UnkToken, &t.unk}, {cfg.PadToken, &t.pad},
		{cfg.MaskToken, &t.mask}} { // HF's order (bos=[CLS], eos=[SEP], unk, pad, mask) for the ids it appends
		if s.lit == "" {
			return nil, errors.New("tokenizer: empty special token")
		}
		id, ok := literals[s.lit]
		if !ok {
			if id = sp.PieceToID(s.lit); id == sp.UnkID() && s.lit != sp.proto.Pieces[id].Text {
				id = int32(t.vocabSize)
				t.vocabSize++
			}
			literals[s.lit] = id
		}
		*s.id = id
		t.special[id] = true
	}
	keys := make([]string, 0, len(literals))
	values := make([]int32, 0, len(literals))
	for lit, id := range literals {
		keys, values = append(keys, lit), append(values, id)
		t.litFirst[lit[0]] = true
		if prev, dup := t.names[id]; dup && prev != lit {
			return nil, fmt.Errorf("tokenizer: id %d is given to both %q and %q", id, prev, lit)
		}
		t.names[id] = lit
	}
	t.literals = buildDoubleArray(keys, values, nil)
	return t, nil
}

// SentencePiece returns the underlying sentencepiece model.
func (t *Tokenizer) SentencePiece() *SentencePiece { return t.sp }

// VocabSize returns the number of ids the tokenizer can produce: the pieces plus the added tokens (128001 for the
// real models, whose embedding matrices have 128100 rows).
func (t *Tokenizer) VocabSize() int { return t.vocabSize }

// MaxLength returns the default truncation length.
func (t *Tokenizer) MaxLength() int { return t.cfg.MaxLength }

// SpecialIDs are the ids of the special tokens.
type SpecialIDs struct{ CLS, SEP, Pad, Unk, Mask int32 }

// SpecialIDs returns the ids of [CLS], [SEP], [PAD], [UNK] and [MASK].
func (t *Tokenizer) SpecialIDs() SpecialIDs {
	return SpecialIDs{CLS: t.cls, SEP: t.sep, Pad: t.pad, Unk: t.unk, Mask: t.mask}
}

// TokenToID returns the id of a special or added token literal or of a piece; ok is false for anything else.
func (t *Tokenizer) TokenToID(token string) (id int32, ok bool) {
	if id := t.literals.exact(token); id >= 0 {
		return id, true
	}
	if id := t.sp.PieceToID(token); id != t.sp.UnkID() || token == t.sp.proto.Pieces[id].Text {
		return id, true
	}
	return 0, false
}

// IDToToken returns the literal of a special or added token or the piece of an id; ok is false when the id is
// out of range.
func (t *Tokenizer) IDToToken(id int32) (token string, ok bool) {
	if lit, ok := t.names[id]; ok {
		return lit, true
	}
	return t.sp.IDToPiece(id)
}

// tokenize splits text as HF's PreTrainedTokenizer.tokenize does: special and added token literals (leftmost,
// longest) become their own tokens, the text between them is encoded by sentencepiece. It replaces the content of
// seq: the tokens with offsets into text, and the word index of each (a word starts at each literal, at the first
// token after one and at each piece starting with "▁").
func (t *Tokenizer) tokenize(text string, seq *sequence) {
	dst, words := seq.tokens[:0], seq.words[:0]
	word := int32(-1)
	addChunk := func(chunk string, offset int) {
		n := len(dst)
		dst = t.sp.appendTokens(dst, chunk, offset)
		for i := n; i < len(dst); i++ {
			if i == n || strings.HasPrefix(dst[i].Piece, spaceSymbol) {
				word++
			}
			words = append(words, word)
		}
	}
	last := 0
	for i := 0; i < len(text); i++ {
		if !t.litFirst[text[i]] {
			continue
		}
		m := t.literals.longestPrefix(text[i:])
		if m == 0 {
			continue
		}
		if last < i {
			addChunk(text[last:i], last)
		}
		word++
		dst = append(dst, Token{ID: t.literals.exact(text[i : i+m]), Piece: text[i : i+m], Start: i, End: i + m})
		words = append(words, word)
		last = i + m
		i = last - 1
	}
	if last < len(text) {
		addChunk(text[last:], last)
	}
	setRuneOffsets(text, dst)
	seq.tokens, seq.words = dst, words
}
