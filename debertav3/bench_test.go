package debertav3

import (
	"testing"

	. "github.com/gomlx/gomlx/pkg/core/graph"
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

// matmulOnlyGraph performs exactly the matrix products of one forward pass of cfg on [batch, seq] — the same
// DotGeneral shapes as the model (projections, FFN, c2c, c2p, p2c, probs·V, relative-row projections) — and
// nothing else. Its time is the matmul roofline the forward pass is compared with in docs/PERFORMANCE.md.
func matmulOnlyGraph(cfg *Config, batch, seq int) func(x, w, wf, wf2, rel, probs *Node) *Node {
	h, heads := cfg.HiddenSize, cfg.NumAttentionHeads
	d := h / heads
	return func(x, w, wf, wf2, rel, probs *Node) *Node {
		var acc *Node
		sum := func(n *Node) { // keep every product alive, cheaply
			s := ReduceAllSum(n)
			if acc == nil {
				acc = s
			} else {
				acc = Add(acc, s)
			}
		}
		flat := Reshape(x, batch*seq, h)
		q := Reshape(x, batch, seq, heads, d)
		for range cfg.NumHiddenLayers {
			for range 4 { // query, key, value and output projections
				sum(Dot(flat, w))
			}
			sum(Dot(Dot(flat, wf), wf2))             // FFN
			sum(Einsum("bqhd,bkhd->bhqk", q, q))     // c2c
			sum(Einsum("bhqk,bkhd->bqhd", probs, q)) // probs·V
			for range 2 {                            // c2p and p2c: project the reachable rows, score every token against them
				kr := Reshape(Dot(rel, w), -1, heads, d)
				sum(Einsum("bqhd,uhd->quhb", q, kr))
			}
		}
		return acc
	}
}

func randomTensor(dims ...int) *tensors.Tensor {
	n := 1
	for _, d := range dims {
		n *= d
	}
	data := make([]float32, n)
	for i := range data {
		data[i] = float32((i*7919)%101)/101 - 0.5
	}
	return tensors.FromFlatDataAndDimensions(data, dims...)
}

// BenchmarkMatmulRoofline times matmulOnlyGraph for the benchmark shapes: the floor under BenchmarkForward.
func BenchmarkMatmulRoofline(b *testing.B) {
	for _, shape := range []string{"small-v3", "xsmall"} {
		b.Run(shape, func(b *testing.B) {
			cfg, err := Preset(shape)
			if err != nil {
				b.Fatal(err)
			}
			backend, err := Backend()
			if err != nil {
				b.Fatal(err)
			}
			const batch, seq = 8, 128
			h := cfg.HiddenSize
			rows := min(2*seq-1, 2*cfg.AttSpan())
			exec, err := NewExecAny(backend, matmulOnlyGraph(cfg, batch, seq))
			if err != nil {
				b.Fatal(err)
			}
			args := []any{randomTensor(batch, seq, h), randomTensor(h, h), randomTensor(h, cfg.IntermediateSize),
				randomTensor(cfg.IntermediateSize, h), randomTensor(rows, h), randomTensor(batch, cfg.NumAttentionHeads, seq, seq)}
			if _, err := exec.Exec(args...); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for range b.N {
				if _, err := exec.Exec(args...); err != nil {
					b.Fatal(err)
				}
			}
			perBatch := b.Elapsed().Seconds() / float64(b.N)
			b.ReportMetric(float64(ForwardFLOPs(cfg, batch, seq))/perBatch/1e9, "GFLOP/s")
			b.ReportMetric(perBatch*1000, "ms/batch")
		})
	}
}
