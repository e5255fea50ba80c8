package debertav3

import (
	"testing"

	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// benchInputs returns deterministic ids in [4, vocab) and an all-ones mask.
func benchInputs(batch, seq, vocab int) Inputs {
	ids := make([]int32, batch*seq)
	mask := make([]int32, batch*seq)
	for i := range ids {
		ids[i] = int32(4 + (i*7919)%(vocab-4))
		mask[i] = 1
	}
	return Inputs{
		InputIDs:      tensors.FromFlatDataAndDimensions(ids, batch, seq),
		AttentionMask: tensors.FromFlatDataAndDimensions(mask, batch, seq),
	}
}

// BenchmarkForward measures the backbone forward pass at batch 8 × seq 128 (random weights, the first,
// compiling run excluded) and reports tokens/s and the achieved matmul GFLOP/s.
func BenchmarkForward(b *testing.B) {
	for _, shape := range []string{"small-v3", "xsmall"} {
		b.Run(shape, func(b *testing.B) {
			cfg, err := Preset(shape)
			if err != nil {
				b.Fatal(err)
			}
			m, err := New(cfg, Options{})
			if err != nil {
				b.Fatal(err)
			}
			const batch, seq = 8, 128
			in := benchInputs(batch, seq, cfg.VocabSize)
			if _, err := m.Forward(in); err != nil { // compile + initialise
				b.Fatal(err)
			}
			b.ResetTimer()
			for range b.N {
				if _, err := m.Forward(in); err != nil {
					b.Fatal(err)
				}
			}
			perBatch := b.Elapsed().Seconds() / float64(b.N)
			b.ReportMetric(batch*seq/perBatch, "tokens/s")
			b.ReportMetric(float64(ForwardFLOPs(cfg, batch, seq))/perBatch/1e9, "GFLOP/s")
		})
	}
}
