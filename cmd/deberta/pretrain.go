package main

import (
	gocontext "context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/deberta-go/lab/data"
	"github.com/deberta-go/lab/debertav3"
	"github.com/deberta-go/lab/layers"
	"github.com/deberta-go/lab/pretrain"
	"github.com/deberta-go/lab/tokenizer"
)

func init() {
	register("pretrain", "RTD pre-training (generator + discriminator, ES/NES/GDES) or the MLM baseline into a run folder", runPretrain)
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// pretrainFlags are the settings of a pretrain run (also written to config.json's "data").
type pretrainFlags struct {
	sharing, preset, out, spm, objective      string
	rtdHead                                   string
	corpus                                    stringList
	steps, batch, seq, warmup                 int
	hidden, layers, genLayers, heads, ffn     int
	logEvery, saveEvery, analyzeEvery, stopAt int
	seed                                      int64
	lr                                        float64
	resume, noExport, decoupled               bool
}

func runPretrain(args []string, stdout io.Writer) error {
	fs := newFlags("pretrain", "--spm PATH --out DIR [--objective rtd|mlm] [--sharing gdes|es|nes] [--preset tiny|small-v3|...] [--steps N] [--corpus PATH ...] [--resume]")
	var f pretrainFlags
	fs.StringVar(&f.objective, "objective", "rtd", "rtd (generator + discriminator) or mlm (the MLM baseline: one model with the discriminator's architecture, exported to generator/ only)")
	fs.StringVar(&f.rtdHead, "rtd-head", "deberta", "discriminator head: deberta (official mask_predictions) or electra (ELECTRA's discriminator_predictions keys)")
	fs.StringVar(&f.sharing, "sharing", "gdes", "embedding sharing: gdes, es or nes")
	fs.StringVar(&f.preset, "preset", pretrain.TinyPreset, "discriminator architecture, one of "+strings.Join(debertav3.PresetNames(), ", ")+" (tiny: 128 wide, 4 layers; the shapes of bench --shape)")
	fs.IntVar(&f.hidden, "hidden", 0, "override the hidden (= embedding) size; 0 keeps the preset's")
	fs.IntVar(&f.layers, "layers", 0, "override the discriminator's layers; 0 keeps the preset's")
	fs.IntVar(&f.genLayers, "gen-layers", 0, "generator layers; 0 = half the discriminator's (all of them with --objective mlm)")
	fs.IntVar(&f.heads, "heads", 0, "override the attention heads; 0 keeps the preset's")
	fs.IntVar(&f.ffn, "ffn", 0, "override the FFN (intermediate) size; 0 keeps the preset's")
	fs.IntVar(&f.steps, "steps", 1000, "total training steps")
	fs.StringVar(&f.out, "out", "", "run folder: config.json, metrics.jsonl, checkpoint/, discriminator/, generator/")
	fs.Var(&f.corpus, "corpus", "text file or folder (repeatable; one document per blank-line-separated paragraph); default: the fetched pre-training corpora (data.PretrainDocs, needs npm)")
	fs.StringVar(&f.spm, "spm", "", "SentencePiece model (spm.model) to tokenise with (required)")
	fs.Int64Var(&f.seed, "seed", 1, "seed of initialisation, dropout, sampling, masking and shuffling")
	fs.IntVar(&f.batch, "batch", 8, "sequences per batch")
	fs.IntVar(&f.seq, "seq", pretrain.TinySeqLen, "sequence length")
	fs.Float64Var(&f.lr, "lr", 5e-4, "peak learning rate")
	fs.IntVar(&f.warmup, "warmup", -1, "warmup steps; -1 = 10% of --steps")
	fs.IntVar(&f.logEvery, "log-every", 10, "log metrics (metrics.jsonl, stderr) every N steps")
	fs.IntVar(&f.saveEvery, "save-every", 0, "save the trainer state every N steps (0: only at the end)")
	fs.IntVar(&f.analyzeEvery, "analyze-every", 0, "compute the embedding / gradient-cosine analyses every N steps (0: never)")
	fs.IntVar(&f.stopAt, "stop-at", 0, "stop (saving the state, no export) after this step, to continue later with --resume; 0 = run to --steps")
	fs.BoolVar(&f.resume, "resume", false, "continue the run in --out from its last checkpoint (its config.json wins over the flags)")
	fs.BoolVar(&f.decoupled, "decoupled", false, "two optimisers, as the official scripts: the generator steps on L_MLM, then the discriminator on λ·L_RTD with the updated tables (rtd only)")
	fs.BoolVar(&f.noExport, "no-export", false, "do not export discriminator/ and generator/ at the end")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if f.out == "" || f.spm == "" {
		return errors.New("--out and --spm are required")
	}
	if f.steps <= 0 || f.batch <= 0 || f.seq < 8 || f.logEvery <= 0 || f.saveEvery < 0 || f.analyzeEvery < 0 || f.stopAt < 0 {
		return errors.New("--steps, --batch, --log-every must be > 0, --seq >= 8, --save-every, --analyze-every and --stop-at >= 0")
	}
	if f.warmup < 0 {
		f.warmup = f.steps / 10
	}
	if _, err := pretrain.ParseObjective(f.objective); err != nil {
		return err
	}
	if _, err := pretrain.ParseRTDHead(f.rtdHead); err != nil {
		return err
	}
	if _, err := debertav3.Preset(f.preset); err != nil {
		return fmt.Errorf("--preset: %w", err)
	}
	sp, err := tokenizer.LoadSentencePiece(f.spm)
	if err != nil {
		return err
	}
	tok, err := tokenizer.New(sp, tokenizer.DefaultConfig())
	if err != nil {
		return err
	}

	var tr *pretrain.Trainer
	var info pretrain.RunInfo
	var position int64
	if f.resume {
		var st pretrain.TrainState
		if tr, st, err = pretrain.Resume(f.out, nil); err != nil {
			return err
		}
		info, position = st.Info, st.DataPosition
		if err := f.fromInfo(info); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "resumed %s at step %d (data position %d)\n", f.out, st.Step, position)
	} else {
		cfg, err := f.config(tok.VocabSize())
		if err != nil {
			return err
		}
		opts := pretrain.DefaultTrainOptions(f.lr, f.warmup, f.steps, f.seed)
		opts.Decoupled = f.decoupled
		if info, err = pretrain.NewRunInfo(cfg, opts, f.dataSettings()); err != nil {
			return err
		}
		if tr, err = pretrain.NewTrainer(cfg, opts); err != nil {
			return err
		}
	}
	if f.analyzeEvery > 0 && tr.Config().Objective != pretrain.ObjectiveRTD {
		return fmt.Errorf("--analyze-every needs --objective %s (the analyses compare the generator's and the discriminator's tables)", pretrain.ObjectiveRTD)
	}
	if f.seq > tr.Config().Discriminator.MaxPositionEmbeddings {
		return fmt.Errorf("--seq %d exceeds max_position_embeddings %d", f.seq, tr.Config().Discriminator.MaxPositionEmbeddings)
	}
	keep := -1
	if f.resume {
		keep = tr.Steps()
	}
	run, err := pretrain.CreateRun(f.out, info, keep)
	if err != nil {
		return err
	}
	defer run.Close()

	src, err := newBatchSource(&f, tok)
	if err != nil {
		return err
	}
	defer src.close()
	if err := src.skip(position); err != nil {
		return err
	}
	start, startStep := time.Now(), tr.Steps()
	last := f.steps
	if f.stopAt > 0 && f.stopAt < f.steps {
		last = f.stopAt
	}
	for tr.Steps() < last {
		hb, tokens, err := src.next()
		if err != nil {
			return err
		}
		m, err := tr.Step(hb)
		if err != nil {
			return err
		}
		step := m.Step
		if step%f.logEvery == 0 || step == f.steps || (f.analyzeEvery > 0 && step%f.analyzeEvery == 0) {
			rec := pretrain.NewRecord(m, tokens)
			if f.analyzeEvery > 0 && step%f.analyzeEvery == 0 {
				g, err := tr.GradientCosines(hb)
				if err != nil {
					return err
				}
				sim, err := tr.TableSimilarities(2000, uint64(f.seed))
				if err != nil {
					return err
				}
				rec.Gradients, rec.EmbeddingCosine = &g, &sim
			}
			if err := run.Log(rec); err != nil {
				return err
			}
			done := step - startStep
			eta := time.Duration(float64(time.Since(start)) / float64(done) * float64(f.steps-step))
			norms := fmt.Sprintf("|g| %.3g", m.GradNorm)
			if m.DiscGradNorm > 0 {
				norms = fmt.Sprintf("|g_G| %.3g  |g_D| %.3g", m.GradNorm, m.DiscGradNorm)
			}
			fmt.Fprintf(os.Stderr, "step %d/%d  %.0f tok/s  mlm %.4f  rtd %.4f  rtd_acc %.3f  lr %.3g  %s  ETA %s\n",
				step, f.steps, rec.TokensPerS, m.MLMLoss, m.RTDLoss, m.RTDAcc, m.LR, norms, eta.Round(time.Second))
		}
		if (f.saveEvery > 0 && step%f.saveEvery == 0) || step == last {
			if err := tr.SaveState(f.out, src.position); err != nil {
				return err
			}
		}
	}
	if f.noExport || last < f.steps {
		return nil
	}
	return exportRun(tr, f.out, f.spm, stdout)
}

// exportRun writes the trained towers into out/discriminator and out/generator (only the generator for an
// ObjectiveMLM run) and prints their paths.
func exportRun(tr *pretrain.Trainer, out, spm string, stdout io.Writer) error {
	discDir, genDir := filepath.Join(out, "discriminator"), filepath.Join(out, "generator")
	for _, d := range []string{discDir, genDir} {
		if err := os.RemoveAll(d); err != nil {
			return err
		}
	}
	if tr.Config().Objective == pretrain.ObjectiveRTD {
		if err := pretrain.ExportDiscriminator(tr, discDir, spm); err != nil {
			return err
		}
		fmt.Fprintln(stdout, discDir)
	}
	if err := pretrain.ExportGenerator(tr, genDir, spm); err != nil {
		return err
	}
	fmt.Fprintln(stdout, genDir)
	return nil
}

// config builds the pre-training Config from the flags.
func (f *pretrainFlags) config(vocab int) (pretrain.Config, error) {
	mode, err := layers.ParseSharingMode(f.sharing)
	if err != nil {
		return pretrain.Config{}, err
	}
	disc, err := pretrain.PresetConfig(f.preset, vocab)
	if err != nil {
		return pretrain.Config{}, err
	}
	if f.hidden > 0 {
		disc.HiddenSize, disc.EmbeddingSize, disc.PoolerHiddenSize = f.hidden, f.hidden, f.hidden
	}
	if f.layers > 0 {
		disc.NumHiddenLayers = f.layers
	}
	if f.heads > 0 {
		disc.NumAttentionHeads = f.heads
	}
	if f.ffn > 0 {
		disc.IntermediateSize = f.ffn
	}
	if err := disc.Validate(); err != nil {
		return pretrain.Config{}, err
	}
	cfg := pretrain.DefaultConfig(disc)
	cfg.Sharing = mode
	if cfg.Objective, err = pretrain.ParseObjective(f.objective); err != nil {
		return pretrain.Config{}, err
	}
	if cfg.RTDHead, err = pretrain.ParseRTDHead(f.rtdHead); err != nil {
		return pretrain.Config{}, err
	}
	if cfg.Objective == pretrain.ObjectiveMLM {
		cfg.Generator.NumHiddenLayers = disc.NumHiddenLayers
	}
	if f.genLayers > 0 {
		cfg.Generator.NumHiddenLayers = f.genLayers
	}
	return cfg, cfg.Validate()
}

// dataSettings are the data flags recorded in config.json (and read back by fromInfo on --resume).
func (f *pretrainFlags) dataSettings() map[string]any {
	return map[string]any{"corpus": []string(f.corpus), "spm": f.spm, "batch": f.batch, "seq": f.seq, "seed": f.seed,
		"mask_rate": 0.15, "steps": f.steps, "preset": f.preset}
}

// fromInfo restores the data settings of a run being resumed.
func (f *pretrainFlags) fromInfo(info pretrain.RunInfo) error {
	d := info.Data
	num := func(key string) (int, error) {
		v, ok := d[key].(float64)
		if !ok {
			return 0, fmt.Errorf("run config.json: data.%s missing", key)
		}
		return int(v), nil
	}
	var err error
	if f.batch, err = num("batch"); err != nil {
		return err
	}
	if f.seq, err = num("seq"); err != nil {
		return err
	}
	seed, err := num("seed")
	if err != nil {
		return err
	}
	f.seed = int64(seed)
	f.steps = info.Train.TotalSteps
	f.corpus = nil
	if list, ok := d["corpus"].([]any); ok {
		for _, c := range list {
			if s, ok := c.(string); ok {
				f.corpus = append(f.corpus, s)
			}
		}
	}
	return nil
}

// batchSource yields masked batches forever: the training split of the corpus, packed into sequences, shuffled
// (seeded per epoch), batched and masked (seeded); it restarts the corpus at its end. position counts the
// batches drawn, so a resumed run can skip to the same place.
type batchSource struct {
	f        *pretrainFlags
	tok      *tokenizer.Tokenizer
	masker   *data.Masker
	batcher  *data.Batcher
	epoch    int
	position int64
}

func newBatchSource(f *pretrainFlags, tok *tokenizer.Tokenizer) (*batchSource, error) {
	opts := data.DefaultMaskOptions()
	opts.Seed = uint64(f.seed)
	masker, err := data.NewMasker(tok, f.seq, opts)
	if err != nil {
		return nil, err
	}
	return &batchSource{f: f, tok: tok, masker: masker}, nil
}

func (s *batchSource) docs() (data.Docs, error) {
	if len(s.f.corpus) > 0 {
		return data.TextFiles(s.f.corpus, data.TextOptions{Paragraphs: true}), nil
	}
	return data.PretrainDocs(gocontext.Background(), "", os.Stderr)
}

func (s *batchSource) nextBatch() (*data.Batch, error) {
	for attempt := 0; attempt < 2; attempt++ {
		if s.batcher == nil {
			docs, err := s.docs()
			if err != nil {
				return nil, err
			}
			train := data.Split(docs, data.DefaultValidationFraction, data.DefaultSplitSeed, false)
			seqs := data.Shuffle(data.Pack(s.tok, train, s.f.seq, false), 4096, uint64(s.f.seed)+uint64(s.epoch))
			if s.batcher, err = data.NewBatcher(seqs, s.f.batch, s.f.seq, s.tok.SpecialIDs().Pad, false); err != nil {
				return nil, err
			}
		}
		b, err := s.batcher.Next()
		if err == nil {
			return b, nil
		}
		s.batcher.Close()
		s.batcher = nil
		if !errors.Is(err, io.EOF) {
			return nil, err
		}
		s.epoch++
	}
	return nil, errors.New("the corpus yields no training sequences (too small, or all of it in the validation split)")
}

// next returns the next masked batch and its number of real tokens.
func (s *batchSource) next() (pretrain.HostBatch, int, error) {
	b, err := s.nextBatch()
	if err != nil {
		return pretrain.HostBatch{}, 0, err
	}
	m, err := s.masker.MaskBatch(b)
	if err != nil {
		return pretrain.HostBatch{}, 0, err
	}
	s.position++
	ids, mask := b.Tensors()
	masked, positions, _, weights := m.Tensors()
	tokens := 0
	for _, x := range b.Mask {
		tokens += int(x)
	}
	return pretrain.HostBatch{MaskedIDs: masked, Original: ids, Positions: positions, Weights: weights, Mask: mask}, tokens, nil
}

// skip draws n batches (masking them too, to advance the masker's generator as the original run did).
func (s *batchSource) skip(n int64) error {
	for range n {
		if _, _, err := s.next(); err != nil {
			return err
		}
	}
	return nil
}

func (s *batchSource) close() {
	if s.batcher != nil {
		s.batcher.Close()
	}
}
