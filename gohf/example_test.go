package gohf_test

import (
	"fmt"

	ghub "github.com/gomlx/go-huggingface/hub"
	"github.com/gomlx/go-huggingface/tokenizers"

	"github.com/deberta-go/lab/checkpoints"
	"github.com/deberta-go/lab/gohf"
)

// A go-huggingface repository gives both our tokenizer (through go-huggingface's registry) and the model
// (through our hub client, with the repository's endpoint, token, revision and cache folder).
func Example() {
	repo := ghub.New("microsoft/deberta-v3-xsmall")
	tok, err := tokenizers.New(repo) // a *gohf.Tokenizer, registered by importing gohf
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(tok.Encode("Paris is the [MASK] of France."))
	m, _, err := gohf.Open(repo, checkpoints.OpenOptions{Generator: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Options.Heads)
}
