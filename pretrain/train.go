package pretrain

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/checkpoints"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"

	"github.com/deberta-go/lab/debertav3"
	"github.com/deberta-go/lab/layers"
)

// OptimizerScope is the absolute scope of the optimiser's state: the step counter "step" and, for each
// trainable variable <scope>/<name>, the moments OptimizerScope<scope>/<name>_m and <name>_v.
const OptimizerScope = "/adamw"

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
	if o.Beta1 == 0 {
		o.Beta1 = 0.9
	}
	if o.Beta2 == 0 {
		o.Beta2 = 0.98
	}
	if o.Epsilon == 0 {
		o.Epsilon = 1e-6
	}
	return o
}

func (o TrainOptions) validate() error {
	switch {
	case !(o.LR > 0) || math.IsInf(o.LR, 0):
		return fmt.Errorf("pretrain: LR must be > 0, got %g", o.LR)
	case o.WarmupSteps < 0 || o.TotalSteps < 0:
		return fmt.Errorf("pretrain: negative WarmupSteps (%d) or TotalSteps (%d)", o.WarmupSteps, o.TotalSteps)
	case o.WeightDecay < 0 || o.ClipNorm < 0:
		return fmt.Errorf("pretrain: negative WeightDecay (%g) or ClipNorm (%g)", o.WeightDecay, o.ClipNorm)
	case !(o.Beta1 >= 0 && o.Beta1 < 1) || !(o.Beta2 >= 0 && o.Beta2 < 1) || !(o.Epsilon > 0):
		return fmt.Errorf("pretrain: invalid Adam β1 %g, β2 %g, ε %g", o.Beta1, o.Beta2, o.Epsilon)
	}
	return nil
}

// LRAt is the learning rate of update number step (0-based): LR·(step+1)/WarmupSteps during the warmup, then
// LR·(TotalSteps−step)/(TotalSteps−WarmupSteps), never below 0; constant LR after the warmup when
// TotalSteps <= WarmupSteps.
func (o TrainOptions) LRAt(step int) float64 {
	if step < o.WarmupSteps {
		return o.LR * float64(step+1) / float64(o.WarmupSteps)
	}
	if o.TotalSteps <= o.WarmupSteps {
		return o.LR
	}
	return o.LR * max(0, float64(o.TotalSteps-step)/float64(o.TotalSteps-o.WarmupSteps))
}

// HostBatch is one batch as Go tensors, the shapes of StaticBatch: MaskedIDs, Original, Mask [b, L] int32;
// Positions [b, slots] int32; Weights [b, slots] float32.
type HostBatch struct {
	MaskedIDs, Original, Positions, Weights, Mask *tensors.Tensor
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
	// LR used by this update; GradNorm: global L2 norm of the gradients before clipping.
	LR, GradNorm float64
	// Duration of the step (wall time, including the first step's graph compilation).
	Duration time.Duration
}

// Trainer runs joint generator + discriminator training with one optimiser on the summed loss
// L = L_MLM + λ·L_RTD (BuildStep): AdamW with decoupled weight decay excluding biases and LayerNorm weights,
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
	ckpt     *checkpoints.Handler // SaveState / Resume
	ckptDir  string
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
	vals := make([]float64, len(res))
	for i, r := range res {
		vals[i] = float64(tensors.ToScalar[float32](r))
	}
	t.step++
	m = Metrics{Step: t.step, Loss: vals[0], MLMLoss: vals[1], RTDLoss: vals[2], RTDAcc: vals[3], ReplacedFrac: vals[4],
		SampledAcc: vals[5], LR: lr, GradNorm: vals[6], Duration: time.Since(start)}
	if math.IsNaN(m.Loss) || math.IsInf(m.Loss, 0) {
		return m, fmt.Errorf("pretrain: step %d: loss is %g", t.step, m.Loss)
	}
	return m, nil
}

// Evaluate runs the forward pass on batch without dropout and without updating anything but the context RNG
// (the generator still samples replacements, which advances it: interleaving Evaluate with Step changes the
// following steps' samples and dropout masks). Metrics.Step is the number of updates done so far; LR and
// GradNorm are 0.
func (t *Trainer) Evaluate(batch HostBatch) (m Metrics, err error) {
	if batch.MaskedIDs == nil || batch.Original == nil || batch.Positions == nil || batch.Weights == nil || batch.Mask == nil {
		return m, fmt.Errorf("pretrain: HostBatch has a nil tensor")
	}
	if t.evalExec == nil {
		if t.evalExec, err = context.NewExec(t.backend, t.ctx, t.evalGraph); err != nil {
			return m, err
		}
	}
	start := time.Now()
	res, err := t.evalExec.Exec(batch.MaskedIDs, batch.Original, batch.Positions, batch.Weights, batch.Mask)
	if err != nil {
		return m, fmt.Errorf("pretrain: evaluate: %w", err)
	}
	vals := make([]float64, len(res))
	for i, r := range res {
		vals[i] = float64(tensors.ToScalar[float32](r))
	}
	return Metrics{Step: t.step, Loss: vals[0], MLMLoss: vals[1], RTDLoss: vals[2], RTDAcc: vals[3], ReplacedFrac: vals[4],
		SampledAcc: vals[5], Duration: time.Since(start)}, nil
}

// evalGraph is BuildStep in inference mode; outputs StepOutputs.Metrics.
func (t *Trainer) evalGraph(ctx *context.Context, in []*Node) []*Node {
	ctx.SetTraining(in[0].Graph(), false)
	return BuildStep(ctx, t.cfg, StaticBatch{MaskedIDs: in[0], Original: in[1], Positions: in[2], Weights: in[3], Mask: in[4]}).Metrics()
}

// stepGraph is the training graph: BuildStep, gradients of the total loss, clipping and the AdamW update.
// Outputs: the 6 StepOutputs.Metrics and the gradients' global norm before clipping.
func (t *Trainer) stepGraph(ctx *context.Context, in []*Node) []*Node {
	g := in[0].Graph()
	ctx.SetTraining(g, true)
	out := BuildStep(ctx, t.cfg, StaticBatch{MaskedIDs: in[0], Original: in[1], Positions: in[2], Weights: in[3], Mask: in[4]})
	lr := in[5]
	var vars []*context.Variable
	var nodes []*Node
	for v := range ctx.IterVariables() {
		if v.Trainable && v.InUseByGraph(g) && v.DType() == dtypes.Float32 {
			vars = append(vars, v)
			nodes = append(nodes, v.ValueGraph(g))
		}
	}
	// A fixed order (by name) for the global norm's sum: a resumed trainer creates its variables in another
	// order (Resume), and the float32 sum must not depend on it.
	order := make([]int, len(vars))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(vars[a].ScopeAndName(), vars[b].ScopeAndName()) })
	sortedVars, sortedNodes := make([]*context.Variable, len(vars)), make([]*Node, len(vars))
	for i, j := range order {
		sortedVars[i], sortedNodes[i] = vars[j], nodes[j]
	}
	vars, nodes = sortedVars, sortedNodes
	grads := Gradient(out.Loss, nodes...)
	norm := GlobalNorm(grads)
	if t.opts.ClipNorm > 0 {
		grads = ClipByGlobalNorm(grads, norm, t.opts.ClipNorm)
	}
	adamWUpdate(ctx, t.opts, vars, grads, lr)
	return append(out.Metrics(), norm)
}

// GlobalNorm is sqrt(Σ_i ‖grads[i]‖²) as a float32 scalar.
func GlobalNorm(grads []*Node) *Node {
	g := grads[0].Graph()
	sum := Scalar(g, dtypes.Float32, 0)
	for _, x := range grads {
		sum = Add(sum, ReduceAllSum(Square(ConvertDType(x, dtypes.Float32))))
	}
	return Sqrt(sum)
}

// ClipByGlobalNorm scales every gradient by min(1, clip/norm) (norm from GlobalNorm), as PyTorch's
// clip_grad_norm_ (which divides by norm + 1e-6).
func ClipByGlobalNorm(grads []*Node, norm *Node, clip float64) []*Node {
	scale := Min(Div(Scalar(norm.Graph(), dtypes.Float32, clip), AddScalar(norm, 1e-6)), OnesLike(norm))
	out := make([]*Node, len(grads))
	for i, x := range grads {
		out[i] = Mul(x, ConvertDType(scale, x.DType()))
	}
	return out
}

// Decays reports whether AdamW's weight decay applies to a variable: not to biases nor LayerNorm parameters
// (the paper's and HF's convention).
func Decays(v *context.Variable) bool {
	return v.Name() != layers.BiasName && !strings.Contains(v.Scope(), "LayerNorm")
}

// adamWUpdate applies one AdamW update (Loshchilov & Hutter; bias-corrected moments):
//
//	m ← β1·m + (1−β1)·g,  v ← β2·v + (1−β2)·g²,  θ ← θ − lr·( m̂/(√v̂ + ε) + wd·θ )
//
// with wd = 0 for the variables Decays excludes. The state lives under OptimizerScope.
func adamWUpdate(ctx *context.Context, opts TrainOptions, vars []*context.Variable, grads []*Node, lr *Node) {
	g := lr.Graph()
	optCtx := ctx.InAbsPath(OptimizerScope).WithInitializer(initializers.Zero)
	stepVar := optCtx.VariableWithValue("step", int64(0)).SetTrainable(false)
	step := AddScalar(stepVar.ValueGraph(g), 1)
	stepVar.SetValueGraph(step)
	tF := ConvertDType(step, dtypes.Float32)
	f := func(x float64) *Node { return Scalar(g, dtypes.Float32, x) }
	corr1 := Reciprocal(Sub(f(1), Pow(f(opts.Beta1), tF)))
	corr2 := Reciprocal(Sub(f(1), Pow(f(opts.Beta2), tF)))
	for i, v := range vars {
		vCtx := ctx.InAbsPath(OptimizerScope + v.Scope()).WithInitializer(initializers.Zero)
		mVar := vCtx.VariableWithShape(v.Name()+"_m", v.Shape()).SetTrainable(false)
		sVar := vCtx.VariableWithShape(v.Name()+"_v", v.Shape()).SetTrainable(false)
		grad := grads[i]
		m := Add(MulScalar(mVar.ValueGraph(g), opts.Beta1), MulScalar(grad, 1-opts.Beta1))
		s := Add(MulScalar(sVar.ValueGraph(g), opts.Beta2), MulScalar(Square(grad), 1-opts.Beta2))
		mVar.SetValueGraph(m)
		sVar.SetValueGraph(s)
		update := Div(Mul(m, corr1), AddScalar(Sqrt(Mul(s, corr2)), opts.Epsilon))
		theta := v.ValueGraph(g)
		if opts.WeightDecay > 0 && Decays(v) {
			update = Add(update, MulScalar(theta, opts.WeightDecay))
		}
		v.SetValueGraph(Sub(theta, Mul(lr, update)))
	}
}
