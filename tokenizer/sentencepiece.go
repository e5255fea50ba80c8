package tokenizer

import (
	"errors"
	"fmt"
	"math"
	"os"
	"sync"
)

// SentencePiece encodes and decodes text with a sentencepiece Unigram model exactly as the sentencepiece library
// (SentencePieceProcessor, encoder version "optimized", v0.1.97) does. It is immutable and safe for concurrent use.
type SentencePiece struct {
	proto  *ModelProto
	kinds  []PieceType
	vocab  *doubleArray     // NORMAL and USER_DEFINED pieces, what the Viterbi search matches (see userDefinedValue)
	unused map[string]int32 // UNUSED pieces, for PieceToID only
	other  map[string]int32 // CONTROL, UNKNOWN and BYTE pieces, for PieceToID only
	norm   *normalizer      // the model's normaliser (with the user-defined symbols as verbatim rules)
	denorm *normalizer      // applied to decoded text; nil unless the model has a denormalizer charsmap
	unkID  int32            // the UNKNOWN piece
	bytes  [256]int32       // id of <0xXX>, when byte fallback is on
	byteOf map[int32]byte   // inverse of bytes
	names  [256]string      // "<0x00>".."<0xFF>"
	byteFB bool             // trainer_spec.byte_fallback
	max    float32          // largest NORMAL score (at least FLT_MIN), gives user-defined pieces their score
	unk    float32          // score of an unknown character: smallest NORMAL score - 10
	pool   sync.Pool        // *scratch buffers for encoding
}

// LoadSentencePiece reads and validates a sentencepiece model file. Errors name the file.
func LoadSentencePiece(path string) (*SentencePiece, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
	sp, err := ParseSentencePiece(data)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %s: %w", path, err)
	}
	return sp, nil
}

// ParseSentencePiece decodes and validates the bytes of a sentencepiece model file.
func ParseSentencePiece(data []byte) (*SentencePiece, error) {
	m, err := ParseModelProto(data)
	if err != nil {
		return nil, fmt.Errorf("invalid sentencepiece model: %w", err)
	}
	return NewSentencePiece(m)
}

// NewSentencePiece validates a decoded model as sentencepiece does when loading one (ModelInterface::
// InitializePieces): pieces are non-empty and unique within their group, there is exactly one UNKNOWN piece, BYTE
// pieces exist only with byte_fallback and then all 256 of them. Only Unigram models are supported: BPE, WORD and
// CHAR models are rejected with an error. The model must not be modified afterwards.
func NewSentencePiece(m *ModelProto) (*SentencePiece, error) {
	if m.Trainer.ModelType != ModelUnigram {
		if m.Trainer.ModelType == ModelBPE {
			return nil, errors.New("BPE sentencepiece models are not supported (only Unigram, the model type of DeBERTa-v3)")
		}
		return nil, fmt.Errorf("model type %v is not supported (only Unigram)", m.Trainer.ModelType)
	}
	sp := &SentencePiece{
		proto: m, kinds: make([]PieceType, len(m.Pieces)), unused: map[string]int32{}, other: map[string]int32{},
		byteOf: map[int32]byte{}, unkID: -1, byteFB: m.Trainer.ByteFallback,
		max: math.Float32frombits(0x00800000), // FLT_MIN (smallest normal float), sentencepiece's initial maximum
		unk: math.MaxFloat32,
	}
	for b := range sp.names {
		sp.names[b] = fmt.Sprintf("<0x%02X>", b)
		sp.bytes[b] = -1
	}
	byteNames := make(map[string]byte, 256)
	for b, name := range sp.names {
		byteNames[name] = byte(b)
	}
	var keys, user []string
	var values []int32
	var scores []float32
	seen := map[string]bool{}
	for i, p := range m.Pieces {
		id := int32(i)
		sp.kinds[i] = p.Type
		if p.Text == "" {
			return nil, fmt.Errorf("piece %d is empty", i)
		}
		switch p.Type {
		case PieceNormal, PieceUserDefined, PieceUnused:
			if seen[p.Text] {
				return nil, fmt.Errorf("piece %q (id %d) is already defined", p.Text, i)
			}
			seen[p.Text] = true
			switch p.Type {
			case PieceUnused:
				sp.unused[p.Text] = id
			case PieceUserDefined:
				keys, values, scores = append(keys, p.Text), append(values, userDefinedValue(id)), append(scores, 0)
				user = append(user, p.Text)
			default:
				keys, values, scores = append(keys, p.Text), append(values, id), append(scores, p.Score)
				sp.max, sp.unk = max(sp.max, p.Score), min(sp.unk, p.Score)
			}
			continue
		case PieceUnknown:
			if sp.unkID >= 0 {
				return nil, fmt.Errorf("second unknown piece %q (id %d)", p.Text, i)
			}
			sp.unkID = id
		case PieceByte:
			if !sp.byteFB {
				return nil, fmt.Errorf("byte piece %q (id %d) but byte_fallback is false", p.Text, i)
			}
			b, ok := byteNames[p.Text]
			if !ok {
				return nil, fmt.Errorf("invalid byte piece %q (id %d)", p.Text, i)
			}
			sp.bytes[b], sp.byteOf[id] = id, b
		}
		if _, dup := sp.other[p.Text]; dup {
			return nil, fmt.Errorf("piece %q (id %d) is already defined", p.Text, i)
		}
		sp.other[p.Text] = id
	}
	if sp.unkID < 0 {
		return nil, errors.New("no unknown piece (type UNKNOWN)")
	}
	if sp.byteFB {
		for b, id := range sp.bytes {
			if id < 0 {
				return nil, fmt.Errorf("byte_fallback is true but byte piece %s is missing", sp.names[b])
			}
		}
	}
	if len(keys)+len(sp.unused) == 0 {
		return nil, errors.New("no NORMAL, USER_DEFINED or UNUSED pieces")
	}
	sp.unk = float32(sp.unk - 10) // kUnkPenalty
	sp.vocab = buildDoubleArray(keys, values, scores)
	var err error
	if sp.norm, err = newNormalizer(&m.Normalizer, user, m.Trainer.TreatWhitespaceAsSuffix); err != nil {
		return nil, err
	}
	if d := m.Denormalizer; d != nil && len(d.PrecompiledCharsmap) > 0 {
		if sp.denorm, err = newNormalizer(d, nil, false); err != nil {
			return nil, fmt.Errorf("denormalizer: %w", err)
		}
	}
	return sp, nil
}

// userDefinedValue is the value stored in the vocabulary trie for a USER_DEFINED piece: negative (below
// noValue), so that the Viterbi search tells them from NORMAL pieces (stored as their id) without a lookup.
func userDefinedValue(id int32) int32 { return -2 - id }

// pieceID returns the id of a vocabulary trie value.
func pieceID(v int32) int32 {
	if v < 0 {
		return -2 - v
	}
	return v
}

// Proto returns the decoded model. It must not be modified.
func (sp *SentencePiece) Proto() *ModelProto { return sp.proto }

// NumPieces returns the vocabulary size (the number of pieces in the model).
func (sp *SentencePiece) NumPieces() int { return len(sp.kinds) }

// UnkID returns the id of the unknown piece.
func (sp *SentencePiece) UnkID() int32 { return sp.unkID }

// ByteFallback reports whether unknown characters are encoded as <0xXX> byte pieces.
func (sp *SentencePiece) ByteFallback() bool { return sp.byteFB }

// PieceToID returns the id of a piece, or the unknown id when the vocabulary has no such piece (as sentencepiece).
func (sp *SentencePiece) PieceToID(piece string) int32 {
	if id, ok := sp.other[piece]; ok {
		return id
	}
	if v := sp.vocab.exact(piece); v != noValue {
		return pieceID(v)
	}
	if id, ok := sp.unused[piece]; ok {
		return id
	}
	return sp.unkID
}

// IDToPiece returns the piece of an id; ok is false when the id is out of range.
func (sp *SentencePiece) IDToPiece(id int32) (piece string, ok bool) {
	if id < 0 || int(id) >= len(sp.kinds) {
		return "", false
	}
	return sp.proto.Pieces[id].Text, true
}

// Piece returns the vocabulary entry of an id; ok is false when the id is out of range.
func (sp *SentencePiece) Piece(id int32) (p Piece, ok bool) {
	if id < 0 || int(id) >= len(sp.kinds) {
		return Piece{}, false
	}
	return sp.proto.Pieces[id], true
}
