package pretrain

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/deberta-go/lab/internal/testutil"
	"github.com/deberta-go/lab/layers"
	"github.com/deberta-go/lab/optim"
)

func newDecoupledTrainer(t *testing.T, cfg Config, seed int64) *Trainer {
	t.Helper()
	return newTrainerOpts(t, cfg, DefaultTrainOptions(1e-2, 10, 150, seed), true)
}

// TestDecoupledTraining trains each sharing mode with two optimisers: each learns RTD (checkLearnsRTD), both
// gradient norms are reported, and each variable has moments exactly in the scopes of the optimisers that train it: generator/*
// and E_G (NES: generator/word_embeddings) in the generator's, discriminator/* and E_Δ in the discriminator's,
// ES's shared table in both; there is no joint-optimiser state. The same holds for shared absolute position
// tables (P_G like E_G, P_Δ like E_Δ).
func TestDecoupledTraining(t *testing.T) {
	for _, tc := range []struct {
		mode layers.SharingMode
		pos  bool
	}{{layers.ES, false}, {layers.GDES, false}, {layers.NES, false}, {layers.ES, true}, {layers.GDES, true}} {
		mode, cfg := tc.mode, tinyConfig(tc.mode)
		if tc.pos {
			cfg = positionsConfig(mode)
		}
		t.Run(fmt.Sprintf("%s/positions=%v", mode, tc.pos), func(t *testing.T) {
			steps := learnSteps
			if tc.pos {
				steps = positionSteps
			}
			if mode == layers.ES && tc.pos {
				// Decoupled ES with shared position tables solves the copy task's generator side fastest (by step
				// ~400 its samples equal the originals and nothing is left to detect: AUC 0.58 at 300 steps at T = 1).
				// Sampling at T = 2 keeps replacements coming; the path under test (two optimisers on shared word and
				// position tables) is unchanged.
				cfg.Temperature = 2
			}
			tr := learningTrainer(t, cfg, true, steps)
			checkLearnsRTD(t, tr, trainLearnable(t, tr, steps))
			checkDecoupledMoments(t, tr.Context(), mode)
		})
	}
}

// checkDecoupledMoments checks which optimiser scopes hold moments of each trainable variable.
func checkDecoupledMoments(t *testing.T, ctx *context.Context, mode layers.SharingMode) {
	t.Helper()
	has := func(scope string, v *context.Variable) bool {
		m := ctx.GetVariableByScopeAndName(scope+v.Scope(), v.Name()+"_m")
		s := ctx.GetVariableByScopeAndName(scope+v.Scope(), v.Name()+"_v")
		return m != nil && s != nil
	}
	shared := "/" + layers.SharedEmbeddingsScope + "/" + layers.WeightName
	checked := 0
	for v := range ctx.IterVariables() {
		name := v.ScopeAndName()
		if strings.HasPrefix(name, OptimizerScope+"/") {
			t.Errorf("joint-optimiser state %s", name)
		}
		if !v.Trainable {
			continue
		}
		wantGen := strings.HasPrefix(name, "/"+GeneratorScope+"/") || name == shared
		wantDisc := strings.HasPrefix(name, "/"+DiscriminatorScope+"/") || name == "/"+layers.DeltaEmbeddingsScope+"/"+layers.WeightName ||
			name == deltaPositions || (mode == layers.ES && (name == shared || name == genPositions))
		gotGen, gotDisc := has(GeneratorOptimizerScope, v), has(DiscriminatorOptimizerScope, v)
		if gotGen != wantGen || gotDisc != wantDisc {
			t.Errorf("%s: moments in generator scope %v (want %v), discriminator scope %v (want %v)", name, gotGen, wantGen, gotDisc, wantDisc)
		}
		if strings.Contains(name, "word_embeddings") || strings.Contains(name, "position_embeddings") {
			t.Logf("%s: generator moments %v, discriminator moments %v", name, gotGen, gotDisc)
		}
		checked++
	}
	if checked < 60 {
		t.Errorf("only %d trainable variables", checked)
	}
}

// TestDecoupledStepReference checks the semantics of one decoupled step under ES (word and position tables
// shared) against a reference made of two separate graphs, started from a copy of the trainer's state after one
// step: graph A runs the generator, its AdamW step on ∂L_MLM and the sampling; graph B, fed with A's samples, runs
// the discriminator on the tables A wrote back and its AdamW step on ∂(λ·L_RTD) at those tables. Every variable
// (parameters, both optimisers' moments and steps, the RNG state) must match the trainer's after its second
// step: in one graph, the discriminator sees the generator's update (Variable.SetValueGraph / ValueGraph).
// The reference is built from the code under test (buildGenerator, buildDiscriminator, discriminatorTables,
// layers' tables, optim.AdamW): it checks DecoupledStep's composition in one graph — order of the two updates,
// the values each side reads, which variables each optimiser owns — not those blocks, which TestGradientFlow,
// the learning tests (checkLearnsRTD) and package optim's tests cover.
func TestDecoupledStepReference(t *testing.T) {
	cfg := positionsConfig(layers.ES) // the position table P_G is shared too
	tr := newDecoupledTrainer(t, cfg, 5)
	rng := rand.New(rand.NewPCG(4, 4))
	b1, b2 := makeBatch(rng, corpus()), makeBatch(rng, corpus())
	if _, err := tr.Step(b1); err != nil {
		t.Fatal(err)
	}
	ref := context.New().Checked(false)
	for v := range tr.Context().IterVariables() {
		value, err := v.MustValue().LocalClone()
		if err != nil {
			t.Fatal(err)
		}
		ref.InAbsPath(v.Scope()).VariableWithValue(v.Name(), value).SetTrainable(v.Trainable)
	}
	lr := float32(tr.opts.LRAt(1))
	m, err := tr.Step(b2)
	if err != nil {
		t.Fatal(err)
	}
	genOpt, discOpt := tr.opts.adamW(GeneratorOptimizerScope), tr.opts.adamW(DiscriminatorOptimizerScope)
	backend := testutil.Backend(t)
	disc := cfg.Discriminator
	graphA, err := context.NewExec(backend, ref, func(ctx *context.Context, in []*Node) *Node {
		g := in[0].Graph()
		ctx.SetTraining(g, true)
		batch := StaticBatch{MaskedIDs: in[0], Original: in[1], Positions: in[2], Weights: in[3], Mask: in[4]}
		eG := layers.GeneratorEmbeddings(ctx, g, layers.ES, disc.VocabSize, disc.EmbeddingSize, disc.InitializerRange)
		out := buildGenerator(ctx, cfg, batch, eG)
		genOpt.Minimize(ctx, out.MLMLoss, optim.TrainableVariables(ctx, g), in[5])
		return layers.SampleTokens(ctx, out.GeneratorLogits, cfg.Temperature)
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := graphA.Exec(b2.MaskedIDs, b2.Original, b2.Positions, b2.Weights, b2.Mask, lr)
	if err != nil {
		t.Fatal(err)
	}
	samples := tensors.FromFlatDataAndDimensions(tensors.MustCopyFlatData[int32](res[0]), res[0].Shape().Dimensions...)
	graphB, err := context.NewExec(backend, ref, func(ctx *context.Context, in []*Node) *Node {
		g := in[0].Graph()
		ctx.SetTraining(g, true)
		batch := StaticBatch{MaskedIDs: in[0], Original: in[1], Positions: in[2], Weights: in[3], Mask: in[4]}
		eD := layers.DiscriminatorEmbeddings(ctx, g, layers.ES, disc.VocabSize, disc.EmbeddingSize, disc.InitializerRange)
		var out StepOutputs
		buildDiscriminator(ctx, cfg, batch, &out, discriminatorTables(ctx, g, cfg, eD), in[5])
		discOpt.Minimize(ctx, MulScalar(out.RTDLoss, cfg.RTDWeight), optim.TrainableVariables(ctx, g), in[6])
		return out.RTDLoss
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err = graphB.Exec(b2.MaskedIDs, b2.Original, b2.Positions, b2.Weights, b2.Mask, samples, lr)
	if err != nil {
		t.Fatal(err)
	}
	if got := float64(tensors.ToScalar[float32](res[0])); math.Abs(got-m.RTDLoss) > 1e-6 {
		t.Errorf("RTD loss: reference %.7f, trainer %.7f", got, m.RTDLoss)
	}
	compared := 0
	for v := range tr.Context().IterVariables() {
		r := ref.GetVariableByScopeAndName(v.Scope(), v.Name())
		if r == nil {
			t.Errorf("reference lacks %s", v.ScopeAndName())
			continue
		}
		if v.DType() != dtypes.Float32 {
			if a, b := v.MustValue().Value(), r.MustValue().Value(); !reflect.DeepEqual(a, b) {
				t.Errorf("%s: trainer %v, reference %v", v.ScopeAndName(), a, b)
			}
			continue
		}
		a, b := tensors.MustCopyFlatData[float32](v.MustValue()), tensors.MustCopyFlatData[float32](r.MustValue())
		if d := maxAbsDiff(t, v.ScopeAndName(), a, b); d > 1e-6 {
			t.Errorf("%s differs from the reference by %g", v.ScopeAndName(), d)
		}
		compared++
	}
	t.Logf("%d float32 variables compared", compared)
}

func TestDecoupledNeedsRTD(t *testing.T) {
	opts := DefaultTrainOptions(1e-3, 1, 2, 1)
	opts.Decoupled = true
	if _, err := NewTrainer(mlmConfig(), opts); err == nil {
		t.Error("NewTrainer accepted Decoupled with the MLM objective")
	}
}
