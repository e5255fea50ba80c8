package tokenizer

import (
	"errors"
	"fmt"
)

// PieceType is the type of a vocabulary piece (sentencepiece ModelProto.SentencePiece.Type).
type PieceType int32

// Piece types, with the numeric values of sentencepiece_model.proto.
const (
	PieceNormal      PieceType = 1 // ordinary piece, scored by the unigram model
	PieceUnknown     PieceType = 2 // the unknown piece ([UNK] / <unk>); exactly one per model
	PieceControl     PieceType = 3 // control symbols ([CLS], <s>, ...): never produced by encoding, decoded to ""
	PieceUserDefined PieceType = 4 // user-defined symbols: matched greedily, never normalised or split
	PieceUnused      PieceType = 5 // in the vocabulary but never produced by encoding
	PieceByte        PieceType = 6 // <0x00>..<0xFF>, the byte-fallback pieces
)

var pieceTypeNames = map[PieceType]string{
	PieceNormal: "NORMAL", PieceUnknown: "UNKNOWN", PieceControl: "CONTROL",
	PieceUserDefined: "USER_DEFINED", PieceUnused: "UNUSED", PieceByte: "BYTE",
}

func (t PieceType) String() string {
	if s, ok := pieceTypeNames[t]; ok {
		return s
	}
	return fmt.Sprintf("PieceType(%d)", int32(t))
}

// ModelType is the segmentation algorithm a model was trained for (TrainerSpec.model_type).
type ModelType int32

// Model types of sentencepiece_model.proto. Only ModelUnigram can be encoded by this package.
const (
	ModelUnigram ModelType = 1
	ModelBPE     ModelType = 2
	ModelWord    ModelType = 3
	ModelChar    ModelType = 4
)

func (t ModelType) String() string {
	switch t {
	case ModelUnigram:
		return "UNIGRAM"
	case ModelBPE:
		return "BPE"
	case ModelWord:
		return "WORD"
	case ModelChar:
		return "CHAR"
	}
	return fmt.Sprintf("ModelType(%d)", int32(t))
}

// Piece is one vocabulary entry; its id is its index in ModelProto.Pieces.
type Piece struct {
	Text  string
	Score float32
	Type  PieceType
}

// TrainerSpec holds the training options stored in a model that matter when encoding, with sentencepiece's
// defaults for absent fields. Other trainer options are skipped when parsing.
type TrainerSpec struct {
	ModelType               ModelType
	VocabSize               int32
	ByteFallback            bool
	SplitByWhitespace       bool
	SplitByUnicodeScript    bool
	SplitByNumber           bool
	SplitDigits             bool
	TreatWhitespaceAsSuffix bool
	MaxSentencePieceLength  int32
	ControlSymbols          []string
	UserDefinedSymbols      []string
	UnkID, BOSID, EOSID     int32
	PadID                   int32 // -1 when the model has no padding piece
	UnkPiece, BOSPiece      string
	EOSPiece, PadPiece      string
	UnkSurface              string // what Decode writes for the unknown piece (" ⁇ " by default)
}

// NormalizerSpec is sentencepiece's normalisation configuration.
type NormalizerSpec struct {
	Name                   string // e.g. "nmt_nfkc"; informational, the rules are in PrecompiledCharsmap
	PrecompiledCharsmap    []byte // darts-clone double-array + replacement strings; empty means no rules
	AddDummyPrefix         bool
	RemoveExtraWhitespaces bool
	EscapeWhitespaces      bool
}

// ModelProto is the decoded content of a sentencepiece model file (spm.model).
type ModelProto struct {
	Pieces       []Piece
	Trainer      TrainerSpec
	Normalizer   NormalizerSpec
	Denormalizer *NormalizerSpec // nil when the model has none (the usual case)
}

func defaultTrainerSpec() TrainerSpec {
	return TrainerSpec{
		ModelType: ModelUnigram, VocabSize: 8000, SplitByWhitespace: true, SplitByUnicodeScript: true,
		SplitByNumber: true, MaxSentencePieceLength: 16, UnkID: 0, BOSID: 1, EOSID: 2, PadID: -1,
		UnkPiece: "<unk>", BOSPiece: "<s>", EOSPiece: "</s>", PadPiece: "<pad>", UnkSurface: " \u2047 ",
	}
}

func defaultNormalizerSpec() NormalizerSpec {
	return NormalizerSpec{AddDummyPrefix: true, RemoveExtraWhitespaces: true, EscapeWhitespaces: true}
}

// ParseModelProto decodes the protocol-buffer bytes of a sentencepiece model. It checks the encoding only (use
// NewSentencePiece to validate the vocabulary). A model without trainer or normaliser spec is rejected: the
// sentencepiece trainer always writes both after the pieces, so their absence means a truncated file.
func ParseModelProto(data []byte) (*ModelProto, error) {
	m := &ModelProto{Trainer: defaultTrainerSpec(), Normalizer: defaultNormalizerSpec()}
	var hasTrainer, hasNormalizer bool
	err := eachField(data, func(field int, v fieldValue) error {
		switch field {
		case 1:
			if !v.isBytes() {
				return errWireType
			}
			p, err := parsePiece(v.data)
			if err != nil {
				return fmt.Errorf("piece %d: %w", len(m.Pieces), err)
			}
			m.Pieces = append(m.Pieces, p)
		case 2:
			hasTrainer = true
			return parseMessage(v, func(f int, v fieldValue) error { return m.Trainer.setField(f, v) })
		case 3:
			hasNormalizer = true
			return parseMessage(v, func(f int, v fieldValue) error { return m.Normalizer.setField(f, v) })
		case 5:
			if m.Denormalizer == nil {
				d := defaultNormalizerSpec()
				m.Denormalizer = &d
			}
			return parseMessage(v, func(f int, v fieldValue) error { return m.Denormalizer.setField(f, v) })
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	switch {
	case len(m.Pieces) == 0:
		return nil, errors.New("no pieces (not a sentencepiece model?)")
	case !hasTrainer:
		return nil, errors.New("no trainer spec after the pieces (truncated file?)")
	case !hasNormalizer:
		return nil, errors.New("no normalizer spec after the trainer spec (truncated file?)")
	}
	return m, nil
}

var errWireType = errors.New("unexpected wire type")

func parseMessage(v fieldValue, fn func(field int, v fieldValue) error) error {
	if !v.isBytes() {
		return errWireType
	}
	return eachField(v.data, fn)
}

func parsePiece(msg []byte) (Piece, error) {
	p := Piece{Type: PieceNormal}
	err := eachField(msg, func(field int, v fieldValue) error {
		switch field {
		case 1:
			return setString(&p.Text, v)
		case 2:
			if !v.isFixed32() {
				return errWireType
			}
			p.Score = v.float()
		case 3:
			if err := setInt32((*int32)(&p.Type), v); err != nil {
				return err
			}
			if _, ok := pieceTypeNames[p.Type]; !ok {
				return fmt.Errorf("unknown piece type %d", p.Type)
			}
		}
		return nil
	})
	return p, err
}

func (t *TrainerSpec) setField(field int, v fieldValue) error {
	switch field {
	case 3:
		return setInt32((*int32)(&t.ModelType), v)
	case 4:
		return setInt32(&t.VocabSize, v)
	case 20:
		return setInt32(&t.MaxSentencePieceLength, v)
	case 21:
		return setBool(&t.SplitByUnicodeScript, v)
	case 22:
		return setBool(&t.SplitByWhitespace, v)
	case 23:
		return setBool(&t.SplitByNumber, v)
	case 24:
		return setBool(&t.TreatWhitespaceAsSuffix, v)
	case 25:
		return setBool(&t.SplitDigits, v)
	case 30, 31:
		var s string
		if err := setString(&s, v); err != nil {
			return err
		}
		if field == 30 {
			t.ControlSymbols = append(t.ControlSymbols, s)
		} else {
			t.UserDefinedSymbols = append(t.UserDefinedSymbols, s)
		}
	case 35:
		return setBool(&t.ByteFallback, v)
	case 40, 41, 42, 43:
		return setInt32([]*int32{&t.UnkID, &t.BOSID, &t.EOSID, &t.PadID}[field-40], v)
	case 44, 45, 46, 47, 48:
		return setString([]*string{&t.UnkSurface, &t.UnkPiece, &t.BOSPiece, &t.EOSPiece, &t.PadPiece}[field-44], v)
	}
	return nil
}

func (n *NormalizerSpec) setField(field int, v fieldValue) error {
	switch field {
	case 1:
		return setString(&n.Name, v)
	case 2:
		if !v.isBytes() {
			return errWireType
		}
		n.PrecompiledCharsmap = append([]byte(nil), v.data...)
	case 3, 4, 5:
		return setBool([]*bool{&n.AddDummyPrefix, &n.RemoveExtraWhitespaces, &n.EscapeWhitespaces}[field-3], v)
	}
	return nil
}

func setString(dst *string, v fieldValue) error {
	if !v.isBytes() {
		return errWireType
	}
	*dst = string(v.data)
	return nil
}

func setInt32(dst *int32, v fieldValue) error {
	if v.wireType != wireVarint {
		return errWireType
	}
	*dst = int32(v.num) // int32 varints are sign-extended to 64 bits
	return nil
}

func setBool(dst *bool, v fieldValue) error {
	if v.wireType != wireVarint {
		return errWireType
	}
	*dst = v.num != 0
	return nil
}
