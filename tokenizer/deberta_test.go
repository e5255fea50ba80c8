package tokenizer

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func loadTestTokenizer(t testing.TB, name string) *Tokenizer {
	t.Helper()
	tok, err := New(loadTestModel(t, name), DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// hfCase is one line of spm_hf_equivalent.jsonl: what HF DebertaV2Tokenizer builds for a text (pair).
type hfCase struct {
	Text          string  `json:"text"`
	TextPair      *string `json:"text_pair"`
	InputIDs      []int32 `json:"input_ids"`
	TokenTypeIDs  []int32 `json:"token_type_ids"`
	AttentionMask []int32 `json:"attention_mask"`
}

func TestHFEquivalent(t *testing.T) {
	for _, name := range []string{"spm", "spm-bytefallback"} {
		tok := loadTestTokenizer(t, name)
		for _, c := range readJSONL[hfCase](t, filepath.Join("testdata", name, "spm_hf_equivalent.jsonl")) {
			var e *Encoding
			var err error
			if c.TextPair == nil {
				e, err = tok.Encode(c.Text, EncodeOptions{})
			} else {
				e, err = tok.EncodePair(c.Text, *c.TextPair, EncodeOptions{})
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(e.InputIDs, c.InputIDs) || !reflect.DeepEqual(e.TokenTypeIDs, c.TokenTypeIDs) ||
				!reflect.DeepEqual(e.AttentionMask, c.AttentionMask) {
				t.Errorf("%s %q/%v: got %v %v %v, want %v %v %v", name, c.Text, c.TextPair, e.InputIDs,
					e.TokenTypeIDs, e.AttentionMask, c.InputIDs, c.TokenTypeIDs, c.AttentionMask)
			}
		}
	}
}

func TestSpecialTokenLiterals(t *testing.T) {
	bf := loadTestTokenizer(t, "spm-bytefallback")
	if got := bf.SpecialIDs(); got != (SpecialIDs{CLS: 1, SEP: 2, Pad: 0, Unk: 3, Mask: 8000}) {
		t.Fatalf("special ids = %+v, want [MASK] appended at 8000", got)
	}
	if bf.VocabSize() != 8001 {
		t.Errorf("VocabSize = %d, want 8001", bf.VocabSize())
	}
	sp := bf.SentencePiece()
	ids := func(text string) []int32 { return sp.EncodeIDs(text) }
	cat := func(parts ...[]int32) []int32 { return slices.Concat(parts...) }
	tests := []struct {
		text string
		want []int32
	}{
		// HF splits the literals out first and encodes the pieces between them separately.
		{"The [MASK] sat on the mat.", cat([]int32{1}, ids("The "), []int32{8000}, ids(" sat on the mat."), []int32{2})},
		{"a[MASK]b", cat([]int32{1}, ids("a"), []int32{8000}, ids("b"), []int32{2})},
		{"[MASK][MASK]", []int32{1, 8000, 8000, 2}},
		{"[CLS] literal [SEP]", cat([]int32{1, 1}, ids(" literal "), []int32{2, 2})},
		{"[PAD] [UNK]", []int32{1, 0, 3, 2}},
		{"[MASK", cat([]int32{1}, ids("[MASK"), []int32{2})},
	}
	for _, tc := range tests {
		e, err := bf.Encode(tc.text, EncodeOptions{})
		if err != nil || !reflect.DeepEqual(e.InputIDs, tc.want) {
			t.Errorf("Encode(%q) = %v, %v; want %v", tc.text, e.InputIDs, err, tc.want)
		}
	}
	e, _ := bf.Encode("a[MASK]b", EncodeOptions{})
	if i := slices.Index(e.InputIDs, 8000); e.Offsets[i] != (Offset{1, 7}) || e.Tokens[i] != "[MASK]" ||
		e.SpecialTokensMask[i] != 0 {
		t.Errorf("[MASK] literal: offset %v token %q special %d", e.Offsets[i], e.Tokens[i], e.SpecialTokensMask[i])
	}
	// In the spm model [MASK] is a user-defined piece: it keeps its piece id.
	if got := loadTestTokenizer(t, "spm").SpecialIDs().Mask; got != 4 {
		t.Errorf("[MASK] id in the spm model = %d, want 4", got)
	}
}

func TestEncodingFields(t *testing.T) {
	tok := loadTestTokenizer(t, "spm-bytefallback")
	e, err := tok.EncodePair("Hello world", "日本 world", EncodeOptions{Padding: PadMaxLength, MaxLength: 20})
	if err != nil {
		t.Fatal(err)
	}
	// ▁He ll o ▁world | ▁ <0xE6><0x97><0xA5> <0xE6><0x9C><0xAC> ▁world
	want := &Encoding{
		InputIDs: []int32{1, 472, 492, 432, 519, 2, 274, 234, 155, 169, 234, 160, 176, 519, 2},
		Tokens: []string{"[CLS]", "▁He", "ll", "o", "▁world", "[SEP]", "▁", "<0xE6>", "<0x97>", "<0xA5>",
			"<0xE6>", "<0x9C>", "<0xAC>", "▁world", "[SEP]"},
		TokenTypeIDs:      []int32{0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1},
		SpecialTokensMask: []int32{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1},
		Offsets: []Offset{{0, 0}, {0, 2}, {2, 4}, {4, 5}, {5, 11}, {0, 0}, {0, 0}, {0, 0}, {0, 0}, {0, 3},
			{3, 3}, {3, 3}, {3, 6}, {6, 12}, {0, 0}},
		RuneOffsets: []Offset{{0, 0}, {0, 2}, {2, 4}, {4, 5}, {5, 11}, {0, 0}, {0, 0}, {0, 0}, {0, 0}, {0, 1},
			{1, 1}, {1, 1}, {1, 2}, {2, 8}, {0, 0}},
		WordIDs:     []int32{-1, 0, 0, 0, 1, -1, 0, 0, 0, 0, 0, 0, 0, 1, -1},
		SequenceIDs: []int32{-1, 0, 0, 0, 0, -1, 1, 1, 1, 1, 1, 1, 1, 1, -1},
	}
	want.AttentionMask = slices.Repeat([]int32{1}, 15)
	for range 5 { // padding to 20
		want.InputIDs = append(want.InputIDs, 0)
		want.Tokens = append(want.Tokens, "[PAD]")
		want.AttentionMask = append(want.AttentionMask, 0)
		want.TokenTypeIDs = append(want.TokenTypeIDs, 0)
		want.SpecialTokensMask = append(want.SpecialTokensMask, 1)
		want.Offsets = append(want.Offsets, Offset{})
		want.RuneOffsets = append(want.RuneOffsets, Offset{})
		want.WordIDs = append(want.WordIDs, -1)
		want.SequenceIDs = append(want.SequenceIDs, -1)
	}
	if !reflect.DeepEqual(e, want) {
		t.Errorf("EncodePair =\n%+v\nwant\n%+v", e, want)
	}
}

func TestTruncation(t *testing.T) {
	tests := []struct {
		na, nb   int
		pair     bool
		max      int
		strategy Truncation
		wantA    int
		wantB    int
		fails    bool
	}{
		{10, 0, false, 512, TruncateLongestFirst, 10, 0, false},
		{10, 0, false, 5, TruncateLongestFirst, 3, 0, false},
		{10, 0, false, 5, TruncateOnlyFirst, 3, 0, false},
		{10, 0, false, 5, DoNotTruncate, 10, 0, false},
		{10, 0, false, 5, TruncateOnlySecond, 0, 0, true},
		{3, 0, false, 2, TruncateLongestFirst, 0, 0, true}, // HF refuses to empty the sequence
		{10, 4, true, 10, TruncateLongestFirst, 4, 3, false},
		{5, 5, true, 10, TruncateLongestFirst, 4, 3, false}, // ties remove from the second first
		{10, 4, true, 10, TruncateOnlyFirst, 3, 4, false},
		{10, 4, true, 10, TruncateOnlySecond, 0, 0, true},
		{4, 10, true, 10, TruncateOnlySecond, 4, 3, false},
		{4, 10, true, 2, TruncateLongestFirst, 0, 0, true},
		{4, 10, true, 17, TruncateOnlySecond, 4, 10, false},
	}
	for _, tc := range tests {
		a, b, err := truncate(tc.na, tc.nb, tc.pair, tc.max, tc.strategy)
		if (err != nil) != tc.fails || (!tc.fails && (a != tc.wantA || b != tc.wantB)) {
			t.Errorf("truncate(%+v) = %d, %d, %v", tc, a, b, err)
		}
	}
	tok := loadTestTokenizer(t, "spm")
	long := strings.Repeat("light is refracted by the prism. ", 100)
	e, err := tok.Encode(long, EncodeOptions{})
	if err != nil || e.Len() != 512 || e.InputIDs[511] != 2 {
		t.Errorf("default truncation: len %d, err %v", e.Len(), err)
	}
	if _, err := tok.Encode(long, EncodeOptions{MaxLength: -1}); err == nil {
		t.Error("negative MaxLength accepted")
	}
	if _, err := tok.Encode(long, EncodeOptions{Truncation: 42}); err == nil {
		t.Error("unknown truncation accepted")
	}
}

func TestEncodeBatch(t *testing.T) {
	tok := loadTestTokenizer(t, "spm-bytefallback")
	var texts []string
	for _, c := range readJSONL[goldenCase](t, filepath.Join("testdata", "spm-bytefallback", "spm_golden.jsonl")) {
		texts = append(texts, c.Text)
	}
	opts := EncodeOptions{MaxLength: 64, Padding: PadLongest}
	batch, err := tok.EncodeBatch(texts, opts)
	if err != nil {
		t.Fatal(err)
	}
	longest := 0
	for i, text := range texts {
		one, err := tok.Encode(text, EncodeOptions{MaxLength: 64})
		if err != nil {
			t.Fatal(err)
		}
		longest = max(longest, one.Len())
		n := one.Len()
		if !reflect.DeepEqual(batch[i].InputIDs[:n], one.InputIDs) || !reflect.DeepEqual(batch[i].Offsets[:n], one.Offsets) {
			t.Errorf("batch item %d differs from Encode", i)
		}
		if slices.ContainsFunc(batch[i].AttentionMask[n:], func(m int32) bool { return m != 0 }) {
			t.Errorf("batch item %d: padding is attended", i)
		}
	}
	for i, e := range batch {
		if e.Len() != longest {
			t.Errorf("batch item %d has length %d, want %d", i, e.Len(), longest)
		}
	}
	pairs, err := tok.EncodePairBatch([][2]string{{"a", "b"}, {"c d e", "f"}}, EncodeOptions{Padding: PadLongest})
	if err != nil || pairs[0].Len() != pairs[1].Len() || pairs[0].TokenTypeIDs[pairs[0].Len()-1] != 0 {
		t.Errorf("EncodePairBatch: %v", err)
	}
	if _, err := tok.EncodePairBatch([][2]string{{"a", "b"}, {"c", "d"}}, EncodeOptions{MaxLength: 2}); err == nil {
		t.Error("impossible truncation in a batch did not fail")
	}
}

func TestTokenizerDecode(t *testing.T) {
	tok := loadTestTokenizer(t, "spm-bytefallback")
	e, err := tok.EncodePair("Hello [MASK] world", "日本", EncodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		skip bool
		want string
	}{
		{true, "Hello world 日本"},
		{false, "[CLS] Hello [MASK] world [SEP] 日本 [SEP]"},
	}
	for _, tc := range tests {
		if got, err := tok.Decode(e.InputIDs, tc.skip); err != nil || got != tc.want {
			t.Errorf("Decode(skip=%v) = %q, %v; want %q", tc.skip, got, err, tc.want)
		}
	}
	if _, err := tok.Decode([]int32{8001}, false); err == nil {
		t.Error("Decode(8001) succeeded")
	}
	if id, ok := tok.TokenToID("[MASK]"); !ok || id != 8000 {
		t.Errorf("TokenToID([MASK]) = %d, %v", id, ok)
	}
	if s, ok := tok.IDToToken(8000); !ok || s != "[MASK]" {
		t.Errorf("IDToToken(8000) = %q, %v", s, ok)
	}
	if _, ok := tok.TokenToID("no such piece"); ok {
		t.Error("TokenToID of an unknown token succeeded")
	}
}

func TestLoadFolder(t *testing.T) {
	model, err := os.ReadFile(filepath.Join("testdata", "spm-bytefallback", "spm.model"))
	if err != nil {
		t.Fatal(err)
	}
	write := func(files map[string]string) string {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "spm.model"), model, 0o644); err != nil {
			t.Fatal(err)
		}
		for name, content := range files {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	tok, err := Load(write(map[string]string{
		"tokenizer_config.json":   `{"do_lower_case": false, "vocab_type": "spm", "model_max_length": 128}`,
		"special_tokens_map.json": `{"mask_token": {"content": "[MASK]", "lstrip": true}, "cls_token": "[CLS]"}`,
		"added_tokens.json":       `{"[MASK]": 8000, "<extra>": 8001}`,
	}))
	if err != nil {
		t.Fatal(err)
	}
	e, err := tok.Encode("x <extra> [MASK]", EncodeOptions{})
	if err != nil || tok.MaxLength() != 128 || tok.VocabSize() != 8002 || e.InputIDs[len(e.InputIDs)-2] != 8000 ||
		e.InputIDs[len(e.InputIDs)-3] != 8001 {
		t.Errorf("loaded tokenizer: max %d vocab %d ids %v err %v", tok.MaxLength(), tok.VocabSize(), e.InputIDs, err)
	}
	// Newer HF files: added_tokens_decoder and a huge model_max_length (meaning "unset").
	tok, err = Load(write(map[string]string{"tokenizer_config.json": `{"model_max_length": 1e30,
		"added_tokens_decoder": {"8000": {"content": "[MASK]", "special": true}}}`}))
	if err != nil || tok.MaxLength() != 512 || tok.SpecialIDs().Mask != 8000 {
		t.Errorf("added_tokens_decoder: %v", err)
	}
	for name, files := range map[string]map[string]string{
		"bad json":      {"tokenizer_config.json": `{`},
		"lower case":    {"tokenizer_config.json": `{"do_lower_case": true}`},
		"bad token":     {"special_tokens_map.json": `{"mask_token": 3}`},
		"bad added id":  {"tokenizer_config.json": `{"added_tokens_decoder": {"x": {"content": "a"}}}`},
		"id collision":  {"added_tokens.json": `{"<a>": 5, "<b>": 5}`},
		"empty literal": {"added_tokens.json": `{"": 9000}`},
	} {
		if _, err := Load(write(files)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := Load(t.TempDir()); err == nil || !strings.Contains(err.Error(), "spm.model") {
		t.Errorf("folder without spm.model: %v", err)
	}
}
