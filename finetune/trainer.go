package finetune

import (
	gocontext "context"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"

	"github.com/deberta-go/lab/checkpoints"
	"github.com/deberta-go/lab/debertav3"
	"github.com/deberta-go/lab/hub"
	"github.com/deberta-go/lab/layers"
	"github.com/deberta-go/lab/optim"
	"github.com/deberta-go/lab/tokenizer"
)

// Options are the fine-tuning settings.
type Options struct {
	// MaxLength of the token rows (longer inputs are truncated and counted in EvalReport.Truncated).
	MaxLength int
	// BatchSize in examples (multiple choice: examples, each with all its choices).
	BatchSize int
	// Steps of training; 0 = Epochs passes over the training examples.
	Steps  int
	Epochs float64
	// LR is the peak learning rate, reached after WarmupFraction of the steps, then decayed linearly to 0.
	LR, WarmupFraction float64
	// WeightDecay of AdamW (not on biases and LayerNorm), ClipNorm the global gradient norm (0 = none).
	WeightDecay, ClipNorm float64
	// EvalEvery steps the dev split is evaluated and the best weights kept (0 = once per epoch, and at the end).
	EvalEvery int
	// Seed of the head's initialisation, dropout and the order of the training examples.
	Seed int64
	// MaxTrain and MaxEval keep N training / dev / test examples (0 = all; a fixed random subset, see limit) — for
	// quick runs.
	MaxTrain, MaxEval int
	// MatchLabels (evaluating a fine-tuned model) takes the label ids from the model's id2label, matched to the
	// task's labels by name; a model whose labels differ from the task's is an error.
	MatchLabels bool
	// Stop, when set, is asked before each training step but the first of a Train call; true ends Train with
	// ErrStopped at that step boundary (e.g. on SIGINT, or a notebook's Stop button).
	Stop func() bool `json:"-"`
	// OnStep, when set, is called after every training step (and its dev evaluation, when due) with the step's
	// StepInfo; an error ends Train with it. PrintProgress(w) prints the progress lines of `deberta finetune`.
	OnStep func(StepInfo) error `json:"-"`
}

// DefaultOptions: rows of 128 tokens, batches of 16, 3 epochs, LR 1e-4 with 10% warmup, weight decay 0.01,
// clipping at 1, seed 1.
func DefaultOptions() Options {
	return Options{MaxLength: 128, BatchSize: 16, Epochs: 3, LR: 1e-4, WarmupFraction: 0.1, WeightDecay: 0.01, ClipNorm: 1, Seed: 1}
}

// Validate checks the options (New calls it; commands call it before any work).
func (o Options) Validate() error {
	switch {
	case o.MaxLength < 8 || o.BatchSize <= 0:
		return fmt.Errorf("finetune: MaxLength must be ≥ 8 and BatchSize > 0 (got %d, %d)", o.MaxLength, o.BatchSize)
	case o.Steps < 0 || (o.Steps == 0 && !(o.Epochs > 0)):
		return fmt.Errorf("finetune: set Steps > 0 or Epochs > 0 (got %d, %g)", o.Steps, o.Epochs)
	case !(o.WarmupFraction >= 0 && o.WarmupFraction < 1) || o.EvalEvery < 0 || o.MaxTrain < 0 || o.MaxEval < 0:
		return fmt.Errorf("finetune: WarmupFraction must be in [0, 1) and EvalEvery, MaxTrain, MaxEval ≥ 0")
	}
	return optim.Schedule{LR: o.LR}.Validate()
}

// Trainer fine-tunes one model on one task. Not safe for concurrent use.
type Trainer struct {
	task     *Task
	opts     Options
	model    *debertav3.Model
	tok      *tokenizer.Tokenizer
	modelDir string
	newHeads []string

	train, dev, test *encoded
	devQA, testQA    qaSplit
	choices          int
	exec             *context.Exec
	adam             optim.AdamW
	step             int
	loop             *loop // Train's state between steps (nil before Train or LoadState)
}

// New prepares fine-tuning of the model at ref (a local HF folder or a hub id, see checkpoints.ResolvePretrained,
// with its spm.model) on task: the backbone is loaded, a head for the task's kind and labels is initialised,
// and the splits are tokenised.
func New(ref string, task *Task, opts Options) (*Trainer, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if err := task.Validate(); err != nil {
		return nil, err
	}
	snap, err := checkpoints.ResolvePretrained(gocontext.Background(), ref, checkpoints.OpenOptions{}, hub.OptionsFromEnv())
	if err != nil {
		return nil, err
	}
	tok, err := tokenizer.Load(snap.Dir)
	if err != nil {
		return nil, fmt.Errorf("finetune: the model folder needs its tokenizer: %w", err)
	}
	cfg, sd, err := readPretrained(snap.Dir)
	if err != nil {
		return nil, err
	}
	if opts.MatchLabels {
		if err := matchLabels(task, cfg); err != nil {
			return nil, fmt.Errorf("%s: %w", ref, err)
		}
	}
	setLabels(cfg, task)
	m, err := debertav3.New(cfg, debertav3.Options{Heads: []debertav3.Head{headOf(task.Kind)}})
	if err != nil {
		return nil, err
	}
	m.Context.SetParam(initializers.ParamInitialSeed, opts.Seed)
	if err := m.Context.SetRNGStateFromSeed(opts.Seed); err != nil {
		return nil, err
	}
	_, newHeads, err := checkpoints.LoadBackbone(m, sd)
	if err != nil {
		return nil, err
	}
	t := &Trainer{task: task, opts: opts, model: m, tok: tok, modelDir: snap.Dir, newHeads: newHeads,
		adam: optim.AdamW{WeightDecay: opts.WeightDecay, ClipNorm: opts.ClipNorm}}
	if err := t.encodeSplits(); err != nil {
		return nil, err
	}
	layers.InstallDotGeneralGradient()
	layers.InstallGatherGradient()
	if t.exec, err = context.NewExec(m.Backend, m.Context, t.stepGraph); err != nil {
		return nil, err
	}
	return t, nil
}

// readPretrained reads the config and the weights of a checkpoint folder (checkpoints.ReadCheckpoint): its
// config.json, or for a generator-only folder (pretrain.ExportGenerator: an MLM-only model) its generator. Only the
// backbone matters for fine-tuning, so a generator's Enhanced Mask Decoder is not needed.
func readPretrained(dir string) (*debertav3.Config, *checkpoints.StateDict, error) {
	cfg, sd, _, err := checkpoints.ReadCheckpoint(dir, checkpoints.IsGeneratorOnly(dir), nil)
	return cfg, sd, err
}

// setLabels gives cfg the task's label set (num_labels = 1 for regression).
func setLabels(cfg *debertav3.Config, task *Task) {
	cfg.ID2Label, cfg.Label2ID = nil, nil
	switch task.Kind {
	case KindRegression:
		cfg.NumLabels = 1
	case KindClassification, KindMultiLabel, KindTagging:
		cfg.NumLabels = len(task.Labels)
		cfg.ID2Label, cfg.Label2ID = map[int]string{}, map[string]int{}
		for i, l := range task.Labels {
			cfg.ID2Label[i], cfg.Label2ID[l] = l, i
		}
	}
}

// Model is the model being trained (after Train: the best weights).
func (t *Trainer) Model() *debertav3.Model { return t.model }

// Tokenizer is the model's tokenizer.
func (t *Trainer) Tokenizer() *tokenizer.Tokenizer { return t.tok }

// Step is the number of training steps done.
func (t *Trainer) Step() int { return t.step }

// NewHeads are the HF keys of the variables initialised rather than loaded (the task head).
func (t *Trainer) NewHeads() []string { return t.newHeads }

// stepGraph: the task loss, AdamW with clipping; outputs the loss before the update.
func (t *Trainer) stepGraph(ctx *context.Context, in []*Node) []*Node {
	g := in[0].Graph()
	ctx.SetTraining(g, true)
	n := len(in)
	loss := taskLoss(ctx, t.model.Config, t.task.Kind, in[0], in[1], in[2], in[3], in[4:n-1])
	t.adam.Minimize(ctx, loss, optim.TrainableVariables(ctx, g), in[n-1])
	return []*Node{loss}
}

// totalSteps is Options.Steps, or Epochs passes over the training split.
func (t *Trainer) totalSteps() int {
	if t.opts.Steps > 0 {
		return t.opts.Steps
	}
	return max(1, int(math.Ceil(t.opts.Epochs*float64(t.train.n)/float64(t.opts.BatchSize))))
}

// Train runs the fine-tuning, evaluating the dev split every EvalEvery steps, and returns the result with the
// model's weights set to the best dev evaluation's (dev and test reports of those weights). Options.OnStep
// follows every step; when Options.Stop says so at a step boundary, Train returns ErrStopped: SaveState then
// saves what a later LoadState continues.
func (t *Trainer) Train() (*Result, error) {
	total := t.totalSteps()
	perEpoch := max(1, (t.train.n+t.opts.BatchSize-1)/t.opts.BatchSize)
	evalEvery := t.opts.EvalEvery
	if evalEvery == 0 {
		evalEvery = perEpoch
	}
	sched := optim.Schedule{LR: t.opts.LR, WarmupSteps: int(t.opts.WarmupFraction * float64(total)), TotalSteps: total}
	if t.loop == nil {
		t.loop = &loop{pcg: rand.NewPCG(uint64(t.opts.Seed), 0x5eed), Result: t.newResult(total)}
	}
	l, res := t.loop, t.loop.Result
	rng := rand.New(l.pcg)
	start, startStep := time.Now(), t.step
	for t.step < total {
		if t.opts.Stop != nil && t.step > startStep && t.opts.Stop() {
			return nil, ErrStopped
		}
		if len(l.Order) == 0 {
			l.Order = rng.Perm(t.train.n)
		}
		k := min(t.opts.BatchSize, len(l.Order))
		b := t.train.batch(t.task.Kind, l.Order[:k], t.opts.BatchSize, t.choices)
		l.Order = l.Order[k:]
		stepStart := time.Now()
		out, err := t.exec.Exec(append(b.inputs(), float32(sched.At(t.step)))...)
		if err != nil {
			return nil, fmt.Errorf("finetune: step %d: %w", t.step+1, err)
		}
		if t.step > startStep { // the first step includes the compilation
			l.TrainSeconds += time.Since(stepStart).Seconds()
			res.TimedExamples += k
		}
		t.step++
		loss := float64(tensors.ToScalar[float32](out[0]))
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			return nil, fmt.Errorf("finetune: step %d: loss is %g", t.step, loss)
		}
		l.LossSum, l.LossN = l.LossSum+loss, l.LossN+1
		info := t.stepInfo(total, loss)
		if t.step%evalEvery == 0 || t.step == total {
			if info.Eval, err = t.evalPoint(); err != nil {
				return nil, err
			}
		}
		if t.opts.OnStep != nil {
			info.Elapsed = time.Since(start)
			if err := t.opts.OnStep(info); err != nil {
				return nil, err
			}
		}
	}
	if err := t.restore(l.best); err != nil {
		return nil, err
	}
	if t.hasTest() {
		test, err := t.Evaluate("test")
		if err != nil {
			return nil, err
		}
		res.Test = &test
	}
	res.WallSeconds = time.Since(start).Seconds()
	res.TrainExamplesPerSecond = l.examplesPerSecond()
	return res, nil
}

// evalPoint evaluates dev after a step, records the point and keeps the weights when they are the best yet.
func (t *Trainer) evalPoint() (*EvalPoint, error) {
	l, res := t.loop, t.loop.Result
	dev, err := t.Evaluate("dev")
	if err != nil {
		return nil, err
	}
	point := EvalPoint{Step: t.step, TrainLoss: l.LossSum / float64(l.LossN), DevScore: dev.Score}
	res.History = append(res.History, point)
	l.LossSum, l.LossN = 0, 0
	if l.best == nil || dev.Score > res.Dev.Score {
		res.BestStep, res.Dev = t.step, dev
		if l.best, err = t.snapshot(); err != nil {
			return nil, err
		}
	}
	return &point, nil
}

// snapshot copies the model's parameters (not the optimiser state).
func (t *Trainer) snapshot() (map[string]*tensors.Tensor, error) {
	out := map[string]*tensors.Tensor{}
	for _, spec := range debertav3.ParamSpecs(t.model.Config, t.model.Options) {
		v := t.model.Context.InspectVariable(spec.Scope, spec.Name)
		if v == nil {
			return nil, fmt.Errorf("finetune: variable %s missing", spec.Key())
		}
		value, err := v.Value()
		if err != nil {
			return nil, err
		}
		data, err := tensors.CopyFlatData[float32](value)
		if err != nil {
			return nil, err
		}
		out[spec.Key()] = tensors.FromFlatDataAndDimensions(data, spec.Shape...)
	}
	return out, nil
}

// restore sets the parameters from a snapshot.
func (t *Trainer) restore(s map[string]*tensors.Tensor) error {
	for _, spec := range debertav3.ParamSpecs(t.model.Config, t.model.Options) {
		if err := t.model.Context.InspectVariable(spec.Scope, spec.Name).SetValue(s[spec.Key()]); err != nil {
			return fmt.Errorf("finetune: restoring %s: %w", spec.Key(), err)
		}
	}
	return nil
}

// labelNames are the task's labels, or the choice indices for multiple choice.
func (t *Trainer) labelNames() []string {
	if t.task.Kind != KindMultipleChoice {
		return t.task.Labels
	}
	names := make([]string, t.choices)
	for i := range names {
		names[i] = strconv.Itoa(i)
	}
	return names
}
