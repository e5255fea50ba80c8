package pretrain

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/deberta-go/lab/data"
	"github.com/deberta-go/lab/layers"
	"github.com/deberta-go/lab/tokenizer"
)

func studyDocs() data.Docs {
	text := strings.Repeat("The rays of light are refracted by the prism and the colours are separated. ", 8)
	return func(yield func(data.Document, error) bool) {
		for i := range 12 {
			if !yield(data.Document{ID: "doc" + string(rune('a'+i)), Text: text}, nil) {
				return
			}
		}
	}
}

// testTokenizer is the bundled 8000-piece tokenizer.
func testTokenizer(t *testing.T) *tokenizer.Tokenizer {
	t.Helper()
	sp, err := tokenizer.LoadSentencePiece("../tokenizer/testdata/spm-bytefallback/spm.model")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := tokenizer.New(sp, tokenizer.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestTextBatchesDeterministic(t *testing.T) {
	tok := testTokenizer(t)
	a, err := TextBatches(tok, studyDocs, 2, 16, 40, 3) // more batches than one pass gives: restarts the corpus
	if err != nil {
		t.Fatal(err)
	}
	b, err := TextBatches(tok, studyDocs, 2, 16, 40, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != 40 {
		t.Fatalf("got %d batches, want 40", len(a))
	}
	for i := range a {
		if a[i].MaskedIDs.Shape().Dimensions[0] != 2 || a[i].MaskedIDs.Shape().Dimensions[1] != 16 {
			t.Fatalf("batch %d shape %s", i, a[i].MaskedIDs.Shape())
		}
		if a[i].MaskedIDs.String() != b[i].MaskedIDs.String() || a[i].Positions.String() != b[i].Positions.String() {
			t.Fatalf("batch %d differs between two calls with the same seed", i)
		}
	}
	if _, err := TextBatches(tok, studyDocs, 0, 16, 1, 3); err == nil {
		t.Fatal("batch 0 accepted")
	}
}

func TestSharingStudyRun(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	batches := []HostBatch{makeBatch(rng, corpus()), makeBatch(rng, corpus()), makeBatch(rng, corpus())}
	st := SharingStudy{Discriminator: tinyDisc(), GeneratorLayers: 1, Train: DefaultTrainOptions(1e-3, 1, 4, 7),
		Batches: batches, AnalyzeEvery: 2, CosinePairs: 50}
	runs, err := st.Run()
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 3 || runs[0].Mode != layers.ES || runs[2].Mode != layers.GDES {
		t.Fatalf("modes: %+v", runs)
	}
	for _, r := range runs {
		if len(r.Steps) != 4 || len(r.Gradients) != 2 || r.Gradients[1].Step != 4 {
			t.Fatalf("%s: %d steps, %d gradient points", r.Mode, len(r.Steps), len(r.Gradients))
		}
	}
	// ES has one table: E_G and E_D are the same matrix. NES: RTD never reaches E_G.
	es := runs[0].Similarity
	if es.Generator != es.Discriminator {
		t.Fatalf("ES: one shared table, but cosines %v != %v", es.Generator, es.Discriminator)
	}
	if g := runs[1].Gradients[0].SharedCosine; g != 0 {
		t.Fatalf("NES shared cosine %v, want 0", g)
	}
	if got := Smooth([]float64{1, 2, 3, 4}, 2); got[0] != 1 || got[1] != 1.5 || got[3] != 3.5 {
		t.Fatalf("Smooth = %v", got)
	}
	if got := Smooth([]float64{1, 2}, 0); got[1] != 2 {
		t.Fatalf("Smooth window 0 = %v", got)
	}
}

// TestValidationBatches: the validation split's batches are reproducible, disjoint from TextBatches' documents,
// scored on the non-special tokens only, and capped at what the split holds.
func TestValidationBatches(t *testing.T) {
	tok := testTokenizer(t)
	docs := func() data.Docs { // 200 distinct documents: about 10 land in the validation split
		return func(yield func(data.Document, error) bool) {
			for i := range 200 {
				if !yield(data.Document{ID: fmt.Sprintf("d%d", i), Text: fmt.Sprintf("Document %d: light and colour.", i)}, nil) {
					return
				}
			}
		}
	}
	a, err := ValidationBatches(tok, docs(), 2, 16, 1000, 1)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ValidationBatches(tok, docs(), 2, 16, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) < 2 || len(a) >= 1000 || len(b) != 2 {
		t.Fatalf("%d and %d batches", len(a), len(b))
	}
	sid := tok.SpecialIDs()
	for i := range b {
		if a[i].MaskedIDs.String() != b[i].MaskedIDs.String() || a[i].Positions.String() != b[i].Positions.String() {
			t.Errorf("batch %d differs between two calls", i)
		}
		ids, scored := a[i].Original.Value().([][]int32), a[i].Scored.Value().([][]int32)
		mask := a[i].Mask.Value().([][]int32)
		for r := range ids {
			for j, id := range ids[r] {
				special := id == sid.CLS || id == sid.SEP || id == sid.Pad || id == sid.Mask
				if (scored[r][j] == 1) != (mask[r][j] == 1 && !special) {
					t.Fatalf("batch %d [%d, %d]: id %d, mask %d, scored %d", i, r, j, id, mask[r][j], scored[r][j])
				}
			}
		}
	}
	if _, err := ValidationBatches(tok, studyDocs(), 2, 16, 1, 1); err == nil {
		t.Error("a corpus without validation documents: no error")
	}
}
