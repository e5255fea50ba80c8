package tokenizer

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// roundTripText is what decoding an encoding of x gives back: the normalised x (sentencepiece normalisation:
// NFKC rules of the charsmap, whitespace removal, U+FFFD for each invalid byte), with "▁" turned back into spaces
// and without the dummy-prefix space. Decode differs from it only where the model has no byte fallback and a
// character is unknown (it writes " ⁇ " there), so the no-byte-fallback models are checked with DecodePieces,
// which keeps the text of unknown pieces.
func roundTripText(sp *SentencePiece, x string) string {
	norm, _ := sp.Normalize(x)
	if sp.proto.Normalizer.AddDummyPrefix || sp.proto.Normalizer.RemoveExtraWhitespaces {
		norm = strings.TrimPrefix(norm, spaceSymbol)
	}
	return strings.ReplaceAll(norm, spaceSymbol, " ")
}

// FuzzEncode: encoding arbitrary bytes (invalid UTF-8 included) never panics, pieces cover the normalised text,
// offsets are ordered and inside the input, EncodeIDs agrees with Encode, and decode(encode(x)) is roundTripText(x).
func FuzzEncode(f *testing.F) {
	for _, seed := range []string{"", " ", "Hello world", "  a  b  ", "ﬁne ＡＢＣ", "日本語", "[MASK]a[MASK]", "\xff\xfe",
		"e\u0301\u0301", "\u2581\u2581x", "nul\x00char", "\xe6\x97", "😀 👨\u200d👩\u200d👧"} {
		f.Add([]byte(seed))
	}
	models := make([]*SentencePiece, len(goldenModels))
	for i, name := range goldenModels {
		models[i] = loadTestModel(f, name)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		x := string(data)
		for mi, sp := range models {
			tokens := sp.Encode(x)
			ids := sp.EncodeIDs(x)
			if len(ids) != len(tokens) {
				t.Fatalf("%s: EncodeIDs gave %d ids, Encode %d tokens", goldenModels[mi], len(ids), len(tokens))
			}
			prevEnd, runes := 0, utf8.RuneCountInString(x)
			pieces := make([]string, len(tokens))
			for i, tok := range tokens {
				if tok.ID != ids[i] || tok.ID < 0 || int(tok.ID) >= sp.NumPieces() {
					t.Fatalf("%s: token %d: id %d (EncodeIDs %d)", goldenModels[mi], i, tok.ID, ids[i])
				}
				if tok.Start < prevEnd || tok.End < tok.Start || tok.End > len(x) || tok.RuneEnd > runes ||
					tok.RuneStart > tok.RuneEnd {
					t.Fatalf("%s: token %d %+v: bad offsets (previous end %d, input %d bytes)", goldenModels[mi], i,
						tok, prevEnd, len(x))
				}
				prevEnd, pieces[i] = tok.End, tok.Piece
			}
			want := roundTripText(sp, x)
			if sp.ByteFallback() {
				if got, err := sp.Decode(ids); err != nil || got != want {
					t.Fatalf("%s: Decode(Encode(%q)) = %q, %v; want %q", goldenModels[mi], x, got, err, want)
				}
			} else if got := sp.DecodePieces(pieces); got != want {
				t.Fatalf("%s: DecodePieces(Encode(%q)) = %q, want %q", goldenModels[mi], x, got, want)
			} else if _, err := sp.Decode(ids); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// FuzzParseModel: parsing arbitrary bytes as a model never panics; a model that parses can encode and decode.
func FuzzParseModel(f *testing.F) {
	for _, name := range goldenModels {
		f.Add(readTestModel(f, name))
	}
	f.Add(marshalModel(tinyModel()))
	f.Add([]byte{})
	f.Add([]byte("\x0a\x05\x0a\x03abc"))
	f.Fuzz(func(t *testing.T, data []byte) {
		sp, err := ParseSentencePiece(data)
		if err != nil {
			return
		}
		for _, s := range []string{"Hello world", "ﬁne ＡＢＣ 日本語 \xff", "  "} {
			ids := sp.EncodeIDs(s)
			sp.Encode(s)
			if _, err := sp.Decode(ids); err != nil {
				t.Fatalf("Decode(EncodeIDs(%q)): %v", s, err)
			}
		}
		all := make([]int32, sp.NumPieces())
		for i := range all {
			all[i] = int32(i)
		}
		if _, err := sp.Decode(all); err != nil {
			t.Fatal(err)
		}
	})
}
