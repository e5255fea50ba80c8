package nbkit_test

import (
	"fmt"

	"github.com/deberta-go/lab/nbkit"
	"github.com/deberta-go/lab/pipeline"
)

// A notebook cell loads the built-in model with "" (or a folder, or a hub id such as microsoft/deberta-v3-xsmall)
// and stops on an error with nbkit.Report.
func ExampleLoad() {
	p, err := nbkit.Load("", pipeline.Options{OutputAttentions: true, OutputScores: true})
	if nbkit.Report(err) {
		return
	}
	d, err := p.Dissect("Paris is the capital of France.")
	if nbkit.Report(err) {
		return
	}
	fmt.Printf("%d layers × %d heads, %d tokens\n", len(d.Attention), len(d.Attention[0]), len(d.Tokens))
	// Output: 2 layers × 2 heads, 9 tokens
}
