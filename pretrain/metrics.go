package pretrain

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/deberta-go/lab/debertav3"
	"github.com/deberta-go/lab/internal/atomicdir"
	"github.com/deberta-go/lab/layers"
)

// Files of a run folder.
const (
	RunConfigFile  = "config.json"   // RunInfo
	MetricsFile    = "metrics.jsonl" // one Record per logged step
	CheckpointDir  = "checkpoint"    // trainer state (SaveState / Resume)
	TrainStateFile = "trainer_state.json"
)

// RunInfo is what config.json of a run folder holds: the pre-training Config, the TrainOptions (without the
// backend) and free-form data settings (corpus, tokenizer, batch, sequence length, masking, ...).
type RunInfo struct {
	// Objective is "rtd" or "mlm" (Config.Objective; empty in older run folders: rtd).
	Objective string `json:"objective,omitempty"`
	// RTDHead is "deberta" or "electra" (Config.RTDHead; empty in older run folders: deberta).
	RTDHead       string          `json:"rtd_head,omitempty"`
	Sharing       string          `json:"sharing"`
	RTDWeight     float64         `json:"rtd_weight"`
	Temperature   float64         `json:"temperature"`
	GeneratorEMD  bool            `json:"generator_emd"`
	Generator     json.RawMessage `json:"generator"`     // HF config.json of the generator
	Discriminator json.RawMessage `json:"discriminator"` // HF config.json of the discriminator
	Train         TrainSettings   `json:"train"`
	Data          map[string]any  `json:"data,omitempty"`
}

// TrainSettings are TrainOptions without the backend, as JSON.
type TrainSettings struct {
	LR          float64 `json:"lr"`
	WarmupSteps int     `json:"warmup_steps"`
	TotalSteps  int     `json:"total_steps"`
	Seed        int64   `json:"seed"`
	WeightDecay float64 `json:"weight_decay"`
	ClipNorm    float64 `json:"clip_norm"`
	Beta1       float64 `json:"beta1"`
	Beta2       float64 `json:"beta2"`
	Epsilon     float64 `json:"epsilon"`
	Decoupled   bool    `json:"decoupled,omitempty"`
}

// NewRunInfo describes cfg and opts (data: free-form data settings, may be nil).
func NewRunInfo(cfg Config, opts TrainOptions, data map[string]any) (RunInfo, error) {
	gen, err := cfg.Generator.MarshalHF(debertav3.Options{Heads: []debertav3.Head{debertav3.HeadMaskedLM}})
	if err != nil {
		return RunInfo{}, err
	}
	disc, err := cfg.Discriminator.MarshalHF(cfg.DiscriminatorOptions())
	if err != nil {
		return RunInfo{}, err
	}
	o := opts.withDefaults()
	return RunInfo{Objective: cfg.Objective.String(), RTDHead: cfg.RTDHead.String(), Sharing: cfg.Sharing.String(), RTDWeight: cfg.RTDWeight, Temperature: cfg.Temperature,
		GeneratorEMD: cfg.GeneratorEMD, Generator: gen, Discriminator: disc,
		Train: TrainSettings{LR: o.LR, WarmupSteps: o.WarmupSteps, TotalSteps: o.TotalSteps, Seed: o.Seed,
			WeightDecay: o.WeightDecay, ClipNorm: o.ClipNorm, Beta1: o.Beta1, Beta2: o.Beta2, Epsilon: o.Epsilon,
			Decoupled: o.Decoupled},
		Data: data}, nil
}

// Config rebuilds the pre-training Config of the run.
func (r RunInfo) Config() (Config, error) {
	mode, err := layers.ParseSharingMode(r.Sharing)
	if err != nil {
		return Config{}, err
	}
	objective, head := ObjectiveRTD, RTDHeadDeBERTa
	if r.Objective != "" {
		if objective, err = ParseObjective(r.Objective); err != nil {
			return Config{}, err
		}
	}
	if r.RTDHead != "" {
		if head, err = ParseRTDHead(r.RTDHead); err != nil {
			return Config{}, err
		}
	}
	gen, err := debertav3.ParseConfig(r.Generator)
	if err != nil {
		return Config{}, fmt.Errorf("generator: %w", err)
	}
	disc, err := debertav3.ParseConfig(r.Discriminator)
	if err != nil {
		return Config{}, fmt.Errorf("discriminator: %w", err)
	}
	return Config{Generator: gen, Discriminator: disc, Sharing: mode, RTDWeight: r.RTDWeight,
		Temperature: r.Temperature, GeneratorEMD: r.GeneratorEMD, Objective: objective, RTDHead: head}, nil
}

// TrainOptions rebuilds the run's TrainOptions (Backend nil).
func (r RunInfo) TrainOptions() TrainOptions {
	s := r.Train
	return TrainOptions{LR: s.LR, WarmupSteps: s.WarmupSteps, TotalSteps: s.TotalSteps, Seed: s.Seed,
		WeightDecay: s.WeightDecay, ClipNorm: s.ClipNorm, Beta1: s.Beta1, Beta2: s.Beta2, Epsilon: s.Epsilon,
		Decoupled: s.Decoupled}
}

// ReadRunInfo reads config.json of a run folder.
func ReadRunInfo(dir string) (RunInfo, error) {
	var r RunInfo
	b, err := os.ReadFile(filepath.Join(dir, RunConfigFile))
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return r, fmt.Errorf("%s: %w", filepath.Join(dir, RunConfigFile), err)
	}
	return r, nil
}

// Record is one line of metrics.jsonl.
type Record struct {
	Step         int     `json:"step"`
	Loss         float64 `json:"loss"`
	MLMLoss      float64 `json:"mlm_loss"`
	RTDLoss      float64 `json:"rtd_loss"`
	RTDAcc       float64 `json:"rtd_acc"`
	LR           float64 `json:"lr"`
	TokensPerS   float64 `json:"tokens_per_s"`
	ReplacedFrac float64 `json:"replaced_frac"`
	SampledAcc   float64 `json:"sampled_acc"`
	GradNorm     float64 `json:"grad_norm"`
	DiscGradNorm float64 `json:"disc_grad_norm,omitempty"` // TrainOptions.Decoupled: the discriminator's
	StepSeconds  float64 `json:"step_s"`
	// RTD diagnostics of the step's batch over its non-special real tokens (Metrics.RTD; absent for MLM runs):
	// ROC AUC of the replaced class, gain H(p) − loss over those tokens, their replaced fraction p, and
	// precision / recall at probability 0.5.
	RTDAUC       float64 `json:"rtd_auc,omitempty"`
	RTDGain      float64 `json:"rtd_gain,omitempty"`
	RTDPrior     float64 `json:"rtd_prior,omitempty"`
	RTDPrecision float64 `json:"rtd_precision,omitempty"`
	RTDRecall    float64 `json:"rtd_recall,omitempty"`
	// Eval is the held-out evaluation (Trainer.EvaluateSet), when computed at this step.
	Eval *HeldOut `json:"eval,omitempty"`
	// Analyses, when computed at this step.
	EmbeddingCosine *TableSimilarity  `json:"embedding_cosine,omitempty"`
	Gradients       *GradientAnalysis `json:"grad_cosine,omitempty"`
}

// NewRecord fills a Record from a step's metrics; tokens is the number of real tokens of the batch.
func NewRecord(m Metrics, tokens int) Record {
	r := Record{Step: m.Step, Loss: m.Loss, MLMLoss: m.MLMLoss, RTDLoss: m.RTDLoss, RTDAcc: m.RTDAcc, LR: m.LR,
		ReplacedFrac: m.ReplacedFrac, SampledAcc: m.SampledAcc, GradNorm: m.GradNorm, DiscGradNorm: m.DiscGradNorm,
		StepSeconds: m.Duration.Seconds(), RTDAUC: m.RTD.AUC, RTDGain: m.RTD.Gain, RTDPrior: m.RTD.Prior,
		RTDPrecision: m.RTD.Precision, RTDRecall: m.RTD.Recall}
	if s := m.Duration.Seconds(); s > 0 {
		r.TokensPerS = float64(tokens) / s
	}
	return r
}

// RunWriter writes a run folder: config.json once, and metrics.jsonl one line per Log (flushed each time).
type RunWriter struct {
	dir string
	f   *os.File
}

// CreateRun makes the run folder dir of a new run, whole (see atomicdir.Write): config.json (info) and an empty
// metrics.jsonl. An existing non-empty dir (an earlier run, or anything else) is replaced only with overwrite.
func CreateRun(dir string, info RunInfo, overwrite bool) (*RunWriter, error) {
	b, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return nil, err
	}
	err = atomicdir.Write(dir, overwrite, func(tmp string) error {
		if err := os.WriteFile(filepath.Join(tmp, RunConfigFile), append(b, '\n'), 0o644); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(tmp, MetricsFile), nil, 0o644)
	})
	if err != nil {
		return nil, err
	}
	return ReopenRun(dir, -1)
}

// ReopenRun continues the metrics of the run folder dir: keepUpTo >= 0 (resuming) keeps the records with
// step <= keepUpTo (and drops a last line cut short by a crash), keepUpTo < 0 keeps them all; then Log appends.
func ReopenRun(dir string, keepUpTo int) (*RunWriter, error) {
	path := filepath.Join(dir, MetricsFile)
	old, err := readMetrics(path, true)
	if err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	var keep bytes.Buffer
	for _, r := range old {
		if keepUpTo < 0 || r.Step <= keepUpTo {
			b, err := json.Marshal(r)
			if err != nil {
				return nil, err
			}
			keep.Write(append(b, '\n'))
		}
	}
	if err := atomicdir.WriteFile(path, keep.Bytes(), 0o644); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	return &RunWriter{dir: dir, f: f}, nil
}

// Dir returns the run folder.
func (w *RunWriter) Dir() string { return w.dir }

// Log appends one record to metrics.jsonl.
func (w *RunWriter) Log(r Record) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = w.f.Write(append(b, '\n'))
	return err
}

// Close closes metrics.jsonl.
func (w *RunWriter) Close() error { return w.f.Close() }

// ReadMetrics reads metrics.jsonl of a run folder.
func ReadMetrics(dir string) ([]Record, error) {
	return readMetrics(filepath.Join(dir, MetricsFile), false)
}

// readMetrics reads a metrics file; with cutShort, a last line without its newline that does not parse (a write
// interrupted by a crash) is dropped.
func readMetrics(path string, cutShort bool) ([]Record, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []Record
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for line := 1; sc.Scan(); line++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var r Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			if cutShort && !bytes.HasSuffix(b, []byte("\n")) && bytes.HasSuffix(b, sc.Bytes()) {
				break
			}
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		out = append(out, r)
	}
	return out, sc.Err()
}
