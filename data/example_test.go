package data_test

import (
	"fmt"
	"io"
	"log"
	"strings"

	"github.com/deberta-go/lab/data"
	"github.com/deberta-go/lab/tokenizer"
)

// Pack a tiny in-memory corpus into sequences of 16 ids, batch them and mask them.
func Example() {
	tok, err := tokenizer.Load("../tokenizer/testdata/spm-bytefallback")
	if err != nil {
		log.Fatal(err)
	}
	corpus := func(yield func(data.Document, error) bool) {
		for i, text := range []string{
			"Light is refracted by the prism into colours.",
			"The rays which differ in refrangibility differ also in colour.",
			"Call me Ishmael.",
		} {
			if !yield(data.Document{ID: fmt.Sprint("doc", i), Text: text}, nil) {
				return
			}
		}
	}
	const seqLen, batchSize = 16, 2
	sid := tok.SpecialIDs()
	seqs := data.Pack(tok, data.Split(corpus, 0, 1, false), seqLen, false)
	batcher, err := data.NewBatcher(seqs, batchSize, seqLen, sid.Pad, false)
	if err != nil {
		log.Fatal(err)
	}
	defer batcher.Close()
	masker, err := data.NewMasker(tok, seqLen, data.DefaultMaskOptions())
	if err != nil {
		log.Fatal(err)
	}
	for {
		batch, err := batcher.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		masked, err := masker.MaskBatch(batch)
		if err != nil {
			log.Fatal(err)
		}
		ids, positions, labels, weights := masked.Tensors()
		fmt.Println("batch of", batch.Rows, "rows:", ids.Shape(), positions.Shape(), labels.Shape(), weights.Shape())
		for r := range batch.Rows {
			var pieces []string
			for _, id := range masked.IDs[r*seqLen : (r+1)*seqLen] {
				p, _ := tok.IDToToken(id)
				pieces = append(pieces, p)
			}
			fmt.Println(" ", strings.Join(pieces, " "))
			fmt.Println("  positions", masked.Positions[r*masked.Slots:(r+1)*masked.Slots],
				"weights", masked.Weights[r*masked.Slots:(r+1)*masked.Slots])
		}
	}
	// Output:
	// batch of 2 rows: (Int32)[2 16] (Int32)[2 2] (Int32)[2 2] (Float32)[2 2]
	//   [CLS] ▁Light [MASK] ▁refracted ▁by [MASK] ▁pr ism ▁into ▁colour s . [SEP] ▁The ▁rays [SEP]
	//   positions [2 5] weights [1 1]
	//   [CLS] ▁which ▁differ ▁in ▁re [MASK] r a ng ib ility [MASK] ▁also ▁in ▁colour [SEP]
	//   positions [5 11] weights [1 1]
	// batch of 1 rows: (Int32)[2 16] (Int32)[2 2] (Int32)[2 2] (Float32)[2 2]
	//   [CLS] . [SEP] ▁C [MASK] ▁me ▁Ishmael . [SEP] [PAD] [PAD] [PAD] [PAD] [PAD] [PAD] [PAD]
	//   positions [4 0] weights [1 0]
}
