package tokenizer

import (
	"slices"
	"unicode/utf8"
)

// Token is one piece of an encoding and the part of the original text it covers.
//
// Offsets follow sentencepiece: [Start, End) is the span of original bytes whose normalised form the piece covers,
// so text[Start:End] is the piece's surface. A piece made only of the dummy-prefix "▁" has an empty span at the
// start of the following word. With byte fallback an unknown character becomes one token per UTF-8 byte: all but
// the last have the empty span [Start, Start) and the last covers the character.
type Token struct {
	ID    int32
	Piece string // the vocabulary piece; for a run of unknown characters (no byte fallback) their normalised text
	// Start and End are byte offsets into the original text.
	Start, End int
	// RuneStart and RuneEnd are the same offsets in code points, as Python's str indices (each byte of invalid
	// UTF-8 counts as one code point, as it becomes one U+FFFD).
	RuneStart, RuneEnd int
}

// Normalize returns text as sentencepiece normalises it before segmentation (charsmap rules, whitespace handling,
// "▁" for spaces) and, for each byte of the result plus one, the byte offset in text it comes from.
func (sp *SentencePiece) Normalize(text string) (normalized string, alignment []int) {
	norm, align := sp.norm.normalize(text, nil, nil)
	alignment = make([]int, len(align))
	for i, a := range align {
		alignment[i] = int(a)
	}
	return string(norm), alignment
}

// segment normalises text and runs the Viterbi search; the result is in s.segs, s.norm and s.align.
func (sp *SentencePiece) segment(text string, s *scratch) {
	s.norm, s.align = sp.norm.normalize(text, s.norm, s.align)
	sp.viterbi(s)
}

// Encode splits text into pieces as sentencepiece's Encode does: consecutive unknown characters are merged into
// one unknown token, or, with byte fallback, each unknown character becomes its UTF-8 bytes as <0xXX> pieces.
// Invalid UTF-8 never fails: each invalid byte is normalised to U+FFFD (as sentencepiece does) and its token
// spans that byte. No [CLS]/[SEP] or other control pieces are added.
func (sp *SentencePiece) Encode(text string) []Token {
	tokens := sp.appendTokens(nil, text, 0)
	setRuneOffsets(text, tokens)
	return tokens
}

// appendTokens appends the tokens of text to dst with byte offsets shifted by offset; rune offsets are left unset.
func (sp *SentencePiece) appendTokens(dst []Token, text string, offset int) []Token {
	s := sp.getScratch()
	defer sp.pool.Put(s)
	sp.segment(text, s)
	dst = slices.Grow(dst, len(s.segs))
	run, runBegin, runEnd := -1, int32(0), int32(0) // token index and normalised range of a merged unknown run
	for _, seg := range s.segs {
		begin, end := offset+int(s.align[seg.begin]), offset+int(s.align[seg.end])
		isUnk := seg.id == sp.unkID
		switch {
		case isUnk && sp.byteFB:
			w := s.norm[seg.begin:seg.end]
			for i, b := range w {
				t := Token{ID: sp.bytes[b], Piece: sp.names[b], Start: begin, End: begin}
				if i == len(w)-1 {
					t.End = end
				}
				dst = append(dst, t)
			}
		case isUnk && run >= 0:
			dst[run].End, runEnd = end, seg.end
		case isUnk:
			dst = append(dst, Token{ID: seg.id, Start: begin, End: end})
			run, runBegin, runEnd = len(dst)-1, seg.begin, seg.end
		default:
			if run >= 0 {
				dst[run].Piece, run = string(s.norm[runBegin:runEnd]), -1
			}
			dst = append(dst, Token{ID: seg.id, Piece: sp.proto.Pieces[seg.id].Text, Start: begin, End: end})
		}
	}
	if run >= 0 {
		dst[run].Piece = string(s.norm[runBegin:runEnd])
	}
	return dst
}

// EncodeIDs returns the ids of Encode(text) without building pieces or offsets (the fast path).
func (sp *SentencePiece) EncodeIDs(text string) []int32 {
	s := sp.getScratch()
	defer sp.pool.Put(s)
	sp.segment(text, s)
	ids := make([]int32, 0, len(s.segs)+len(s.segs)/4)
	prevUnk := false
	for _, seg := range s.segs {
		isUnk := seg.id == sp.unkID
		switch {
		case isUnk && sp.byteFB:
			for _, b := range s.norm[seg.begin:seg.end] {
				ids = append(ids, sp.bytes[b])
			}
		case isUnk && prevUnk:
		default:
			ids = append(ids, seg.id)
		}
		prevUnk = isUnk
	}
	return ids
}

// EncodePieces returns the pieces of Encode(text) (sentencepiece's encode_as_pieces).
func (sp *SentencePiece) EncodePieces(text string) []string {
	tokens := sp.appendTokens(nil, text, 0)
	pieces := make([]string, len(tokens))
	for i, t := range tokens {
		pieces[i] = t.Piece
	}
	return pieces
}

// EncodeIDsBatch encodes texts in parallel (GOMAXPROCS goroutines); result i is EncodeIDs(texts[i]).
func (sp *SentencePiece) EncodeIDsBatch(texts []string) [][]int32 {
	out := make([][]int32, len(texts))
	parallelFor(len(texts), func(i int) { out[i] = sp.EncodeIDs(texts[i]) })
	return out
}

// setRuneOffsets fills RuneStart/RuneEnd from the byte offsets, which index text. Offsets are non-decreasing
// token after token, so one forward scan suffices; the scan restarts if they ever go back.
func setRuneOffsets(text string, tokens []Token) {
	bytePos, runePos := 0, 0
	toRunes := func(to int) int {
		if to < bytePos {
			bytePos, runePos = 0, 0
		}
		for bytePos < to {
			if text[bytePos] < utf8.RuneSelf {
				bytePos++
			} else {
				_, n := utf8.DecodeRuneInString(text[bytePos:])
				bytePos += n
			}
			runePos++
		}
		return runePos
	}
	for i := range tokens {
		tokens[i].RuneStart = toRunes(tokens[i].Start)
		tokens[i].RuneEnd = toRunes(tokens[i].End)
	}
}
