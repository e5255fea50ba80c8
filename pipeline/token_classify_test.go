package pipeline

import (
	"math"
	"reflect"
	"testing"

	"github.com/deberta-go/lab/pipeline/tinymodels"
	"github.com/deberta-go/lab/tokenizer"
)

// TestAggregateWords checks the "first" aggregation and span merging on a constructed encoding of
// "  Ada Lovelace met   New Yorkers at IBM." with chosen label probabilities.
func TestAggregateWords(t *testing.T) {
	text := "  Ada Lovelace met   New Yorkers at IBM."
	// Tokens (offsets as the tokenizer gives them: a "▁" piece covers the spaces before it).
	type tk struct {
		piece      string
		start, end int
		word       int32
		label      int // most probable label of the token
	}
	labels := []string{"O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG"}
	tokens := []tk{
		{"▁Ada", 2, 5, 0, 1},
		{"▁Love", 5, 10, 1, 2},
		{"lace", 10, 14, 1, 0}, // a later sub-token's label is ignored ("first")
		{"▁met", 14, 18, 2, 0},
		{"▁New", 18, 24, 3, 3},
		{"▁York", 24, 29, 4, 4},
		{"ers", 29, 32, 4, 3}, // ignored again
		{"▁at", 32, 35, 5, 0},
		{"▁IBM", 35, 39, 6, 5},
		{".", 39, 40, 6, 0},
	}
	e := &tokenizer.Encoding{}
	push := func(id int32, piece string, off tokenizer.Offset, seq, word int32) {
		e.InputIDs, e.Tokens, e.Offsets = append(e.InputIDs, id), append(e.Tokens, piece), append(e.Offsets, off)
		e.AttentionMask, e.SequenceIDs, e.WordIDs = append(e.AttentionMask, 1), append(e.SequenceIDs, seq), append(e.WordIDs, word)
	}
	probs := [][]float64{uniform(len(labels))}
	push(1, "[CLS]", tokenizer.Offset{}, -1, -1)
	for i, tok := range tokens {
		push(int32(10+i), tok.piece, tokenizer.Offset{Start: tok.start, End: tok.end}, 0, tok.word)
		row := make([]float64, len(labels))
		for j := range row {
			row[j] = 0.1 / float64(len(labels)-1)
		}
		row[tok.label] = 0.9 - 0.05*float64(i%3) // 0.9, 0.85, 0.8, ...
		probs = append(probs, row)
	}
	push(2, "[SEP]", tokenizer.Offset{}, -1, -1)
	probs = append(probs, uniform(len(labels)))
	label := func(i int) string { return labels[i] }

	got := aggregateWords(text, e, probs, label)
	want := []Entity{
		{Label: "PER", Score: (0.9 + 0.85) / 2, Index: 1, Start: 2, End: 14, Word: "Ada Lovelace"},
		{Label: "LOC", Score: (0.85 + 0.8) / 2, Index: 5, Start: 21, End: 32, Word: "New Yorkers"},
		{Label: "ORG", Score: 0.8, Index: 9, Start: 36, End: 40, Word: "IBM."},
	}
	if !entitiesEqual(got, want) {
		t.Errorf("aggregateWords:\n got %+v\nwant %+v", got, want)
	}

	// B- starts a new span even after the same type; I- after another type starts one too.
	probs[2][1], probs[2][2] = 0.95, 0 // "▁Love" → B-PER: "Ada" and "Lovelace" become two spans
	got = aggregateWords(text, e, probs, label)
	if len(got) != 4 || got[0].Word != "Ada" || got[1].Word != "Lovelace" || got[1].Label != "PER" {
		t.Errorf("B-PER B-PER: got %+v, want two PER spans", got)
	}

	tokensOnly := tokenLabels(text, e, probs, label)
	if len(tokensOnly) != len(tokens) || tokensOnly[2].Label != "O" || tokensOnly[2].Word != "lace" || tokensOnly[0].Word != "Ada" {
		t.Errorf("tokenLabels: %+v", tokensOnly)
	}
	if bi, tag := bioTag("MISC"); bi != "I" || tag != "MISC" {
		t.Errorf("bioTag(MISC) = %q, %q", bi, tag)
	}
}

func uniform(n int) []float64 {
	row := make([]float64, n)
	for i := range row {
		row[i] = 1 / float64(n)
	}
	return row
}

func entitiesEqual(a, b []Entity) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if math.Abs(x.Score-y.Score) > 1e-12 {
			return false
		}
		x.Score, y.Score = 0, 0
		if !reflect.DeepEqual(x, y) {
			return false
		}
	}
	return true
}

func TestTokenClassify(t *testing.T) {
	p := load(t, tinymodels.NER, Options{})
	perToken, err := p.TokenClassify(texts, false)
	if err != nil {
		t.Fatal(err)
	}
	b, err := p.Encode(texts)
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, l := range p.Model.Config.ID2Label {
		known[l] = true
	}
	for i, ents := range perToken {
		if len(ents) != b.Encodings[i].Len()-2 {
			t.Errorf("text %d: %d labelled tokens, want %d", i, len(ents), b.Encodings[i].Len()-2)
		}
		for _, e := range ents {
			if !known[e.Label] || e.Word != texts[i][e.Start:e.End] || e.Score <= 0 || e.Score > 1 {
				t.Errorf("text %d: bad token result %+v", i, e)
			}
		}
	}
	spans, err := p.TokenClassify(texts, true)
	if err != nil {
		t.Fatal(err)
	}
	for i, ents := range spans {
		for _, e := range ents {
			if e.Label == "O" || e.Word != texts[i][e.Start:e.End] || known["B-"+e.Label] == false {
				t.Errorf("text %d: bad span %+v", i, e)
			}
		}
	}
	one, three := batchSizes(t, tinymodels.NER, Options{}, func(p *Pipeline) ([][]Entity, error) { return p.TokenClassify(texts, false) })
	for i := range one {
		for j := range one[i] {
			if one[i][j].Label != three[i][j].Label || math.Abs(one[i][j].Score-three[i][j].Score) > 1e-5 {
				t.Errorf("text %d token %d: batch 1 %+v, batch 3 %+v", i, j, one[i][j], three[i][j])
			}
		}
	}
}
