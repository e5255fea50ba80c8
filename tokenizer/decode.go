package tokenizer

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Decode turns ids back into text as sentencepiece 0.1.97's DecodeIds does:
//
//   - control pieces ([CLS], [SEP], [PAD], ...) decode to nothing;
//   - the unknown piece decodes to the model's unk_surface (" ⁇ " by default);
//   - runs of byte pieces are reassembled into UTF-8; each byte that does not form a valid character becomes U+FFFD;
//   - "▁" becomes a space, and while the decoded text is still empty one leading "▁" is dropped from each piece
//     (the dummy prefix; only when the model adds a dummy prefix or removes extra whitespace).
//
// An id outside [0, NumPieces()) is an error.
func (sp *SentencePiece) Decode(ids []int32) (string, error) {
	for _, id := range ids {
		if id < 0 || int(id) >= len(sp.kinds) {
			return "", fmt.Errorf("tokenizer: id %d out of range [0, %d)", id, len(sp.kinds))
		}
	}
	return sp.decode(len(ids), func(i int) (string, int32) { return sp.proto.Pieces[ids[i]].Text, ids[i] }), nil
}

// DecodePieces is Decode for pieces (sentencepiece's decode_pieces): each piece is looked up with PieceToID; a
// piece that is not in the vocabulary (such as a merged run of unknown characters) is copied as is.
func (sp *SentencePiece) DecodePieces(pieces []string) string {
	return sp.decode(len(pieces), func(i int) (string, int32) { return pieces[i], sp.PieceToID(pieces[i]) })
}

// decode implements Decode and DecodePieces over n (piece, id) pairs.
func (sp *SentencePiece) decode(n int, at func(i int) (piece string, id int32)) string {
	var text []byte
	stripDummy := sp.proto.Normalizer.AddDummyPrefix || sp.proto.Normalizer.RemoveExtraWhitespaces
	unkPiece := sp.proto.Pieces[sp.unkID].Text
	var raw []byte
	for i := 0; i < n; {
		piece, id := at(i)
		if sp.kinds[id] == PieceByte {
			raw = raw[:0]
			for ; i < n; i++ {
				if _, id = at(i); sp.kinds[id] != PieceByte {
					break
				}
				raw = append(raw, sp.byteOf[id])
			}
			text = appendBytePieces(text, raw)
			continue
		}
		i++
		switch sp.kinds[id] {
		case PieceControl:
			continue
		case PieceUnknown:
			if piece == unkPiece {
				piece = sp.proto.Trainer.UnkSurface
			}
			text = append(text, piece...)
			continue
		}
		if len(text) == 0 && stripDummy {
			piece = strings.TrimPrefix(piece, spaceSymbol)
		}
		for len(piece) > 0 {
			j := strings.Index(piece, spaceSymbol)
			if j < 0 {
				text = append(text, piece...)
				break
			}
			text = append(append(text, piece[:j]...), ' ')
			piece = piece[j+len(spaceSymbol):]
		}
	}
	if sp.denorm != nil {
		out, _ := sp.denorm.normalize(string(text), nil, nil)
		return string(out)
	}
	return string(text)
}

// appendBytePieces appends the bytes of a run of byte pieces: valid UTF-8 characters as they are, every other
// byte as U+FFFD (sentencepiece's ProcessBytePieces).
func appendBytePieces(text, raw []byte) []byte {
	for len(raw) > 0 {
		r, size := utf8.DecodeRune(raw)
		if r == utf8.RuneError && size == 1 {
			text = append(text, "\uFFFD"...)
		} else {
			text = append(text, raw[:size]...)
		}
		raw = raw[size:]
	}
	return text
}
