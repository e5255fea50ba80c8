package tokenizer

import (
	"reflect"
	"testing"
)

func TestNormalize(t *testing.T) {
	sp := loadTestModel(t, "spm")
	tests := []struct {
		in, want string
		align    []int
	}{
		{"", "", []int{}},
		{"   ", "", []int{}},
		{"Hello world", "▁Hello▁world", []int{0, 0, 0, 0, 1, 2, 3, 4, 5, 5, 5, 6, 7, 8, 9, 10, 11}},
		// Leading, repeated and trailing spaces go; the end offset is where the trailing spaces start.
		{"  Hello   world  ", "▁Hello▁world", []int{2, 2, 2, 2, 3, 4, 5, 6, 7, 7, 7, 10, 11, 12, 13, 14, 15}},
		// NFKC: one original character becomes several normalised bytes, all aligned to it.
		{"ﬁne", "▁fine", []int{0, 0, 0, 0, 0, 3, 4, 5}},
		{"ＡＢ", "▁AB", []int{0, 0, 0, 0, 3, 6}},
		{"①", "▁1", []int{0, 0, 0, 0, 3}},
		{"e\u0301", "▁é", []int{0, 0, 0, 0, 0, 3}},
		// Tabs, newlines and U+200B are spaces for nmt_nfkc.
		{"a\tb\n", "▁a▁b", []int{0, 0, 0, 0, 1, 1, 1, 2, 3}},
		{" \u200b a", "▁a", []int{5, 5, 5, 5, 6}},
		// Invalid UTF-8: each bad byte becomes U+FFFD, aligned to that byte.
		{"x\xffy", "▁x\uFFFDy", []int{0, 0, 0, 0, 1, 1, 1, 2, 3}},
		// User-defined symbols are one rule, copied verbatim.
		{"[MASK] a", "▁[MASK]▁a", []int{0, 0, 0, 0, 0, 0, 0, 0, 0, 6, 6, 6, 7, 8}},
	}
	for _, tc := range tests {
		got, align := sp.Normalize(tc.in)
		if got != tc.want || !reflect.DeepEqual(align, tc.align) {
			t.Errorf("Normalize(%q) = %q %v, want %q %v", tc.in, got, align, tc.want, tc.align)
		}
	}
}

// TestNormalizeOptions exercises the whitespace options on a model without charsmap.
func TestNormalizeOptions(t *testing.T) {
	tests := []struct {
		name                            string
		dummy, remove, escape, asSuffix bool
		in, want                        string
	}{
		{"defaults", true, true, true, false, "  a  b ", "▁a▁b"},
		{"no dummy prefix", false, true, true, false, "  a  b ", "a▁b"},
		{"keep whitespace", true, false, true, false, " a  b ", "▁▁a▁▁b▁"},
		{"no escaping", true, true, false, false, " a  b ", " a b"},
		{"suffix", true, true, true, true, " a  b ", "a▁b▁"},
	}
	for _, tc := range tests {
		m := tinyModel()
		m.Normalizer = NormalizerSpec{AddDummyPrefix: tc.dummy, RemoveExtraWhitespaces: tc.remove,
			EscapeWhitespaces: tc.escape}
		m.Trainer.TreatWhitespaceAsSuffix = tc.asSuffix
		sp, err := NewSentencePiece(m)
		if err != nil {
			t.Fatal(err)
		}
		if got, align := sp.Normalize(tc.in); got != tc.want || len(align) != len(got)+1 {
			t.Errorf("%s: Normalize(%q) = %q (%d offsets), want %q", tc.name, tc.in, got, len(align), tc.want)
		}
	}
}
