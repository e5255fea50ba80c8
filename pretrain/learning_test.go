package pretrain

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/deberta-go/lab/layers"
)

// The learnable RTD task of the training tests. Each sequence is one random content token repeated: [CLS] a a … a
// [SEP] [PAD]… (12–14 copies). The generator can learn to copy a neighbour; a replacement that differs from a is
// always detectable from the context, however good the generator becomes, so a discriminator that learns RTD
// ranks replaced tokens far above original ones, while one that knows only the replaced fraction cannot (AUC 0.5,
// gain ≤ 0). Observed after 150 steps of the tiny setup (batch 4): held-out AUC 0.93–0.99, gain 0.2–0.3 nats.
const (
	// minAUC and minGain are what every RTD path must reach on the held-out set after training.
	minAUC, minGain = 0.8, 0.05
	learnSteps      = 200 // training steps of the learning tests
	// positionSteps: absolute position embeddings added to the input (position_biased_input) slow learning down.
	positionSteps  = 300
	heldOutBatches = 8
	heldOutSeed    = 5 // EvaluateSet's sampling seed
)

// learningTrainer is the trainer of the learning tests: cfg without dropout (it slows learning; what is tested is
// the path, not regularisation), seed 42, optionally decoupled, peak LR 1e-2 with 10 warmup steps decaying to 0
// at 2·steps, for training steps (a schedule that ends at steps leaves the last steps little LR).
func learningTrainer(t *testing.T, cfg Config, decoupled bool, steps int) *Trainer {
	t.Helper()
	gen, disc := *cfg.Generator, *cfg.Discriminator
	gen.HiddenDropoutProb, gen.AttentionDropoutProb, disc.HiddenDropoutProb, disc.AttentionDropoutProb = 0, 0, 0, 0
	cfg.Generator, cfg.Discriminator = &gen, &disc
	return newTrainerOpts(t, cfg, DefaultTrainOptions(1e-2, 10, 2*steps, 42), decoupled)
}

// runSeqs draws n sequences of the learnable task.
func runSeqs(rng *rand.Rand, n int) [][]int32 {
	var seqs [][]int32
	for range n {
		a := int32(firstContent + rng.IntN(tVocab-firstContent))
		s := []int32{clsID}
		for range tSeq - 2 - rng.IntN(3) {
			s = append(s, a)
		}
		s = append(s, sepID)
		for len(s) < tSeq {
			s = append(s, padID)
		}
		seqs = append(seqs, s)
	}
	return seqs
}

// runBatch is a training batch of the learnable task: fresh sequences, masked by makeBatch.
func runBatch(rng *rand.Rand) HostBatch { return makeBatch(rng, runSeqs(rng, tBatch)) }

// heldOut is the fixed held-out set: heldOutBatches batches drawn from a stream the training batches never use.
func heldOut() []HostBatch {
	rng := rand.New(rand.NewPCG(77, 78))
	out := make([]HostBatch, heldOutBatches)
	for i := range out {
		out[i] = runBatch(rng)
	}
	return out
}

// rtdLearned is the learning assertion: nil iff the held-out AUC is at least minAUC and the gain over the prior
// at least minGain nats.
func rtdLearned(s RTDStats) error {
	if s.AUC >= minAUC && s.Gain >= minGain {
		return nil
	}
	return fmt.Errorf("the discriminator did not beat the prior: held-out AUC %.3f (want ≥ %.2f), gain %.4f nats (want ≥ %.2f), prior %.3f over %d tokens",
		s.AUC, minAUC, s.Gain, minGain, s.Prior, s.Tokens)
}

// trainLearnable trains tr for steps on the learnable task (the same batches for every caller) and returns the
// MLM losses of the steps; each step's metrics are checked for consistency.
func trainLearnable(t *testing.T, tr *Trainer, steps int) (mlm []float64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range steps {
		m, err := tr.Step(runBatch(rng))
		if err != nil {
			t.Fatal(err)
		}
		if m.Step != i+1 || m.GradNorm <= 0 || math.Abs(m.Loss-(m.MLMLoss+m.RTDLoss*tr.Config().RTDWeight)) > 1e-3*m.Loss {
			t.Fatalf("step %d: inconsistent metrics %+v", i+1, m)
		}
		// At most 3 of the ≥ 12 content (scored) tokens of a row are replaced; the ≥ 14 real tokens include
		// [CLS] and [SEP].
		if m.ReplacedFrac > 3.0/14+1e-6 || m.RTD.Prior < m.ReplacedFrac-1e-6 || m.RTD.Prior > 3.0/12+1e-6 ||
			m.RTDAcc < 0 || m.RTDAcc > 1 || m.SampledAcc < 0 || m.SampledAcc > 1 || m.RTD.AUC < 0 || m.RTD.AUC > 1 {
			t.Fatalf("step %d: metrics out of range %+v", i+1, m)
		}
		mlm = append(mlm, m.MLMLoss)
	}
	return mlm
}

// checkLearnsRTD fails unless the MLM loss fell (mean of the last 5 steps 0.2 below the first 5) and the
// discriminator beats the prior on the held-out set (rtdLearned).
func checkLearnsRTD(t *testing.T, tr *Trainer, mlm []float64) {
	t.Helper()
	first, last := mean(mlm[:5]), mean(mlm[len(mlm)-5:])
	h, err := tr.EvaluateSet(heldOut(), heldOutSeed)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("mlm %.4f → %.4f; held-out: AUC %.3f, gain %.4f nats, prior %.3f, precision %.3f, recall %.3f, acc %.3f",
		first, last, h.RTD.AUC, h.RTD.Gain, h.RTD.Prior, h.RTD.Precision, h.RTD.Recall, h.RTD.Accuracy)
	if !(last < first-0.2) {
		t.Errorf("MLM loss did not decrease: %.4f → %.4f", first, last)
	}
	if err := rtdLearned(h.RTD); err != nil {
		t.Error(err)
	}
}

// TestStuckDiscriminatorFails: the learning assertion rejects a discriminator that knows only the prior. A
// constant logit at the held-out set's own replaced fraction (the best a bias-only discriminator can do) gives
// AUC 0.5 and gain 0; so does any constant; an untrained discriminator (λ = 0: no RTD gradient) fails too.
func TestStuckDiscriminatorFails(t *testing.T) {
	tr := newTinyTrainerConfig(t, tinyConfig(layers.GDES), 42)
	trainLearnable(t, tr, 1)
	var labels []float32
	var scored []bool
	for _, b := range heldOut() {
		_, toks, err := tr.evaluate(b)
		if err != nil {
			t.Fatal(err)
		}
		labels, scored = append(labels, toks.labels...), append(scored, toks.scored...)
	}
	var replaced, tokens float64
	for i, y := range labels {
		if scored[i] {
			tokens++
			replaced += float64(y)
		}
	}
	p := replaced / tokens
	for _, logit := range []float64{math.Log(p / (1 - p)), 0, -3} {
		logits := make([]float32, len(labels))
		for i := range logits {
			logits[i] = float32(logit)
		}
		s, err := RTDStatsOf(logits, labels, scored)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("constant logit %.3f: AUC %.3f, gain %.5f, prior %.3f", logit, s.AUC, s.Gain, s.Prior)
		if s.AUC != 0.5 || s.Gain > 1e-6 || s.Replaced == 0 {
			t.Errorf("constant logit %.3f: AUC %g (want 0.5), gain %g (want ≤ 0), %d replaced", logit, s.AUC, s.Gain, s.Replaced)
		}
		if rtdLearned(s) == nil {
			t.Errorf("constant logit %.3f passed the learning assertion", logit)
		}
	}

	cfg := tinyConfig(layers.GDES)
	cfg.RTDWeight = 0
	untrained := newTinyTrainerConfig(t, cfg, 42)
	trainLearnable(t, untrained, 50)
	h, err := untrained.EvaluateSet(heldOut(), heldOutSeed)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("untrained discriminator: held-out AUC %.3f, gain %.4f, prior %.3f", h.RTD.AUC, h.RTD.Gain, h.RTD.Prior)
	if rtdLearned(h.RTD) == nil {
		t.Errorf("an untrained discriminator passed the learning assertion: %+v", h.RTD)
	}
}

// TestEvaluateSet: two calls give identical results, and interleaving EvaluateSet with Step changes no later step
// (the RNG is restored); before any Step, and without batches, it fails.
func TestEvaluateSet(t *testing.T) {
	held := heldOut()[:2]
	run := func(evaluate bool) (Metrics, HeldOut) {
		tr := newTinyTrainer(t, layers.GDES, 9)
		if _, err := tr.EvaluateSet(held, 1); err == nil {
			t.Error("EvaluateSet before a Step: no error")
		}
		rng := rand.New(rand.NewPCG(3, 3))
		var h HeldOut
		var m Metrics
		for i := range 4 {
			if i == 2 && evaluate {
				var err error
				if h, err = tr.EvaluateSet(held, 1); err != nil {
					t.Fatal(err)
				}
				if again, err := tr.EvaluateSet(held, 1); err != nil || again != h {
					t.Errorf("EvaluateSet twice: %+v, then %+v (%v)", h, again, err)
				}
				if _, err := tr.EvaluateSet(nil, 1); err == nil {
					t.Error("EvaluateSet without batches: no error")
				}
			}
			var err error
			if m, err = tr.Step(runBatch(rng)); err != nil {
				t.Fatal(err)
			}
		}
		m.Duration = 0
		return m, h
	}
	plain, _ := run(false)
	interleaved, h := run(true)
	if plain != interleaved {
		t.Errorf("EvaluateSet changed training:\n%+v\n%+v", plain, interleaved)
	}
	if h.Batches != 2 || h.RTD.Tokens == 0 || h.RTD.Replaced == 0 {
		t.Errorf("held-out result %+v", h)
	}
}
