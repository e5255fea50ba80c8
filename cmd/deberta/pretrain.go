package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/deberta-go/lab/debertav3"
	"github.com/deberta-go/lab/internal/atomicdir"
	"github.com/deberta-go/lab/layers"
	"github.com/deberta-go/lab/losses"
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
func (s *stringList) Get() any           { return []string(*s) }

// pretrainFlags are the settings of a pretrain run (also written to config.json's "data").
type pretrainFlags struct {
	sharing, preset, out, spm, objective      string
	rtdHead                                   string
	corpus                                    stringList
	steps, batch, seq, warmup                 int
	hidden, layers, genLayers, heads, ffn     int
	genHidden                                 int
	logEvery, saveEvery, analyzeEvery, stopAt int
	seed                                      int64
	lr, temperature, rtdWeight                float64
	resume, noExport, decoupled, overwrite    bool
	eval                                      *heldOutEval
}

func runPretrain(args []string, stdout io.Writer) error {
	fs := newFlags("pretrain", "--spm PATH --out DIR [--objective rtd|mlm] [--sharing gdes|es|nes] [--preset tiny|small-v3|...] [--steps N] [--corpus PATH ...] [--resume]")
	var f pretrainFlags
	f.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := f.validate(); err != nil {
		return err
	}
	var info pretrain.RunInfo
	var err error
	if f.resume {
		if info, err = f.resumeInfo(fs); err != nil {
			return err
		}
	} else if err := atomicdir.Check(f.out, f.overwrite); err != nil {
		return fmt.Errorf("--out: %w, or --resume to continue the run", err)
	}
	sp, err := tokenizer.LoadSentencePiece(f.spm)
	if err != nil {
		return err
	}
	tok, err := tokenizer.New(sp, tokenizer.DefaultConfig())
	if err != nil {
		return err
	}
	tr, position, err := f.trainer(info, tok.VocabSize())
	if err != nil {
		return err
	}
	if f.analyzeEvery > 0 && tr.Config().Objective != pretrain.ObjectiveRTD {
		return fmt.Errorf("--analyze-every needs --objective %s (the analyses compare the generator's and the discriminator's tables)", pretrain.ObjectiveRTD)
	}
	if f.seq > tr.Config().Discriminator.MaxPositionEmbeddings {
		return fmt.Errorf("--seq %d exceeds max_position_embeddings %d", f.seq, tr.Config().Discriminator.MaxPositionEmbeddings)
	}
	src, err := newBatchSource(&f, tok)
	if err != nil {
		return err
	}
	defer src.close()
	if err := src.skip(position); err != nil {
		return err
	}
	if err := src.ready(); err != nil {
		return err
	}
	if err := f.eval.prepare(tr, src, tok); err != nil {
		return err
	}
	var run *pretrain.RunWriter
	if f.resume {
		run, err = pretrain.ReopenRun(f.out, tr.Steps())
	} else {
		if info, err = pretrain.NewRunInfo(tr.Config(), tr.Options(), f.dataSettings()); err != nil {
			return err
		}
		run, err = pretrain.CreateRun(f.out, info, f.overwrite)
	}
	if err != nil {
		return err
	}
	defer run.Close()
	last := f.steps
	if f.stopAt > 0 && f.stopAt < f.steps {
		last = f.stopAt
	}
	if err := f.train(tr, src, run, last); err != nil {
		return err
	}
	if f.noExport || last < f.steps {
		return nil
	}
	return exportRun(tr, f.out, f.spm, stdout)
}

// register declares the flags.
func (f *pretrainFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.objective, "objective", "rtd", "rtd (generator + discriminator) or mlm (the MLM baseline: one model with the discriminator's architecture, exported to generator/ only)")
	fs.StringVar(&f.rtdHead, "rtd-head", "deberta", "discriminator head: deberta (official mask_predictions) or electra (ELECTRA's discriminator_predictions keys)")
	fs.StringVar(&f.sharing, "sharing", "gdes", "embedding sharing: gdes, es or nes")
	fs.StringVar(&f.preset, "preset", pretrain.TinyPreset, "discriminator architecture, one of "+strings.Join(debertav3.PresetNames(), ", ")+" (tiny: 128 wide, 4 layers; the shapes of bench --shape)")
	fs.IntVar(&f.hidden, "hidden", 0, "override the hidden (= embedding) size; 0 keeps the preset's")
	fs.IntVar(&f.layers, "layers", 0, "override the discriminator's layers; 0 keeps the preset's")
	fs.IntVar(&f.genLayers, "gen-layers", 0, "generator layers; 0 = half the discriminator's (all of them with --objective mlm)")
	fs.IntVar(&f.genHidden, "gen-hidden", 0, "generator hidden size (ELECTRA: 1/4–1/2 of the discriminator's); its word table keeps --hidden through an embed_proj; 0 = --hidden")
	fs.Float64Var(&f.temperature, "temperature", 1, "temperature of the generator's sampling softmax (paper: 1)")
	fs.Float64Var(&f.rtdWeight, "rtd-weight", losses.DefaultRTDWeight, "λ of L = L_MLM + λ·L_RTD (paper: 50)")
	fs.IntVar(&f.heads, "heads", 0, "override the attention heads; 0 keeps the preset's")
	fs.IntVar(&f.ffn, "ffn", 0, "override the FFN (intermediate) size; 0 keeps the preset's")
	fs.IntVar(&f.steps, "steps", 1000, "total training steps")
	fs.StringVar(&f.out, "out", "", "run folder: config.json, metrics.jsonl, checkpoint/, discriminator/, generator/")
	fs.Var(&f.corpus, "corpus", "text file or folder (repeatable; one document per blank-line-separated paragraph); default: the fetched pre-training corpora (data.PretrainDocs, needs npm)")
	fs.StringVar(&f.spm, "spm", "", "SentencePiece model (spm.model) to tokenise with (required; --resume uses the run's)")
	fs.Int64Var(&f.seed, "seed", 1, "seed of initialisation, dropout, sampling, masking and shuffling")
	fs.IntVar(&f.batch, "batch", 8, "sequences per batch")
	fs.IntVar(&f.seq, "seq", pretrain.TinySeqLen, "sequence length")
	fs.Float64Var(&f.lr, "lr", 5e-4, "peak learning rate")
	fs.IntVar(&f.warmup, "warmup", -1, "warmup steps; -1 = 10% of --steps")
	fs.IntVar(&f.logEvery, "log-every", 10, "log metrics (metrics.jsonl, stderr) every N steps")
	fs.IntVar(&f.saveEvery, "save-every", 0, "save the trainer state every N steps (0: only at the end)")
	fs.IntVar(&f.analyzeEvery, "analyze-every", 0, "compute the embedding / gradient-cosine analyses every N steps (0: never)")
	fs.IntVar(&f.stopAt, "stop-at", 0, "stop (saving the state, no export) after this step, to continue later with --resume; 0 = run to --steps")
	fs.BoolVar(&f.resume, "resume", false, "continue the run in --out from its last checkpoint with its config.json (flags that differ from it are refused)")
	fs.BoolVar(&f.decoupled, "decoupled", false, "two optimisers, as the official scripts: the generator steps on L_MLM, then the discriminator on λ·L_RTD with the updated tables (rtd only)")
	fs.BoolVar(&f.noExport, "no-export", false, "do not export discriminator/ and generator/ at the end")
	fs.BoolVar(&f.overwrite, "overwrite", false, "replace an existing non-empty --out folder (an earlier run, or anything else) whole")
	f.eval = addEvalFlags(fs)
}

// validate checks the flags that need no file.
func (f *pretrainFlags) validate() error {
	switch {
	case f.out == "":
		return errors.New("--out is required")
	case f.spm == "" && !f.resume:
		return errors.New("--spm is required")
	case f.resume && f.overwrite:
		return errors.New("--resume continues the run in --out, --overwrite replaces it: choose one")
	case !(f.temperature > 0) || !(f.rtdWeight > 0) || f.genHidden < 0:
		return errors.New("--temperature and --rtd-weight must be > 0, --gen-hidden >= 0")
	case f.steps <= 0 || f.batch <= 0 || f.seq < 8 || f.logEvery <= 0 || f.saveEvery < 0 || f.analyzeEvery < 0 || f.stopAt < 0:
		return errors.New("--steps, --batch, --log-every must be > 0, --seq >= 8, --save-every, --analyze-every and --stop-at >= 0")
	}
	if f.warmup < 0 {
		f.warmup = f.steps / 10
	}
	if _, err := pretrain.ParseObjective(f.objective); err != nil {
		return err
	}
	if _, err := layers.ParseSharingMode(f.sharing); err != nil {
		return err
	}
	if _, err := debertav3.Preset(f.preset); err != nil {
		return fmt.Errorf("--preset: %w", err)
	}
	_, err := pretrain.ParseRTDHead(f.rtdHead)
	return err
}

// trainer builds the trainer of a new run, or restores the one of the run being resumed (from its latest
// checkpoint, or from step 0 when it has none yet), with the data position to skip to.
func (f *pretrainFlags) trainer(info pretrain.RunInfo, vocab int) (*pretrain.Trainer, int64, error) {
	if !f.resume {
		cfg, err := f.config(vocab)
		if err != nil {
			return nil, 0, err
		}
		opts := pretrain.DefaultTrainOptions(f.lr, f.warmup, f.steps, f.seed)
		opts.Decoupled = f.decoupled
		tr, err := pretrain.NewTrainer(cfg, opts)
		return tr, 0, err
	}
	tr, st, err := pretrain.Resume(f.out, nil)
	if errors.Is(err, pretrain.ErrNoCheckpoint) {
		cfg, err := info.Config()
		if err != nil {
			return nil, 0, err
		}
		fmt.Fprintf(os.Stderr, "%s has no checkpoint yet: starting its run from step 0\n", f.out)
		tr, err := pretrain.NewTrainer(cfg, info.TrainOptions())
		return tr, 0, err
	} else if err != nil {
		return nil, 0, err
	}
	fmt.Fprintf(os.Stderr, "resumed %s at step %d from %s (data position %d)\n", f.out, st.Step, st.Checkpoint, st.DataPosition)
	return tr, st.DataPosition, nil
}

// train runs the steps up to last (pretrain.Loop), logging and saving the state as the flags say; SIGINT or
// SIGTERM stops it at the end of a step, with the state saved.
func (f *pretrainFlags) train(tr *pretrain.Trainer, src *batchSource, run *pretrain.RunWriter, last int) error {
	stop := watchStop()
	defer stop.release()
	start, startStep := time.Now(), tr.Steps()
	res, err := pretrain.Loop(tr, src, pretrain.LoopOptions{Last: last, RunDir: f.out, SaveEvery: f.saveEvery,
		Stopped: func() bool { return stop.stopped() != nil },
		OnStep: func(m pretrain.Metrics, hb pretrain.HostBatch, tokens int) error {
			step := m.Step
			if step%f.logEvery == 0 || step == f.steps || (f.analyzeEvery > 0 && step%f.analyzeEvery == 0) || f.eval.due(step) {
				return f.log(tr, hb, m, tokens, run, time.Since(start), step-startStep)
			}
			return nil
		}})
	if err != nil || !res.Stopped {
		return err
	}
	return &interruptedError{signal: stop.stopped(), step: res.Step, saved: res.Saved, resume: "deberta pretrain --out " + f.out + " --resume"}
}

// log writes the record of a step (with the analyses when due) to metrics.jsonl and a line to stderr.
func (f *pretrainFlags) log(tr *pretrain.Trainer, hb pretrain.HostBatch, m pretrain.Metrics, tokens int, run *pretrain.RunWriter, elapsed time.Duration, done int) error {
	step := m.Step
	rec := pretrain.NewRecord(m, tokens)
	if err := f.eval.run(tr, step, &rec); err != nil {
		return err
	}
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
	eta := time.Duration(float64(elapsed) / float64(done) * float64(f.steps-step))
	norms := fmt.Sprintf("|g| %.3g", m.GradNorm)
	if m.DiscGradNorm > 0 {
		norms = fmt.Sprintf("|g_G| %.3g  |g_D| %.3g", m.GradNorm, m.DiscGradNorm)
	}
	fmt.Fprintf(os.Stderr, "step %d/%d  %.0f tok/s  mlm %.4f  rtd %.4f  rtd_acc %.3f%s  lr %.3g  %s  ETA %s\n",
		step, f.steps, rec.TokensPerS, m.MLMLoss, m.RTDLoss, m.RTDAcc, rtdProgress(rec), m.LR, norms, eta.Round(time.Second))
	return nil
}

// exportRun writes the trained towers into out/discriminator and out/generator (only the generator for an
// ObjectiveMLM run) and prints their paths.
func exportRun(tr *pretrain.Trainer, out, spm string, stdout io.Writer) error {
	discDir, genDir := filepath.Join(out, "discriminator"), filepath.Join(out, "generator")
	if tr.Config().Objective == pretrain.ObjectiveRTD {
		err := atomicdir.Write(discDir, true, func(tmp string) error { return pretrain.ExportDiscriminator(tr, tmp, spm) })
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, discDir)
	}
	if err := atomicdir.Write(genDir, true, func(tmp string) error { return pretrain.ExportGenerator(tr, tmp, spm) }); err != nil {
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
	if err := f.generatorWidth(cfg.Generator); err != nil {
		return pretrain.Config{}, err
	}
	cfg.Temperature, cfg.RTDWeight = f.temperature, f.rtdWeight
	return cfg, cfg.Validate()
}

// generatorWidth narrows the generator to --gen-hidden (heads and FFN scaled with it; the word table keeps the
// discriminator's width through embed_proj, ELECTRA's smaller generator).
func (f *pretrainFlags) generatorWidth(g *debertav3.Config) error {
	if f.genHidden == 0 || f.genHidden == g.HiddenSize {
		return nil
	}
	if f.objective == pretrain.ObjectiveMLM.String() {
		return errors.New("--gen-hidden needs --objective rtd (the MLM baseline has the discriminator's architecture)")
	}
	if f.genHidden > g.HiddenSize || g.HiddenSize%f.genHidden != 0 || (g.NumAttentionHeads*f.genHidden)%g.HiddenSize != 0 {
		return fmt.Errorf("--gen-hidden %d must divide --hidden %d, with a whole number of heads", f.genHidden, g.HiddenSize)
	}
	g.NumAttentionHeads = max(1, g.NumAttentionHeads*f.genHidden/g.HiddenSize)
	g.IntermediateSize = g.IntermediateSize * f.genHidden / g.HiddenSize
	g.HiddenSize, g.PoolerHiddenSize = f.genHidden, f.genHidden
	return nil
}

// dataSettings are the data flags recorded in config.json (and read back by fromInfo on --resume).
func (f *pretrainFlags) dataSettings() map[string]any {
	return map[string]any{"corpus": []string(f.corpus), "spm": f.spm, "batch": f.batch, "seq": f.seq, "seed": f.seed,
		"mask_rate": 0.15, "steps": f.steps, "preset": f.preset}
}
