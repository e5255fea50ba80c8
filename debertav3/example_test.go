package debertav3_test

import (
	"fmt"

	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/deberta-go/lab/debertav3"
)

// A model with random weights (the first Forward initialises them) on a batch of two sequences.
func Example() {
	cfg, err := debertav3.ParseConfig([]byte(`{"vocab_size": 100, "hidden_size": 32, "num_hidden_layers": 2,
		"num_attention_heads": 4, "intermediate_size": 64, "position_buckets": 16}`))
	if err != nil {
		panic(err)
	}
	m, err := debertav3.New(cfg, debertav3.Options{Heads: []debertav3.Head{debertav3.HeadRTD}})
	if err != nil {
		panic(err)
	}
	ids := tensors.FromValue([][]int32{{1, 20, 30, 2}, {1, 40, 2, 0}})
	mask := tensors.FromValue([][]int32{{1, 1, 1, 1}, {1, 1, 1, 0}})
	out, err := m.Forward(debertav3.Inputs{InputIDs: ids, AttentionMask: mask})
	if err != nil {
		panic(err)
	}
	fmt.Println("hidden:", out.LastHiddenState.Shape().Dimensions, "rtd:", out.RTDLogits.Shape().Dimensions)
	// Output: hidden: [2 4 32] rtd: [2 4]
}
