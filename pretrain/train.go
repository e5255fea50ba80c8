package pretrain

import (
	"fmt"
	"math"
	"time"

	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"

	"github.com/deberta-go/lab/debertav3"
	"github.com/deberta-go/lab/layers"
	"github.com/deberta-go/lab/optim"
)

// OptimizerScope is the absolute scope of the optimiser's state: the step counter "step" and, for each
// trainable variable <scope>/<name>, the moments OptimizerScope<scope>/<name>_m and <name>_v.
const OptimizerScope = optim.DefaultScope

// TrainOptions are the optimiser's settings. Zero values of Beta1, Beta2 and Epsilon take the paper's values
// (0.9, 0.98, 1e-6); WeightDecay and ClipNorm are used as given (0 disables them; the paper uses 0.01 and 1).
type TrainOptions struct {
	// LR is the peak learning rate.
	LR float64
	// WarmupSteps of linear warmup from LR/WarmupSteps to LR, then linear decay to 0 at TotalSteps
	// (TotalSteps <= WarmupSteps: constant LR after the warmup). See LRAt.
	WarmupSteps, TotalSteps int
	// Seed seeds the parameter initialisation, dropout and the generator's sampling (the context RNG).
	Seed int64
	// WeightDecay is AdamW's decoupled decay (θ ← θ − lr·wd·θ), not applied to biases and LayerNorm weights.
	WeightDecay float64
	// ClipNorm clips the gradients to this global L2 norm (before Adam), 0 = no clipping.
	ClipNorm float64
	// Beta1, Beta2, Epsilon of Adam.
	Beta1, Beta2, Epsilon float64
	// Decoupled trains the generator and the discriminator with two AdamW optimisers, as the official scripts:
	// in one graph the generator takes its step on L_MLM (state under GeneratorOptimizerScope), then the
	// discriminator, whose word table is rebuilt from the updated variables, takes its step on λ·L_RTD (state
	// under DiscriminatorOptimizerScope); each clips its own gradients. See DecoupledStep. Only for ObjectiveRTD.
	Decoupled bool
	// Backend to run on; nil = debertav3.Backend() (pure Go).
	Backend backends.Backend
}

// DefaultTrainOptions returns the paper's optimiser (AdamW β 0.9/0.98, ε 1e-6, weight decay 0.01, clip 1.0) with
// the given peak LR and schedule.
func DefaultTrainOptions(lr float64, warmup, total int, seed int64) TrainOptions {
	return TrainOptions{LR: lr, WarmupSteps: warmup, TotalSteps: total, Seed: seed, WeightDecay: 0.01, ClipNorm: 1,
		Beta1: 0.9, Beta2: 0.98, Epsilon: 1e-6}
}

func (o TrainOptions) withDefaults() TrainOptions {
	a := o.adamW(OptimizerScope).WithDefaults()
	o.Beta1, o.Beta2, o.Epsilon = a.Beta1, a.Beta2, a.Epsilon
	return o
}

func (o TrainOptions) validate() error {
	if err := (optim.Schedule{LR: o.LR, WarmupSteps: o.WarmupSteps, TotalSteps: o.TotalSteps}).Validate(); err != nil {
		return err
	}
	return o.adamW(OptimizerScope).Validate()
}

// LRAt is the learning rate of update number step (0-based): optim.Schedule.At with LR, WarmupSteps and
// TotalSteps.
func (o TrainOptions) LRAt(step int) float64 {
	return optim.Schedule{LR: o.LR, WarmupSteps: o.WarmupSteps, TotalSteps: o.TotalSteps}.At(step)
}

// adamW is the optimiser of these options with its state under scope.
func (o TrainOptions) adamW(scope string) optim.AdamW {
	return optim.AdamW{Beta1: o.Beta1, Beta2: o.Beta2, Epsilon: o.Epsilon, WeightDecay: o.WeightDecay, ClipNorm: o.ClipNorm, Scope: scope}
}

// stepScope is the scope of the optimiser whose step counter counts the updates: OptimizerScope, or
// GeneratorOptimizerScope when Decoupled.
func (o TrainOptions) stepScope() string {
	if o.Decoupled {
		return GeneratorOptimizerScope
	}
	return OptimizerScope
}

// HostBatch is one batch as Go tensors, the shapes of StaticBatch: MaskedIDs, Original, Mask [b, L] int32;
// Positions [b, slots] int32; Weights [b, slots] float32.
type HostBatch struct {
	MaskedIDs, Original, Positions, Weights, Mask *tensors.Tensor
	// Scored [b, L] int32 (optional, 1 = scored) marks the tokens the RTD diagnostics (Metrics.RTD) are computed
	// over: the real tokens that are not special ([CLS], [SEP], ...; see ScoredMask). nil: every real token.
	Scored *tensors.Tensor
}

// NewHostBatch builds a HostBatch from Go slices (all rows of equal length).
func NewHostBatch(maskedIDs, original, positions [][]int32, weights [][]float32, mask [][]int32) HostBatch {
	return HostBatch{
		MaskedIDs: tensors.FromValue(maskedIDs), Original: tensors.FromValue(original),
		Positions: tensors.FromValue(positions), Weights: tensors.FromValue(weights), Mask: tensors.FromValue(mask),
	}
}

// Metrics of one training step (losses before the update).
type Metrics struct {
	// Step is the number of updates done, this one included (1 after the first Step).
	Step int
	// Loss = MLMLoss + λ·RTDLoss.
	Loss, MLMLoss, RTDLoss float64
	// RTDAcc: RTD accuracy over real tokens; ReplacedFrac: fraction of real tokens replaced; SampledAcc: fraction
	// of masked slots where the generator's sample equals the original.
	RTDAcc, ReplacedFrac, SampledAcc float64
	// LR used by this update; GradNorm: global L2 norm of the gradients before clipping (with
	// TrainOptions.Decoupled: the generator's gradients of L_MLM).
	LR, GradNorm float64
	// DiscGradNorm is, with TrainOptions.Decoupled, the global L2 norm of the discriminator's gradients of
	// λ·L_RTD before clipping; 0 otherwise.
	DiscGradNorm float64
	// RTD are the diagnostics of the discriminator's logits over the batch's scored tokens (HostBatch.Scored):
	// AUC, gain over the prior, precision and recall; zero for ObjectiveMLM.
	RTD RTDStats
	// Duration of the step (wall time, including the first step's graph compilation).
	Duration time.Duration
}

// Trainer runs joint generator + discriminator training with one optimiser on the summed loss
// L = L_MLM + λ·L_RTD (BuildStep; two optimisers with TrainOptions.Decoupled, the model alone with ObjectiveMLM):
// AdamW with decoupled weight decay excluding biases and LayerNorm weights,
// global-norm gradient clipping, and the LRAt schedule. Everything is seeded: two trainers with the same
// Config, TrainOptions and batches produce bit-identical results. Not safe for concurrent use.
type Trainer struct {
	cfg      Config
	opts     TrainOptions
	backend  backends.Backend
	ctx      *context.Context
	exec     *context.Exec
	evalExec *context.Exec
	gradExec *context.Exec // GradientCosines
	step     int
	ckptDir  string // the checkpoint folder SaveState writes into (set by Resume)
}

// NewTrainer validates cfg and opts, installs the gradient fixes (layers.InstallDotGeneralGradient,
// layers.InstallGatherGradient) and prepares a seeded context. Variables are created on the first Step.
func NewTrainer(cfg Config, opts TrainOptions) (*Trainer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	if err := opts.validate(); err != nil {
		return nil, err
	}
	if opts.Decoupled && cfg.Objective != ObjectiveRTD {
		return nil, fmt.Errorf("pretrain: decoupled optimisers need the %s objective, got %s", ObjectiveRTD, cfg.Objective)
	}
	layers.InstallDotGeneralGradient()
	layers.InstallGatherGradient()
	backend := opts.Backend
	if backend == nil {
		var err error
		if backend, err = debertav3.Backend(); err != nil {
			return nil, err
		}
	}
	ctx := context.New().Checked(false)
	ctx.SetParam(initializers.ParamInitialSeed, opts.Seed)
	if err := ctx.SetRNGStateFromSeed(opts.Seed); err != nil {
		return nil, err
	}
	t := &Trainer{cfg: cfg, opts: opts, backend: backend, ctx: ctx}
	exec, err := context.NewExec(backend, ctx, t.stepGraph)
	if err != nil {
		return nil, err
	}
	t.exec = exec
	return t, nil
}

// Context returns the trainer's context (variables, optimiser state, RNG).
func (t *Trainer) Context() *context.Context { return t.ctx }

// Config returns the pre-training configuration.
func (t *Trainer) Config() Config { return t.cfg }

// Options returns the trainer's TrainOptions.
func (t *Trainer) Options() TrainOptions { return t.opts }

// Steps returns the number of updates done.
func (t *Trainer) Steps() int { return t.step }

// Step runs one training step on batch and returns its metrics.
func (t *Trainer) Step(batch HostBatch) (m Metrics, err error) {
	if batch.MaskedIDs == nil || batch.Original == nil || batch.Positions == nil || batch.Weights == nil || batch.Mask == nil {
		return m, fmt.Errorf("pretrain: HostBatch has a nil tensor")
	}
	start := time.Now()
	lr := t.opts.LRAt(t.step)
	res, err := t.exec.Exec(batch.MaskedIDs, batch.Original, batch.Positions, batch.Weights, batch.Mask, float32(lr))
	if err != nil {
		return m, fmt.Errorf("pretrain: step %d: %w", t.step+1, err)
	}
	res, stats, _, err := t.rtdOutputs(res, batch)
	if err != nil {
		return m, err
	}
	vals := scalars(res)
	t.step++
	m = Metrics{Step: t.step, Loss: vals[0], MLMLoss: vals[1], RTDLoss: vals[2], RTDAcc: vals[3], ReplacedFrac: vals[4],
		SampledAcc: vals[5], LR: lr, GradNorm: vals[6], RTD: stats, Duration: time.Since(start)}
	if t.opts.Decoupled {
		m.DiscGradNorm = vals[7]
	}
	if math.IsNaN(m.Loss) || math.IsInf(m.Loss, 0) {
		return m, fmt.Errorf("pretrain: step %d: loss is %g", t.step, m.Loss)
	}
	return m, nil
}

// Evaluate runs the forward pass on batch without dropout and without updating anything but the context RNG
// (the generator still samples replacements, which advances it: interleaving Evaluate with Step changes the
// following steps' samples and dropout masks; EvaluateSet does not). Metrics.Step is the number of updates done
// so far; LR and GradNorm are 0.
func (t *Trainer) Evaluate(batch HostBatch) (Metrics, error) {
	m, _, err := t.evaluate(batch)
	return m, err
}

// evaluate is Evaluate, also returning the batch's RTD logits, labels and scored flags.
func (t *Trainer) evaluate(batch HostBatch) (m Metrics, toks rtdTokens, err error) {
	if batch.MaskedIDs == nil || batch.Original == nil || batch.Positions == nil || batch.Weights == nil || batch.Mask == nil {
		return m, toks, fmt.Errorf("pretrain: HostBatch has a nil tensor")
	}
	if t.evalExec == nil {
		if t.evalExec, err = context.NewExec(t.backend, t.ctx, t.evalGraph); err != nil {
			return m, toks, err
		}
	}
	start := time.Now()
	res, err := t.evalExec.Exec(batch.MaskedIDs, batch.Original, batch.Positions, batch.Weights, batch.Mask)
	if err != nil {
		return m, toks, fmt.Errorf("pretrain: evaluate: %w", err)
	}
	res, stats, toks, err := t.rtdOutputs(res, batch)
	if err != nil {
		return m, toks, err
	}
	vals := scalars(res)
	return Metrics{Step: t.step, Loss: vals[0], MLMLoss: vals[1], RTDLoss: vals[2], RTDAcc: vals[3], ReplacedFrac: vals[4],
		SampledAcc: vals[5], RTD: stats, Duration: time.Since(start)}, toks, nil
}

// evalGraph is BuildStep in inference mode; outputs StepOutputs.Metrics, then (RTD) RTDLogits and RTDLabels.
func (t *Trainer) evalGraph(ctx *context.Context, in []*Node) []*Node {
	ctx.SetTraining(in[0].Graph(), false)
	out := BuildStep(ctx, t.cfg, StaticBatch{MaskedIDs: in[0], Original: in[1], Positions: in[2], Weights: in[3], Mask: in[4]})
	return t.withRTDOutputs(out, out.Metrics())
}

// stepGraph is the training graph: BuildStep, gradients of the total loss, clipping and the AdamW update; or
// DecoupledStep when TrainOptions.Decoupled. Outputs: the 6 StepOutputs.Metrics, the gradients' global norm
// before clipping (Decoupled: the generator's, then the discriminator's), then (RTD) RTDLogits and RTDLabels.
func (t *Trainer) stepGraph(ctx *context.Context, in []*Node) []*Node {
	g := in[0].Graph()
	ctx.SetTraining(g, true)
	batch := StaticBatch{MaskedIDs: in[0], Original: in[1], Positions: in[2], Weights: in[3], Mask: in[4]}
	if t.opts.Decoupled {
		out, genNorm, discNorm := DecoupledStep(ctx, t.cfg, t.opts.adamW(GeneratorOptimizerScope),
			t.opts.adamW(DiscriminatorOptimizerScope), batch, in[5])
		return t.withRTDOutputs(out, append(out.Metrics(), genNorm, discNorm))
	}
	out := BuildStep(ctx, t.cfg, batch)
	norm := t.opts.adamW(OptimizerScope).Minimize(ctx, out.Loss, optim.TrainableVariables(ctx, g), in[5])
	return t.withRTDOutputs(out, append(out.Metrics(), norm))
}
