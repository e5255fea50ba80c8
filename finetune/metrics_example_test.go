package finetune_test

import (
	"fmt"

	"github.com/deberta-go/lab/finetune"
)

// ExampleClassify evaluates a 3-class sentiment classifier and prints the
// report as markdown.
func ExampleClassify() {
	labels := []string{"neg", "neu", "pos"}
	gold := []int{0, 0, 0, 1, 1, 2}
	pred := []int{0, 0, 1, 1, 2, 2}
	r, err := finetune.Classify(pred, gold, labels)
	if err != nil {
		panic(err)
	}
	fmt.Print(r.Markdown())
	fmt.Printf("confusion [gold][pred]: %v\n", r.Confusion)
	// Output:
	// | label | precision | recall | F1 | support |
	// |:------|----------:|-------:|---:|--------:|
	// | neg | 1.000 | 0.667 | 0.800 | 3 |
	// | neu | 0.500 | 0.500 | 0.500 | 2 |
	// | pos | 0.500 | 1.000 | 0.667 | 1 |
	//
	// accuracy: 0.667 (n=6)
	// macro-F1: 0.656
	// confusion [gold][pred]: [[2 1 0] [0 1 1] [0 0 1]]
}
