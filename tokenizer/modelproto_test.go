package tokenizer

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// The marshal helpers write a ModelProto back in the protocol-buffer wire format, so that tests can build small
// and broken models.

func appendVarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

func appendKey(b []byte, field, wireType int) []byte {
	return appendVarint(b, uint64(field<<3|wireType))
}

func appendBytesField(b []byte, field int, data []byte) []byte {
	b = appendKey(b, field, wireBytes)
	return append(appendVarint(b, uint64(len(data))), data...)
}

func appendIntField(b []byte, field int, v int64) []byte {
	return appendVarint(appendKey(b, field, wireVarint), uint64(v))
}

func appendBoolField(b []byte, field int, v bool) []byte {
	if v {
		return appendIntField(b, field, 1)
	}
	return appendIntField(b, field, 0)
}

func marshalNormalizer(n *NormalizerSpec) []byte {
	var b []byte
	b = appendBytesField(b, 1, []byte(n.Name))
	if len(n.PrecompiledCharsmap) > 0 {
		b = appendBytesField(b, 2, n.PrecompiledCharsmap)
	}
	b = appendBoolField(b, 3, n.AddDummyPrefix)
	b = appendBoolField(b, 4, n.RemoveExtraWhitespaces)
	return appendBoolField(b, 5, n.EscapeWhitespaces)
}

func marshalModel(m *ModelProto) []byte {
	var out []byte
	for _, p := range m.Pieces {
		var b []byte
		b = appendBytesField(b, 1, []byte(p.Text))
		b = binary.LittleEndian.AppendUint32(appendKey(b, 2, wireFixed32), math.Float32bits(p.Score))
		b = appendIntField(b, 3, int64(p.Type))
		out = appendBytesField(out, 1, b)
	}
	t := &m.Trainer
	var b []byte
	b = appendIntField(b, 3, int64(t.ModelType))
	b = appendIntField(b, 4, int64(t.VocabSize))
	for _, f := range []struct {
		field int
		v     bool
	}{{35, t.ByteFallback}, {22, t.SplitByWhitespace}, {21, t.SplitByUnicodeScript}, {23, t.SplitByNumber},
		{25, t.SplitDigits}, {24, t.TreatWhitespaceAsSuffix}} {
		b = appendBoolField(b, f.field, f.v)
	}
	b = appendIntField(b, 20, int64(t.MaxSentencePieceLength))
	for _, s := range t.ControlSymbols {
		b = appendBytesField(b, 30, []byte(s))
	}
	for _, s := range t.UserDefinedSymbols {
		b = appendBytesField(b, 31, []byte(s))
	}
	for i, id := range []int32{t.UnkID, t.BOSID, t.EOSID, t.PadID} {
		b = appendIntField(b, 40+i, int64(id))
	}
	for i, s := range []string{t.UnkSurface, t.UnkPiece, t.BOSPiece, t.EOSPiece, t.PadPiece} {
		b = appendBytesField(b, 44+i, []byte(s))
	}
	out = appendBytesField(out, 2, b)
	out = appendBytesField(out, 3, marshalNormalizer(&m.Normalizer))
	if m.Denormalizer != nil {
		out = appendBytesField(out, 5, marshalNormalizer(m.Denormalizer))
	}
	return out
}

func readTestModel(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name, "spm.model"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestParseModelProtoFields(t *testing.T) {
	m, err := ParseModelProto(readTestModel(t, "spm-bytefallback"))
	if err != nil {
		t.Fatal(err)
	}
	tr := m.Trainer
	if len(m.Pieces) != 8000 || tr.ModelType != ModelUnigram || !tr.ByteFallback || tr.VocabSize != 8000 ||
		tr.UnkID != 3 || tr.BOSID != 1 || tr.EOSID != 2 || tr.PadID != 0 || tr.UnkPiece != "[UNK]" ||
		tr.BOSPiece != "[CLS]" || tr.EOSPiece != "[SEP]" || tr.PadPiece != "[PAD]" || !tr.SplitByWhitespace ||
		tr.TreatWhitespaceAsSuffix || tr.UnkSurface != " \u2047 " {
		t.Errorf("trainer spec = %+v", tr)
	}
	n := m.Normalizer
	if n.Name != "nmt_nfkc" || len(n.PrecompiledCharsmap) == 0 || !n.AddDummyPrefix || !n.RemoveExtraWhitespaces ||
		!n.EscapeWhitespaces || m.Denormalizer != nil {
		t.Errorf("normalizer spec = %+v (charsmap %d bytes)", n, len(n.PrecompiledCharsmap))
	}
	want := map[int32]Piece{0: {"[PAD]", 0, PieceControl}, 3: {"[UNK]", 0, PieceUnknown}, 4: {"<0x00>", 0, PieceByte},
		259: {"<0xFF>", 0, PieceByte}}
	for id, p := range want {
		if m.Pieces[id] != p {
			t.Errorf("piece %d = %+v, want %+v", id, m.Pieces[id], p)
		}
	}
	if p := m.Pieces[300]; p.Type != PieceNormal || p.Score >= 0 {
		t.Errorf("piece 300 = %+v, want a NORMAL piece with a negative score", p)
	}
	// Writing the decoded model back and decoding it again gives the same model.
	again, err := ParseModelProto(marshalModel(m))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again, m) {
		t.Error("marshal/parse round trip changed the model")
	}
}

// TestTruncatedModel cuts the real model file at many lengths: every strict prefix must be an error.
func TestTruncatedModel(t *testing.T) {
	data := readTestModel(t, "spm")
	for n := 0; n < len(data); n += 1 + n/50 {
		if _, err := ParseSentencePiece(data[:n]); err == nil {
			t.Fatalf("a model truncated to %d of %d bytes was accepted", n, len(data))
		}
	}
	path := filepath.Join(t.TempDir(), "spm.model")
	if err := os.WriteFile(path, data[:len(data)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadSentencePiece(path)
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("LoadSentencePiece(truncated) = %v, want an error naming %s", err, path)
	}
	if _, err := LoadSentencePiece(filepath.Join(t.TempDir(), "missing.model")); err == nil {
		t.Error("LoadSentencePiece of a missing file succeeded")
	}
}

// tinyModel is a valid 8-piece model for tests to break.
func tinyModel() *ModelProto {
	return &ModelProto{
		Pieces: []Piece{{"<unk>", 0, PieceUnknown}, {"<s>", 0, PieceControl}, {"</s>", 0, PieceControl},
			{"\u2581", -2, PieceNormal}, {"a", -3, PieceNormal}, {"b", -3, PieceNormal}, {"\u2581ab", -4, PieceNormal},
			{"<sep>", 0, PieceUserDefined}},
		Trainer: defaultTrainerSpec(), Normalizer: defaultNormalizerSpec(),
	}
}

func TestInvalidModels(t *testing.T) {
	bytePieces := func(m *ModelProto, n int) {
		m.Trainer.ByteFallback = true
		for b := 0; b < n; b++ {
			m.Pieces = append(m.Pieces, Piece{Text: "<0x" + strings.ToUpper(string("0123456789abcdef"[b>>4])+
				string("0123456789abcdef"[b&15])) + ">", Type: PieceByte})
		}
	}
	tests := []struct {
		name   string
		change func(m *ModelProto)
		want   string
	}{
		{"valid", func(m *ModelProto) {}, ""},
		{"valid with bytes", func(m *ModelProto) { bytePieces(m, 256) }, ""},
		{"BPE", func(m *ModelProto) { m.Trainer.ModelType = ModelBPE }, "BPE"},
		{"WORD", func(m *ModelProto) { m.Trainer.ModelType = ModelWord }, "WORD"},
		{"no unknown", func(m *ModelProto) { m.Pieces[0].Type = PieceControl }, "no unknown piece"},
		{"two unknowns", func(m *ModelProto) { m.Pieces[1].Type = PieceUnknown }, "second unknown"},
		{"empty piece", func(m *ModelProto) { m.Pieces[4].Text = "" }, "empty"},
		{"duplicate piece", func(m *ModelProto) { m.Pieces[5].Text = "a" }, "already defined"},
		{"duplicate control", func(m *ModelProto) { m.Pieces[2].Text = "<s>" }, "already defined"},
		{"byte without fallback", func(m *ModelProto) { m.Pieces[4].Type = PieceByte }, "byte_fallback is false"},
		{"bad byte piece", func(m *ModelProto) { bytePieces(m, 256); m.Pieces[10].Text = "<0xzz>" }, "invalid byte"},
		{"missing bytes", func(m *ModelProto) { bytePieces(m, 255) }, "missing"},
		{"only control pieces", func(m *ModelProto) { m.Pieces = m.Pieces[:3] }, "no NORMAL"},
		{"short charsmap", func(m *ModelProto) { m.Normalizer.PrecompiledCharsmap = []byte{1, 0} }, "too short"},
		{"charsmap trie too big", func(m *ModelProto) {
			m.Normalizer.PrecompiledCharsmap = []byte{200, 0, 0, 0, 1, 2, 3, 4}
		}, "exceeds"},
		{"charsmap value outside pool", func(m *ModelProto) {
			m.Normalizer.PrecompiledCharsmap = []byte{8, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0x80, 'x', 0}
		}, "outside the pool"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := tinyModel()
			tc.change(m)
			_, err := ParseSentencePiece(marshalModel(m))
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("unexpected error %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestCorruptProtobuf(t *testing.T) {
	valid := marshalModel(tinyModel())
	tests := map[string][]byte{
		"empty":               {},
		"garbage":             []byte("this is not a protobuf at all"),
		"field zero":          {0x00, 0x01},
		"group wire type":     {0x0b, 0x0c},
		"varint too long":     {0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01},
		"length past the end": {0x0a, 0x7f, 'a'},
		"pieces as varint":    append(appendIntField(nil, 1, 5), valid...),
		"score as varint": appendBytesField(nil, 1, appendIntField(appendBytesField(nil, 1, []byte("x")),
			2, 1)),
		"unknown piece type": append(appendBytesField(nil, 1, appendIntField(nil, 3, 9)), valid...),
		"trainer as varint":  append(valid, appendIntField(nil, 2, 1)...),
		"no normalizer spec": appendBytesField(appendBytesField(nil, 1, appendBytesField(nil, 1, []byte("x"))), 2, nil),
	}
	for name, data := range tests {
		if _, err := ParseSentencePiece(data); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := ParseSentencePiece(valid); err != nil {
		t.Errorf("valid tiny model: %v", err)
	}
}

func TestPieceAndModelTypeNames(t *testing.T) {
	if PieceByte.String() != "BYTE" || PieceUserDefined.String() != "USER_DEFINED" || PieceType(42).String() !=
		"PieceType(42)" || ModelBPE.String() != "BPE" || ModelType(9).String() != "ModelType(9)" {
		t.Error("wrong type names")
	}
}
