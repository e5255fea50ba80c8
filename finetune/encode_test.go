package finetune

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/deberta-go/lab/data"
	"github.com/deberta-go/lab/internal/testutil"
	"github.com/deberta-go/lab/tokenizer"
)

func testTokenizer(t testing.TB) *tokenizer.Tokenizer {
	t.Helper()
	tok, err := tokenizer.Load(filepath.Join(testutil.RepoRoot(), "tokenizer", "testdata", "spm-bytefallback"))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestEncodeWordsAlignment: each word's tag sits on its first sub-token, the other sub-tokens and the special
// tokens get -1, and a sentence longer than the row loses its last words (counted, no token).
func TestEncodeWordsAlignment(t *testing.T) {
	tok := testTokenizer(t)
	sp := tok.SentencePiece()
	words := []string{"The", "unbelievably", "long", "sentence", "."}
	tags := []string{"DET", "ADV", "ADJ", "NOUN", "."}
	labels := []string{"NOUN", "DET", "ADV", "ADJ", "."}
	pieces := make([]int, len(words))
	total := 0
	for i, w := range words {
		pieces[i] = len(sp.EncodeIDs(w))
		total += pieces[i]
	}
	if pieces[1] < 2 {
		t.Fatalf("want a word with several sub-tokens, %q has %d", words[1], pieces[1])
	}
	ex := data.TagExample{ID: "s1", Words: words, Tags: tags}
	for _, tc := range []struct {
		name      string
		length    int
		truncated int
	}{
		{"fits", total + 2, 0},
		{"last two words cut", total + 1 - pieces[4], 2},
	} {
		e, err := newEncoder(tok, tc.length, labels).words([]data.TagExample{ex})
		if err != nil {
			t.Fatal(err)
		}
		if e.truncated != tc.truncated {
			t.Errorf("%s: truncated %d words, want %d", tc.name, e.truncated, tc.truncated)
		}
		ids, row := e.ids[0], e.tags[0]
		if len(ids) != tc.length || ids[0] != tok.SpecialIDs().CLS {
			t.Fatalf("%s: row %v", tc.name, ids)
		}
		pos := 1
		for w := range words {
			first := e.firstTok[0][w]
			if w >= len(words)-tc.truncated {
				if first != -1 {
					t.Errorf("%s: truncated word %d has token %d", tc.name, w, first)
				}
				continue
			}
			if first != pos {
				t.Errorf("%s: word %d first token %d, want %d", tc.name, w, first, pos)
			}
			if want := int32(slices.Index(labels, tags[w])); row[pos] != want {
				t.Errorf("%s: tag at %d = %d, want %d", tc.name, pos, row[pos], want)
			}
			for k := 1; k < pieces[w]; k++ {
				if row[pos+k] != -1 {
					t.Errorf("%s: continuation sub-token %d of word %d has tag %d", tc.name, k, w, row[pos+k])
				}
			}
			pos += pieces[w]
		}
		if ids[pos] != tok.SpecialIDs().SEP || row[0] != -1 || row[pos] != -1 {
			t.Errorf("%s: [SEP] at %d: ids %v tags %v", tc.name, pos, ids, row)
		}
		if got := e.gold[0]; !slices.Equal(got, []int{1, 2, 3, 0, 4}) {
			t.Errorf("%s: gold %v", tc.name, got)
		}
	}
	if _, err := newEncoder(tok, 32, labels).words([]data.TagExample{{ID: "bad", Words: words, Tags: tags[:2]}}); err == nil {
		t.Error("words/tags length mismatch: no error")
	}
	if _, err := newEncoder(tok, 32, labels).words([]data.TagExample{{ID: "bad", Words: []string{"x"}, Tags: []string{"VERB"}}}); err == nil {
		t.Error("unknown tag: no error")
	}
}

// TestEncodeQuestionTargets: the answer's first and last context tokens are the targets and decode back to the
// answer; an answer beyond the row points at [CLS].
func TestEncodeQuestionTargets(t *testing.T) {
	tok := testTokenizer(t)
	ctx := "The capital of France is Paris and it is large."
	ex := QAExample{ID: "q", Question: "What is the capital?", Context: ctx, AnswerStart: 25, Answers: []string{"Paris"}}
	e, encs, err := newEncoder(tok, 64, nil).questions([]QAExample{ex})
	if err != nil {
		t.Fatal(err)
	}
	start, end := int(e.label[0]), int(e.end[0])
	if start == 0 || end < start || encs[0].SequenceIDs[start] != 1 {
		t.Fatalf("targets %d..%d", start, end)
	}
	n := encs[0].Len()
	logit := func(at int) []float32 {
		x := make([]float32, n)
		x[at] = 10
		return x
	}
	if got := bestSpan(encs[0], ctx, logit(start), logit(end)); got != "Paris" {
		t.Errorf("span %d..%d decodes to %q", start, end, got)
	}
	short, _, err := newEncoder(tok, 12, nil).questions([]QAExample{ex})
	if err != nil {
		t.Fatal(err)
	}
	if short.label[0] != 0 || short.end[0] != 0 || short.truncated != 1 {
		t.Errorf("answer cut away: targets %d..%d, truncated %d", short.label[0], short.end[0], short.truncated)
	}
	bad := ex
	bad.AnswerStart = 3
	if _, _, err := newEncoder(tok, 64, nil).questions([]QAExample{bad}); err == nil {
		t.Error("answer not at AnswerStart: no error")
	}
}

// TestEncodeChoices: rows per choice, and the choice count must be the same for every example.
func TestEncodeChoices(t *testing.T) {
	tok := testTokenizer(t)
	examples := []MCExample{{ID: "a", Context: "It rained.", Choices: []string{"We got wet.", "We got dry."}, Label: 0},
		{ID: "b", Context: "It was sunny.", Choices: []string{"We got wet.", "We got a tan."}, Label: 1}}
	e, n, err := newEncoder(tok, 16, nil).choices(examples)
	if err != nil || n != 2 || len(e.ids) != 4 || !slices.Equal(e.label, []int32{0, 1}) {
		t.Fatalf("choices: n %d, rows %d, labels %v, err %v", n, len(e.ids), e.label, err)
	}
	b := e.batch(KindMultipleChoice, []int{1}, 3, n)
	if dims := b.ids.Shape().Dimensions; !slices.Equal(dims, []int{3, 2, 16}) {
		t.Errorf("batch ids %v", dims)
	}
	if w := b.weights.Value().([]float32); !slices.Equal(w, []float32{1, 0, 0}) {
		t.Errorf("weights %v", w)
	}
	examples[1].Choices = examples[1].Choices[:1]
	if _, _, err := newEncoder(tok, 16, nil).choices(examples); err == nil {
		t.Error("different choice counts: no error")
	}
}
