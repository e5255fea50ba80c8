package pretrain

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/deberta-go/lab/layers"
)

// AverageCosine is the paper's embedding-similarity analysis (DeBERTaV3 §3.2, the table of average cosine
// similarities of E_G and E_D under ES/NES/GDES): the mean cosine similarity of `pairs` pairs of distinct rows
// of table [vocab, dim] (float32), drawn uniformly with a PCG generator seeded by seed. A zero row has cosine
// 0 with anything. It fails on a table that is not float32 rank 2 or has fewer than 2 rows.
func AverageCosine(table *tensors.Tensor, pairs int, seed uint64) (float64, error) {
	if table == nil || table.DType() != dtypes.Float32 || table.Rank() != 2 {
		return 0, fmt.Errorf("pretrain.AverageCosine: want a float32 [vocab, dim] table, got %v", table)
	}
	rows, dim := table.Shape().Dimensions[0], table.Shape().Dimensions[1]
	if rows < 2 || pairs <= 0 {
		return 0, fmt.Errorf("pretrain.AverageCosine: %d rows, %d pairs: need at least 2 rows and 1 pair", rows, pairs)
	}
	data := tensors.MustCopyFlatData[float32](table)
	norms := make([]float64, rows)
	for i := range rows {
		s := 0.0
		for _, x := range data[i*dim : (i+1)*dim] {
			s += float64(x) * float64(x)
		}
		norms[i] = math.Sqrt(s)
	}
	rng := rand.New(rand.NewPCG(seed, 0xc051e))
	total := 0.0
	for range pairs {
		i := rng.IntN(rows)
		j := rng.IntN(rows - 1)
		if j >= i {
			j++
		}
		if norms[i] == 0 || norms[j] == 0 {
			continue
		}
		dot := 0.0
		a, b := data[i*dim:(i+1)*dim], data[j*dim:(j+1)*dim]
		for k := range a {
			dot += float64(a[k]) * float64(b[k])
		}
		total += dot / (norms[i] * norms[j])
	}
	return total / float64(pairs), nil
}

// GeneratorTable returns, as a Go tensor, the generator's word table E_G stored in ctx (scopes relative to
// ctx as in layers.SharedEmbeddings): ES's shared table, NES's generator table, GDES's E_G.
func GeneratorTable(ctx *context.Context, mode layers.SharingMode) (*tensors.Tensor, error) {
	scope := layers.SharedEmbeddingsScope
	if mode == layers.NES {
		scope = layers.GeneratorEmbeddingsScope
	}
	v := inScopePath(ctx, scope).GetVariable(layers.WeightName)
	if v == nil || !v.HasValue() {
		return nil, fmt.Errorf("pretrain: no word table %s/%s (%s): run a Step first", scope, layers.WeightName, mode)
	}
	return v.Value()
}

// TableSimilarity is the average pairwise cosine similarity of the generator's and the discriminator's word
// tables (E_D = E_G + E_Δ merged under GDES, see layers.MergedDiscriminatorTable).
type TableSimilarity struct {
	Generator     float64 `json:"generator"`
	Discriminator float64 `json:"discriminator"`
}

// TableSimilarities computes AverageCosine of E_G and of E_D of the trainer's current parameters.
func (t *Trainer) TableSimilarities(pairs int, seed uint64) (TableSimilarity, error) {
	var s TableSimilarity
	if t.cfg.Objective != ObjectiveRTD {
		return s, fmt.Errorf("pretrain: TableSimilarities needs the %s objective, the run uses %s", ObjectiveRTD, t.cfg.Objective)
	}
	eG, err := GeneratorTable(t.ctx, t.cfg.Sharing)
	if err != nil {
		return s, err
	}
	eD, err := layers.MergedDiscriminatorTable(t.ctx, t.cfg.Sharing)
	if err != nil {
		return s, err
	}
	if s.Generator, err = AverageCosine(eG, pairs, seed); err != nil {
		return s, err
	}
	s.Discriminator, err = AverageCosine(eD, pairs, seed)
	return s, err
}

// GradientAnalysis is the "tug-of-war" measurement (DeBERTaV3 §3.2) on one batch, float32 scalar nodes (or
// float64 values from Trainer.GradientCosines):
//
//   - Cosine = cos(∂L_MLM/∂E_G, ∂L_RTD/∂E_D-side table): ES: both gradients of the one shared table E (the
//     tug-of-war; negative values mean the losses pull E apart). NES: ∂L_MLM/∂E_G vs ∂L_RTD/∂E_D (different
//     variables of the same shape, compared row by row). GDES: ∂L_MLM/∂E_G vs ∂L_RTD/∂E_Δ, which equals
//     ∂L_RTD/∂E_D since E_D = sg(E_G) + E_Δ — i.e. the direction RTD would push E_G in without the stop-gradient.
//   - SharedCosine = cos(∂L_MLM/∂E_G, ∂L_RTD/∂E_G), the gradients the generator's table actually receives:
//     equal to Cosine under ES, 0 under NES and GDES (∂L_RTD/∂E_G is exactly 0 there; a zero vector has cosine 0).
//   - MLMNorm, RTDNorm: ‖∂L_MLM/∂E_G‖ and ‖∂L_RTD/∂(table of Cosine)‖ (RTD without the λ weight).
type GradientAnalysis struct {
	Cosine       float64 `json:"cosine"`
	SharedCosine float64 `json:"shared_cosine"`
	MLMNorm      float64 `json:"mlm_grad_norm"`
	RTDNorm      float64 `json:"rtd_grad_norm"`
}

// GradientNodes builds BuildStep on batch in ctx and returns the GradientAnalysis values as float32 scalars, in
// the order Cosine, SharedCosine, MLMNorm, RTDNorm (graph.Gradient of L_MLM and L_RTD separately). It panics
// for ObjectiveMLM.
func GradientNodes(ctx *context.Context, cfg Config, batch StaticBatch) []*Node {
	if cfg.Objective != ObjectiveRTD {
		panic(fmt.Sprintf("pretrain: GradientNodes needs the %s objective, got %s", ObjectiveRTD, cfg.Objective))
	}
	g := batch.Original.Graph()
	out := BuildStep(ctx, cfg, batch)
	variable := func(scope string) *Node {
		v := inScopePath(ctx, scope).GetVariable(layers.WeightName)
		if v == nil {
			panic(fmt.Sprintf("pretrain: no word table at %s", scope))
		}
		return v.ValueGraph(g)
	}
	var eG, eRTD *Node
	switch cfg.Sharing {
	case layers.NES:
		eG = variable(layers.GeneratorEmbeddingsScope)
		eRTD = variable(layers.DiscriminatorEmbeddingsScope)
	case layers.GDES:
		eG = variable(layers.SharedEmbeddingsScope)
		eRTD = variable(layers.DeltaEmbeddingsScope)
	default:
		eG = variable(layers.SharedEmbeddingsScope)
		eRTD = eG
	}
	gMLM := Gradient(out.MLMLoss, eG)[0]
	gRTD := Gradient(out.RTDLoss, eRTD)[0]
	gRTDOnG := Gradient(out.RTDLoss, eG)[0]
	return []*Node{Cosine(gMLM, gRTD), Cosine(gMLM, gRTDOnG), Sqrt(ReduceAllSum(Square(gMLM))), Sqrt(ReduceAllSum(Square(gRTD)))}
}

// Cosine is Σ a·b / (‖a‖·‖b‖) over all elements, float32; 0 when either is the zero vector (never NaN).
func Cosine(a, b *Node) *Node {
	a, b = ConvertDType(a, dtypes.Float32), ConvertDType(b, dtypes.Float32)
	g := a.Graph()
	dot := ReduceAllSum(Mul(a, b))
	den := Mul(Sqrt(ReduceAllSum(Square(a))), Sqrt(ReduceAllSum(Square(b))))
	zero := Equal(den, ZerosLike(den))
	safe := Where(zero, OnesLike(den), den)
	return Where(zero, Scalar(g, dtypes.Float32, 0), Div(dot, safe))
}

// GradientCosines runs GradientNodes on batch with the trainer's current parameters (at least one Step must
// have run), without dropout and without updating anything: the context RNG (advanced by the generator's sampling) is restored afterwards, so
// interleaving GradientCosines with Step does not change training.
func (t *Trainer) GradientCosines(batch HostBatch) (GradientAnalysis, error) {
	var a GradientAnalysis
	if t.cfg.Objective != ObjectiveRTD {
		return a, fmt.Errorf("pretrain: GradientCosines needs the %s objective, the run uses %s", ObjectiveRTD, t.cfg.Objective)
	}
	if batch.MaskedIDs == nil || batch.Original == nil || batch.Positions == nil || batch.Weights == nil || batch.Mask == nil {
		return a, fmt.Errorf("pretrain: HostBatch has a nil tensor")
	}
	if t.step == 0 {
		// The variables are created (and the RNG used for their initialisation) by the first Step's graph.
		return a, fmt.Errorf("pretrain: GradientCosines needs a trained model: run a Step first")
	}
	var err error
	if t.gradExec == nil {
		t.gradExec, err = context.NewExec(t.backend, t.ctx, func(ctx *context.Context, in []*Node) []*Node {
			ctx.SetTraining(in[0].Graph(), false)
			return GradientNodes(ctx, t.cfg, StaticBatch{MaskedIDs: in[0], Original: in[1], Positions: in[2], Weights: in[3], Mask: in[4]})
		})
		if err != nil {
			return a, err
		}
	}
	restore, err := t.saveRNG()
	if err != nil {
		return a, err
	}
	res, err := t.gradExec.Exec(batch.MaskedIDs, batch.Original, batch.Positions, batch.Weights, batch.Mask)
	if err != nil {
		return a, fmt.Errorf("pretrain: gradient analysis: %w", err)
	}
	if err := restore(); err != nil {
		return a, err
	}
	v := func(i int) float64 { return float64(tensors.ToScalar[float32](res[i])) }
	return GradientAnalysis{Cosine: v(0), SharedCosine: v(1), MLMNorm: v(2), RTDNorm: v(3)}, nil
}

// saveRNG copies the context RNG state and returns a function that puts it back (a no-op if there was none).
func (t *Trainer) saveRNG() (func() error, error) {
	v := t.ctx.GetVariableByScopeAndName(context.RootScope, context.RNGStateVariableName)
	if v == nil || !v.HasValue() {
		return func() error { return nil }, nil
	}
	value, err := v.Value()
	if err != nil {
		return nil, err
	}
	saved, err := value.LocalClone()
	if err != nil {
		return nil, err
	}
	return func() error { return v.SetValue(saved) }, nil
}

// inScopePath enters a relative scope path "a/b".
func inScopePath(ctx *context.Context, path string) *context.Context {
	for _, part := range splitScope(path) {
		ctx = ctx.In(part)
	}
	return ctx
}

func splitScope(path string) []string {
	var parts []string
	start := 0
	for i := 0; i <= len(path); i++ {
		if i == len(path) || path[i] == '/' {
			if i > start {
				parts = append(parts, path[start:i])
			}
			start = i + 1
		}
	}
	return parts
}
