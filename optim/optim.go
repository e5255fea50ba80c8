package optim

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"

	"github.com/deberta-go/lab/layers"
)

// DefaultScope is the absolute scope of AdamW's state when AdamW.Scope is empty.
const DefaultScope = "/adamw"

// Schedule is linear warmup followed by linear decay to 0.
type Schedule struct {
	// LR is the peak learning rate.
	LR float64
	// WarmupSteps of linear warmup from LR/WarmupSteps to LR, then linear decay to 0 at TotalSteps
	// (TotalSteps <= WarmupSteps: constant LR after the warmup).
	WarmupSteps, TotalSteps int
}

// At is the learning rate of update number step (0-based): LR·(step+1)/WarmupSteps during the warmup, then
// LR·(TotalSteps−step)/(TotalSteps−WarmupSteps), never below 0; constant LR after the warmup when
// TotalSteps <= WarmupSteps.
func (s Schedule) At(step int) float64 {
	if step < s.WarmupSteps {
		return s.LR * float64(step+1) / float64(s.WarmupSteps)
	}
	if s.TotalSteps <= s.WarmupSteps {
		return s.LR
	}
	return s.LR * max(0, float64(s.TotalSteps-step)/float64(s.TotalSteps-s.WarmupSteps))
}

// Validate checks LR > 0 and non-negative step counts.
func (s Schedule) Validate() error {
	if !(s.LR > 0) || math.IsInf(s.LR, 0) {
		return fmt.Errorf("optim: LR must be > 0, got %g", s.LR)
	}
	if s.WarmupSteps < 0 || s.TotalSteps < 0 {
		return fmt.Errorf("optim: negative WarmupSteps (%d) or TotalSteps (%d)", s.WarmupSteps, s.TotalSteps)
	}
	return nil
}

// AdamW is Adam with decoupled weight decay, bias-corrected moments and optional global-norm clipping:
//
//	g ← g·min(1, ClipNorm/(‖g‖+1e-6)),  m ← β1·m + (1−β1)·g,  v ← β2·v + (1−β2)·g²,
//	θ ← θ − lr·( m̂/(√v̂ + ε) + wd·θ )
//
// with wd = 0 for the variables Decays excludes. Zero Beta1, Beta2, Epsilon take 0.9, 0.98, 1e-6 (WithDefaults);
// WeightDecay and ClipNorm are used as given (0 disables them).
type AdamW struct {
	Beta1, Beta2, Epsilon float64
	WeightDecay, ClipNorm float64
	// Scope is the absolute scope of the state ("" = DefaultScope). Two optimisers in one context (e.g. the
	// generator's and the discriminator's) need different scopes.
	Scope string
}

// DefaultAdamW is the paper's optimiser: β 0.9/0.98, ε 1e-6, weight decay 0.01, clipping at norm 1.
func DefaultAdamW() AdamW {
	return AdamW{Beta1: 0.9, Beta2: 0.98, Epsilon: 1e-6, WeightDecay: 0.01, ClipNorm: 1, Scope: DefaultScope}
}

// WithDefaults fills zero Beta1, Beta2, Epsilon and Scope.
func (o AdamW) WithDefaults() AdamW {
	if o.Beta1 == 0 {
		o.Beta1 = 0.9
	}
	if o.Beta2 == 0 {
		o.Beta2 = 0.98
	}
	if o.Epsilon == 0 {
		o.Epsilon = 1e-6
	}
	if o.Scope == "" {
		o.Scope = DefaultScope
	}
	return o
}

// Validate checks the ranges (after WithDefaults).
func (o AdamW) Validate() error {
	switch {
	case o.WeightDecay < 0 || o.ClipNorm < 0:
		return fmt.Errorf("optim: negative WeightDecay (%g) or ClipNorm (%g)", o.WeightDecay, o.ClipNorm)
	case !(o.Beta1 >= 0 && o.Beta1 < 1) || !(o.Beta2 >= 0 && o.Beta2 < 1) || !(o.Epsilon > 0):
		return fmt.Errorf("optim: invalid Adam β1 %g, β2 %g, ε %g", o.Beta1, o.Beta2, o.Epsilon)
	case o.Scope != "" && !strings.HasPrefix(o.Scope, "/"):
		return fmt.Errorf("optim: Scope %q must be absolute", o.Scope)
	}
	return nil
}

// TrainableVariables returns ctx's trainable float32 variables used by g, sorted by scope and name (a fixed
// order: a resumed context creates its variables in another order, and float32 sums must not depend on it).
func TrainableVariables(ctx *context.Context, g *Graph) []*context.Variable {
	var vars []*context.Variable
	for v := range ctx.IterVariables() {
		if v.Trainable && v.InUseByGraph(g) && v.DType() == dtypes.Float32 {
			vars = append(vars, v)
		}
	}
	slices.SortFunc(vars, func(a, b *context.Variable) int { return strings.Compare(a.ScopeAndName(), b.ScopeAndName()) })
	return vars
}

// Minimize differentiates loss with respect to the current values of vars and applies Update; it returns the
// gradients' global norm before clipping.
func (o AdamW) Minimize(ctx *context.Context, loss *Node, vars []*context.Variable, lr *Node) *Node {
	g := loss.Graph()
	nodes := make([]*Node, len(vars))
	for i, v := range vars {
		nodes[i] = v.ValueGraph(g)
	}
	return o.Update(ctx, vars, Gradient(loss, nodes...), lr)
}

// Update clips grads (one per variable) to o.ClipNorm and applies one AdamW update with learning rate lr (a
// float32 scalar node); it returns the global norm before clipping.
func (o AdamW) Update(ctx *context.Context, vars []*context.Variable, grads []*Node, lr *Node) *Node {
	o = o.WithDefaults()
	g := lr.Graph()
	norm := GlobalNorm(grads)
	if o.ClipNorm > 0 {
		grads = ClipByGlobalNorm(grads, norm, o.ClipNorm)
	}
	optCtx := ctx.InAbsPath(o.Scope).WithInitializer(initializers.Zero)
	stepVar := optCtx.VariableWithValue("step", int64(0)).SetTrainable(false)
	step := AddScalar(stepVar.ValueGraph(g), 1)
	stepVar.SetValueGraph(step)
	tF := ConvertDType(step, dtypes.Float32)
	f := func(x float64) *Node { return Scalar(g, dtypes.Float32, x) }
	corr1 := Reciprocal(Sub(f(1), Pow(f(o.Beta1), tF)))
	corr2 := Reciprocal(Sub(f(1), Pow(f(o.Beta2), tF)))
	for i, v := range vars {
		vCtx := ctx.InAbsPath(o.Scope + v.Scope()).WithInitializer(initializers.Zero)
		mVar := vCtx.VariableWithShape(v.Name()+"_m", v.Shape()).SetTrainable(false)
		sVar := vCtx.VariableWithShape(v.Name()+"_v", v.Shape()).SetTrainable(false)
		grad := grads[i]
		m := Add(MulScalar(mVar.ValueGraph(g), o.Beta1), MulScalar(grad, 1-o.Beta1))
		s := Add(MulScalar(sVar.ValueGraph(g), o.Beta2), MulScalar(Square(grad), 1-o.Beta2))
		mVar.SetValueGraph(m)
		sVar.SetValueGraph(s)
		update := Div(Mul(m, corr1), AddScalar(Sqrt(Mul(s, corr2)), o.Epsilon))
		theta := v.ValueGraph(g)
		if o.WeightDecay > 0 && Decays(v) {
			update = Add(update, MulScalar(theta, o.WeightDecay))
		}
		v.SetValueGraph(Sub(theta, Mul(lr, update)))
	}
	return norm
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
