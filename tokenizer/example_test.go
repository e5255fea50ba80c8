package tokenizer_test

import (
	"fmt"
	"log"

	"github.com/deberta-go/lab/tokenizer"
)

func ExampleSentencePiece_Encode() {
	sp, err := tokenizer.LoadSentencePiece("testdata/spm-bytefallback/spm.model")
	if err != nil {
		log.Fatal(err)
	}
	for _, t := range sp.Encode("Light, 光") {
		fmt.Printf("%d %q [%d,%d)\n", t.ID, t.Piece, t.RuneStart, t.RuneEnd)
	}
	text, _ := sp.Decode(sp.EncodeIDs("Light, 光"))
	fmt.Println(text)
	// Output:
	// 316 "▁Light" [0,5)
	// 260 "," [5,6)
	// 274 "▁" [6,7)
	// 233 "<0xE5>" [7,7)
	// 137 "<0x85>" [7,7)
	// 141 "<0x89>" [7,8)
	// Light, 光
}

func ExampleTokenizer_EncodePair() {
	tok, err := tokenizer.Load("testdata/spm-bytefallback")
	if err != nil {
		log.Fatal(err)
	}
	e, err := tok.EncodePair("The [MASK] is refracted.", "By the prism.",
		tokenizer.EncodeOptions{MaxLength: 16, Padding: tokenizer.PadMaxLength})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(e.Tokens)
	fmt.Println(e.InputIDs)
	fmt.Println(e.TokenTypeIDs)
	fmt.Println(e.AttentionMask)
	text, _ := tok.Decode(e.InputIDs, true)
	fmt.Println(text)
	// Output:
	// [[CLS] ▁The [MASK] ▁is ▁refracted . [SEP] ▁By ▁the ▁pr ism . [SEP] [PAD] [PAD] [PAD]]
	// [1 337 8000 278 507 263 2 826 261 4064 1947 263 2 0 0 0]
	// [0 0 0 0 0 0 0 1 1 1 1 1 1 0 0 0]
	// [1 1 1 1 1 1 1 1 1 1 1 1 1 0 0 0]
	// The is refracted. By the prism.
}
