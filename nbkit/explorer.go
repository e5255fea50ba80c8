package nbkit

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/deberta-go/lab/data"
	"github.com/deberta-go/lab/debertav3"
	"github.com/deberta-go/lab/defaultmodel"
	"github.com/deberta-go/lab/layers"
	"github.com/deberta-go/lab/pretrain"
	"github.com/deberta-go/lab/tokenizer"
)

// Settings of one GDES-explorer run: the knobs of notebook 05's widgets and the fixed data shape.
type Settings struct {
	Sharing     layers.SharingMode
	Lambda      float64 // RTD weight λ
	Width       int     // hidden = embedding size of the discriminator
	GenLayers   int     // generator depth
	GenWidth    int     // generator hidden size (its word table keeps Width: an embedding projection); 0 = Width
	DiscLayers  int
	Temperature float64 // generator sampling temperature
	LR          float64 // peak learning rate (10% warmup, linear decay)
	Steps       int
	Batch, Seq  int
	Seed        int64
	// AnalyzeEvery: embedding and gradient cosines every this many steps (and at the last); 0: Steps/10.
	AnalyzeEvery int
}

// DefaultSettings is a run of ~1–3 minutes on 2 cores: width 96, 2 + 1 layers, batch 16 × 64, 240 steps.
func DefaultSettings() Settings {
	return Settings{Sharing: layers.GDES, Lambda: 50, Width: 96, GenLayers: 1, DiscLayers: 2, Temperature: 1, LR: 1e-3,
		Steps: 240, Batch: 16, Seq: 64, Seed: 1}
}

// Name is a short label of the run's knobs.
func (s Settings) Name() string {
	return fmt.Sprintf("%s λ=%g gen %d×%d T=%g lr=%g", s.Sharing, s.Lambda, s.GenLayers, s.genWidth(), s.Temperature, s.LR)
}

func (s Settings) genWidth() int {
	if s.GenWidth > 0 {
		return s.GenWidth
	}
	return s.Width
}

// Config builds the pre-training Config and TrainOptions of the run (vocab: the tokenizer's size).
func (s Settings) Config(vocab int) (pretrain.Config, pretrain.TrainOptions, error) {
	if s.Width <= 0 || s.Width%32 != 0 || s.genWidth()%32 != 0 || s.DiscLayers < 1 || s.GenLayers < 1 || s.Steps < 1 || s.Batch < 1 || s.Seq < 8 {
		return pretrain.Config{}, pretrain.TrainOptions{}, fmt.Errorf("nbkit: invalid settings %+v (widths: multiples of 32; layers, steps, batch >= 1; seq >= 8)", s)
	}
	disc := debertav3.DefaultConfig()
	disc.VocabSize = vocab
	disc.HiddenSize, disc.EmbeddingSize, disc.PoolerHiddenSize = s.Width, s.Width, s.Width
	disc.NumHiddenLayers, disc.NumAttentionHeads, disc.IntermediateSize = s.DiscLayers, heads(s.Width), 4*s.Width
	cfg := pretrain.DefaultConfig(disc)
	g := cfg.Generator
	g.NumHiddenLayers = s.GenLayers
	g.HiddenSize, g.PoolerHiddenSize, g.NumAttentionHeads, g.IntermediateSize = s.genWidth(), s.genWidth(), heads(s.genWidth()), 4*s.genWidth()
	cfg.Sharing, cfg.RTDWeight, cfg.Temperature = s.Sharing, s.Lambda, s.Temperature
	opts := pretrain.DefaultTrainOptions(s.LR, max(1, s.Steps/10), s.Steps, s.Seed)
	return cfg, opts, cfg.Validate()
}

// heads is the attention heads of a width: one per 32 dimensions.
func heads(width int) int { return width / 32 }

// BuiltinCorpus is the explorer's corpus: Newton's Opticks, shipped with the Go distribution (offline).
func BuiltinCorpus() data.Docs {
	path := filepath.Join(runtime.GOROOT(), "src", "testdata", data.OpticksFile) //nolint:staticcheck // notebooks build without -trimpath
	return data.TextFiles([]string{path}, data.TextOptions{Paragraphs: true})
}

// BuiltinTokenizer is the tokenizer of the built-in model (defaultmodel's discriminator spm.model).
func BuiltinTokenizer() (*tokenizer.Tokenizer, error) {
	dir, err := defaultmodel.Dir(defaultmodel.Discriminator)
	if err != nil {
		return nil, err
	}
	sp, err := tokenizer.LoadSentencePiece(filepath.Join(dir, "spm.model"))
	if err != nil {
		return nil, err
	}
	return tokenizer.New(sp, tokenizer.DefaultConfig())
}

// Result is one finished (or stopped) explorer run.
type Result struct {
	Settings Settings
	Curves   Curves
	Stopped  bool
	Saved    string // the checkpoint of its final state (pretrain.Resume of its run folder continues it)
	Duration time.Duration
}

// Explorer trains runs of the GDES explorer on one corpus and keeps their results.
type Explorer struct {
	Tok  *tokenizer.Tokenizer
	Docs func() data.Docs
	// RunsDir holds one run folder per run (config.json, metrics.jsonl, checkpoint/).
	RunsDir string
	Results []Result
}

// Run trains a run of s from scratch, shown on l (whose Stop ends it early, state saved), and appends its Result.
func (e *Explorer) Run(s Settings, l *Live) (Result, error) {
	if e.Tok == nil || e.Docs == nil || e.RunsDir == "" {
		return Result{}, errors.New("nbkit: Explorer needs Tok, Docs and RunsDir")
	}
	start := time.Now()
	cfg, opts, err := s.Config(e.Tok.VocabSize())
	if err != nil {
		return Result{}, err
	}
	batches, err := pretrain.TextBatches(e.Tok, e.Docs, s.Batch, s.Seq, s.Steps, uint64(s.Seed))
	if err != nil {
		return Result{}, err
	}
	tr, err := pretrain.NewTrainer(cfg, opts)
	if err != nil {
		return Result{}, err
	}
	info, err := pretrain.NewRunInfo(cfg, opts, map[string]any{"corpus": "opticks", "batch": s.Batch, "seq": s.Seq, "seed": s.Seed})
	if err != nil {
		return Result{}, err
	}
	run, err := pretrain.CreateRun(filepath.Join(e.RunsDir, fmt.Sprintf("run-%02d", len(e.Results)+1)), info, true)
	if err != nil {
		return Result{}, err
	}
	defer run.Close()
	every := s.AnalyzeEvery
	if every <= 0 {
		every = max(1, s.Steps/10)
	}
	res, err := l.Train(tr, &pretrain.SliceSource{Batches: batches}, run, s.Steps, every, uint64(s.Seed))
	if err != nil {
		return Result{}, err
	}
	r := Result{Settings: s, Curves: l.Curves, Stopped: res.Stopped, Saved: res.Saved, Duration: time.Since(start)}
	e.Results = append(e.Results, r)
	return r, nil
}

// NewRunsDir makes a fresh temporary folder for an Explorer's runs.
func NewRunsDir() (string, error) { return os.MkdirTemp("", "deberta-gdes-explorer-") }

// NewBuiltinExplorer is an Explorer of the built-in corpus with the built-in model's tokenizer, its runs in a
// fresh NewRunsDir.
func NewBuiltinExplorer() (*Explorer, error) {
	tok, err := BuiltinTokenizer()
	if err != nil {
		return nil, err
	}
	dir, err := NewRunsDir()
	if err != nil {
		return nil, err
	}
	return &Explorer{Tok: tok, Docs: BuiltinCorpus, RunsDir: dir}, nil
}
