package pretrain

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/deberta-go/lab/data"
	"github.com/deberta-go/lab/debertav3"
	"github.com/deberta-go/lab/layers"
	"github.com/deberta-go/lab/tokenizer"
)

// TextBatches builds n masked training batches of [batch, seqLen] from docs, as the CLI's pre-training loop does:
// the training split (data.Split with the default fraction and seed), packed (data.Pack), shuffled with seed,
// batched and masked (data.DefaultMaskOptions with seed), scoring the non-special tokens (NewTextBatch). The corpus is restarted (reshuffled with seed+epoch)
// when it runs out. docs is called once per pass over the corpus. The batches are built once so that several
// runs (e.g. the three sharing modes) see exactly the same data.
func TextBatches(tok *tokenizer.Tokenizer, docs func() data.Docs, batch, seqLen, n int, seed uint64) ([]HostBatch, error) {
	masker, err := textMasker("TextBatches", tok, batch, seqLen, n, seed)
	if err != nil {
		return nil, err
	}
	var out []HostBatch
	for epoch := uint64(0); len(out) < n; epoch++ {
		train := data.Split(docs(), data.DefaultValidationFraction, data.DefaultSplitSeed, false)
		seqs := data.Shuffle(data.Pack(tok, train, seqLen, false), 4096, seed+epoch)
		batcher, err := data.NewBatcher(seqs, batch, seqLen, tok.SpecialIDs().Pad, false)
		if err != nil {
			return nil, err
		}
		got := 0
		for len(out) < n {
			b, err := batcher.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				batcher.Close()
				return nil, err
			}
			m, err := masker.MaskBatch(b)
			if err != nil {
				batcher.Close()
				return nil, err
			}
			out = append(out, NewTextBatch(b, m, tok.SpecialIDs()))
			got++
		}
		batcher.Close()
		if got == 0 {
			return nil, errors.New("pretrain: the corpus yields no training sequences")
		}
	}
	return out, nil
}

// SharingStudy is a comparison of embedding-sharing modes (DeBERTaV3 §3.2, Figure 2 and the cosine table):
// the same discriminator, generator, seed, schedule and batches for every mode.
type SharingStudy struct {
	// Discriminator architecture; the generator is DefaultGeneratorConfig with GeneratorLayers layers (0: half).
	Discriminator   *debertav3.Config
	GeneratorLayers int
	// Modes to run, in order (nil: ES, NES, GDES).
	Modes []layers.SharingMode
	// Train are the optimiser settings (TotalSteps = the number of steps run).
	Train TrainOptions
	// Batches are cycled through in order, one per step.
	Batches []HostBatch
	// AnalyzeEvery: GradientCosines every this many steps (and at the last step); 0 = never.
	AnalyzeEvery int
	// CosinePairs and CosineSeed of TableSimilarities at the end (0 pairs: 2000).
	CosinePairs int
	CosineSeed  uint64
	// Progress, if not nil, gets one line per mode.
	Progress io.Writer
}

// GradientPoint is a GradientCosines measurement taken after Step updates.
type GradientPoint struct {
	Step int
	GradientAnalysis
}

// SharingRun is the outcome of one mode.
type SharingRun struct {
	Mode layers.SharingMode
	// Steps has the metrics of every step (losses before that step's update).
	Steps []Metrics
	// Gradients every AnalyzeEvery steps.
	Gradients []GradientPoint
	// Similarity of E_G and E_D after the last step (TableSimilarities).
	Similarity TableSimilarity
	// Duration of the mode's whole run.
	Duration time.Duration
}

// Config returns the pre-training configuration the study uses for mode.
func (s SharingStudy) Config(mode layers.SharingMode) (Config, error) {
	if s.Discriminator == nil {
		return Config{}, errors.New("pretrain: SharingStudy.Discriminator is nil")
	}
	cfg := DefaultConfig(s.Discriminator)
	cfg.Sharing = mode
	if s.GeneratorLayers > 0 {
		cfg.Generator.NumHiddenLayers = s.GeneratorLayers
	}
	return cfg, cfg.Validate()
}

// Run trains every mode from scratch for Train.TotalSteps steps and collects the curves.
func (s SharingStudy) Run() ([]SharingRun, error) {
	modes := s.Modes
	if modes == nil {
		modes = []layers.SharingMode{layers.ES, layers.NES, layers.GDES}
	}
	if len(s.Batches) == 0 || s.Train.TotalSteps <= 0 {
		return nil, errors.New("pretrain: SharingStudy needs batches and Train.TotalSteps > 0")
	}
	pairs := s.CosinePairs
	if pairs <= 0 {
		pairs = 2000
	}
	var runs []SharingRun
	for _, mode := range modes {
		cfg, err := s.Config(mode)
		if err != nil {
			return nil, err
		}
		tr, err := NewTrainer(cfg, s.Train)
		if err != nil {
			return nil, err
		}
		start := time.Now()
		run := SharingRun{Mode: mode}
		for i := 0; i < s.Train.TotalSteps; i++ {
			hb := s.Batches[i%len(s.Batches)]
			m, err := tr.Step(hb)
			if err != nil {
				return nil, fmt.Errorf("pretrain: %s step %d: %w", mode, i+1, err)
			}
			run.Steps = append(run.Steps, m)
			if s.AnalyzeEvery > 0 && (m.Step%s.AnalyzeEvery == 0 || m.Step == s.Train.TotalSteps) {
				g, err := tr.GradientCosines(hb)
				if err != nil {
					return nil, err
				}
				run.Gradients = append(run.Gradients, GradientPoint{Step: m.Step, GradientAnalysis: g})
			}
		}
		if run.Similarity, err = tr.TableSimilarities(pairs, s.CosineSeed); err != nil {
			return nil, err
		}
		run.Duration = time.Since(start)
		if s.Progress != nil {
			last := run.Steps[len(run.Steps)-1]
			fmt.Fprintf(s.Progress, "%s: %d steps in %s, mlm %.3f rtd %.3f rtd_acc %.3f\n", mode, len(run.Steps),
				run.Duration.Round(time.Second), last.MLMLoss, last.RTDLoss, last.RTDAcc)
		}
		runs = append(runs, run)
	}
	return runs, nil
}

// Smooth returns the trailing moving average of ys over window points (window <= 1: a copy).
func Smooth(ys []float64, window int) []float64 {
	out := make([]float64, len(ys))
	if window <= 1 {
		copy(out, ys)
		return out
	}
	sum := 0.0
	for i, y := range ys {
		sum += y
		if i >= window {
			sum -= ys[i-window]
		}
		out[i] = sum / float64(min(i+1, window))
	}
	return out
}
