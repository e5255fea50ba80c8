package pretrain

import (
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

func TestTextBatchesDeterministic(t *testing.T) {
	sp, err := tokenizer.LoadSentencePiece("../tokenizer/testdata/spm-bytefallback/spm.model")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := tokenizer.New(sp, tokenizer.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
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
