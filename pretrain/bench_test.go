package pretrain

import (
	"math/rand/v2"
	"testing"

	"github.com/deberta-go/lab/debertav3"
	"github.com/deberta-go/lab/internal/testutil"
	"github.com/deberta-go/lab/layers"
)

// randomBatch makes a batch of random content ids (4..vocab−1) between [CLS] and [SEP], with `slots` masked
// positions per row.
func randomBatch(rng *rand.Rand, batch, seq, slots, vocab int) HostBatch {
	var masked, orig, pos, mask [][]int32
	var weights [][]float32
	for range batch {
		o := make([]int32, seq)
		am := make([]int32, seq)
		for j := range o {
			o[j], am[j] = int32(firstContent+rng.IntN(vocab-firstContent)), 1
		}
		o[0], o[seq-1] = clsID, sepID
		m := append([]int32(nil), o...)
		p := make([]int32, slots)
		w := make([]float32, slots)
		for k, j := range rng.Perm(seq - 2)[:slots] {
			p[k], w[k] = int32(j+1), 1
			m[j+1] = maskID
		}
		masked, orig, pos, weights, mask = append(masked, m), append(orig, o), append(pos, p), append(weights, w), append(mask, am)
	}
	return NewHostBatch(masked, orig, pos, weights, mask)
}

func benchmarkStep(b *testing.B, disc *debertav3.Config, batch, seq, slots int) {
	cfg := DefaultConfig(disc)
	cfg.Sharing = layers.GDES
	opts := DefaultTrainOptions(1e-3, 10, 1000, 1)
	opts.Backend = testutil.Backend(b)
	tr, err := NewTrainer(cfg, opts)
	if err != nil {
		b.Fatal(err)
	}
	hb := randomBatch(rand.New(rand.NewPCG(1, 1)), batch, seq, slots, disc.VocabSize)
	if _, err := tr.Step(hb); err != nil { // compile
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if _, err := tr.Step(hb); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(batch*seq*b.N)/b.Elapsed().Seconds(), "tokens/s")
}

// BenchmarkStepTiny: the tests' config (width 16, 2+1 layers, vocab 64), batch 4 × 16, 3 slots.
func BenchmarkStepTiny(b *testing.B) { benchmarkStep(b, tinyDisc(), tBatch, tSeq, tSlots) }

// BenchmarkStepSmallV3: preset small-v3 (width 128, 4 layers + 2-layer generator, vocab 1000), batch 8 × 128,
// 19 slots (15%).
func BenchmarkStepSmallV3(b *testing.B) {
	disc, err := debertav3.Preset("small-v3")
	if err != nil {
		b.Fatal(err)
	}
	benchmarkStep(b, disc, 8, 128, 19)
}
