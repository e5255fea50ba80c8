package tokenizer

import (
	"reflect"
	"testing"
)

// viterbiTestModel has pieces that make the scoring rules visible: "jk" is the lowest score (-30), so an unknown
// character scores -40 and "jkm" is ▁ jk m (-39.5) rather than ▁ [UNK] km (-42), which a penalty below 7.5 would
// give; "zz" is user-defined, so "zzz" is ▁ zzz (-1.35) rather than ▁ zz z (-1.4), which a user-defined score
// above -0.05 would give.
func viterbiTestModel() *ModelProto {
	m := tinyModel()
	m.Pieces[3].Score = -1
	m.Pieces = append(m.Pieces, Piece{"x", -1, PieceNormal}, Piece{"xx", -2, PieceNormal},
		Piece{"\u2581x", -2.5, PieceNormal}, Piece{"yy", -1, PieceUnused}, Piece{"y", -5, PieceNormal},
		Piece{"zz", -0.5, PieceUserDefined}, Piece{"zzz", -0.35, PieceNormal}, Piece{"z", -0.3, PieceNormal},
		Piece{"jk", -30, PieceNormal}, Piece{"km", -1, PieceNormal}, Piece{"m", -8.5, PieceNormal})
	return m
}

// TestViterbi checks the segmentation rules on a hand-made model. The expectations were produced by the real
// sentencepiece 0.1.97 on the same model (written with marshalModel): ties go to the first path found, user-defined
// pieces score about -0.1, UNUSED pieces are never produced, unknown characters merge into one [UNK] token.
func TestViterbi(t *testing.T) {
	sp, err := NewSentencePiece(viterbiTestModel())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		in      string
		pieces  []string
		ids     []int32
		offsets [][2]int
		decoded string
	}{
		{"xxx", []string{"▁", "x", "xx"}, []int32{3, 8, 9}, [][2]int{{0, 0}, {0, 1}, {1, 3}}, "xxx"},
		{"xxxx", []string{"▁", "xx", "xx"}, []int32{3, 9, 9}, [][2]int{{0, 0}, {0, 2}, {2, 4}}, "xxxx"},
		{"ab", []string{"▁ab"}, []int32{6}, [][2]int{{0, 2}}, "ab"},
		{"ba", []string{"▁", "b", "a"}, []int32{3, 5, 4}, [][2]int{{0, 0}, {0, 1}, {1, 2}}, "ba"},
		{"abc", []string{"▁ab", "c"}, []int32{6, 0}, [][2]int{{0, 2}, {2, 3}}, "ab ⁇ "},
		{"cc", []string{"▁", "cc"}, []int32{3, 0}, [][2]int{{0, 0}, {0, 2}}, " ⁇ "},
		{"a<sep>b", []string{"▁", "a", "<sep>", "b"}, []int32{3, 4, 7, 5},
			[][2]int{{0, 0}, {0, 1}, {1, 6}, {6, 7}}, "a<sep>b"},
		{"yyy", []string{"▁", "y", "y", "y"}, []int32{3, 12, 12, 12}, [][2]int{{0, 0}, {0, 1}, {1, 2}, {2, 3}}, "yyy"},
		{"zzz", []string{"▁", "zzz"}, []int32{3, 14}, [][2]int{{0, 0}, {0, 3}}, "zzz"},
		{"zzzz", []string{"▁", "zz", "zz"}, []int32{3, 13, 13}, [][2]int{{0, 0}, {0, 2}, {2, 4}}, "zzzz"},
		{"x zz x", []string{"▁", "x", "▁", "zz", "▁", "x"}, []int32{3, 8, 3, 13, 3, 8},
			[][2]int{{0, 0}, {0, 1}, {1, 2}, {2, 4}, {4, 5}, {5, 6}}, "x zz x"},
		{"<sep><sep>", []string{"▁", "<sep>", "<sep>"}, []int32{3, 7, 7}, [][2]int{{0, 0}, {0, 5}, {5, 10}},
			"<sep><sep>"},
		{"q\u0301", []string{"▁", "q\u0301"}, []int32{3, 0}, [][2]int{{0, 0}, {0, 3}}, " ⁇ "},
		{"jkm", []string{"▁", "jk", "m"}, []int32{3, 16, 18}, [][2]int{{0, 0}, {0, 2}, {2, 3}}, "jkm"},
		{"jjkm", []string{"▁", "j", "jk", "m"}, []int32{3, 0, 16, 18}, [][2]int{{0, 0}, {0, 1}, {1, 3}, {3, 4}},
			" ⁇ jkm"},
	}
	for _, tc := range tests {
		var pieces []string
		var ids []int32
		var offsets [][2]int
		for _, tok := range sp.Encode(tc.in) {
			pieces, ids = append(pieces, tok.Piece), append(ids, tok.ID)
			offsets = append(offsets, [2]int{tok.Start, tok.End})
		}
		decoded, err := sp.Decode(ids)
		if !reflect.DeepEqual(pieces, tc.pieces) || !reflect.DeepEqual(ids, tc.ids) ||
			!reflect.DeepEqual(offsets, tc.offsets) || err != nil || decoded != tc.decoded {
			t.Errorf("%q: pieces %q ids %v offsets %v decoded %q (%v), want %q %v %v %q",
				tc.in, pieces, ids, offsets, decoded, err, tc.pieces, tc.ids, tc.offsets, tc.decoded)
		}
		if got := sp.EncodeIDs(tc.in); !reflect.DeepEqual(got, tc.ids) {
			t.Errorf("EncodeIDs(%q) = %v, want %v", tc.in, got, tc.ids)
		}
	}
}

func TestDecodeErrorsAndBytes(t *testing.T) {
	sp := loadTestModel(t, "spm-bytefallback")
	if _, err := sp.Decode([]int32{8000}); err == nil {
		t.Error("Decode(8000) succeeded on an 8000-piece model")
	}
	if _, err := sp.Decode([]int32{-1}); err == nil {
		t.Error("Decode(-1) succeeded")
	}
	b := func(x byte) int32 { return int32(x) + 4 }
	tests := []struct {
		ids  []int32
		want string
	}{
		{[]int32{b(0xe6), b(0x97), b(0xa5)}, "日"},
		{[]int32{b(0xe6), b(0x97), b('a'), b(0xa5)}, "\uFFFD\uFFFDa\uFFFD"}, // a cut character: one U+FFFD per byte
		{[]int32{1, b('x'), 2}, "x"},                                        // control pieces vanish
		{[]int32{3}, " \u2047 "},                                            // [UNK]
	}
	for _, tc := range tests {
		if got, err := sp.Decode(tc.ids); err != nil || got != tc.want {
			t.Errorf("Decode(%v) = %q, %v; want %q", tc.ids, got, err, tc.want)
		}
	}
	if got := sp.DecodePieces([]string{"▁", "▁", "x", "日本"}); got != "x日本" {
		t.Errorf("DecodePieces = %q", got)
	}
}

// TestViterbiArithmetic: "▁ g gg" and "▁ gg g" score the same in real arithmetic; sentencepiece compares the later
// candidate in double precision with the earlier one stored as float and picks "▁ gg g" (checked with sentencepiece
// 0.1.97 on this model). Float32 arithmetic throughout would keep "▁ g gg".
func TestViterbiArithmetic(t *testing.T) {
	m := tinyModel()
	m.Pieces[3].Score = -2.026167869567871
	m.Pieces = append(m.Pieces, Piece{"g", -1.8276914358139038, PieceNormal},
		Piece{"gg", -0.8607044816017151, PieceNormal})
	sp, err := NewSentencePiece(m)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sp.EncodePieces("ggg"), []string{"▁", "gg", "g"}; !reflect.DeepEqual(got, want) {
		t.Errorf("EncodePieces(ggg) = %q, want %q", got, want)
	}
}
