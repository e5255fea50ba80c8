package pretrain

import (
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/deberta-go/lab/internal/testutil"
	"github.com/deberta-go/lab/layers"
)

// positionsConfig is the tiny setup with absolute position embeddings added to the input (both towers).
func positionsConfig(mode layers.SharingMode) Config {
	disc := tinyDisc()
	disc.PositionBiasedInput = true
	cfg := DefaultConfig(disc)
	cfg.Sharing = mode
	return cfg
}

// Position tables of the tiny setup (absolute scopes).
var (
	genPositions   = "/" + GeneratorScope + "/" + positionTableScope + "/" + layers.WeightName
	discPositions  = "/" + DiscriminatorScope + "/" + positionTableScope + "/" + layers.WeightName
	deltaPositions = "/" + layers.DeltaPositionsScope + "/" + layers.WeightName
)

// TestPositionSharingGradients: with position_biased_input the absolute position tables are shared like the word
// table. GDES: ∂L_RTD/∂P_G = 0 exactly, ∂L_MLM/∂P_Δ = 0 exactly, both others > 0; ES: P_G gets both and the
// discriminator has no table of its own; NES: two independent tables. A generator without position
// embeddings is rejected.
func TestPositionSharingGradients(t *testing.T) {
	layers.InstallDotGeneralGradient()
	layers.InstallGatherGradient()
	batch := makeBatch(rand.New(rand.NewPCG(3, 4)), corpus())
	type grads struct{ mlm, rtd bool } // whether each gradient is non-zero
	want := map[layers.SharingMode]map[string]grads{
		layers.GDES: {genPositions: {true, false}, deltaPositions: {false, true}},
		layers.ES:   {genPositions: {true, true}},
		layers.NES:  {genPositions: {true, false}, discPositions: {false, true}},
	}
	for _, mode := range []layers.SharingMode{layers.GDES, layers.ES, layers.NES} {
		t.Run(mode.String(), func(t *testing.T) {
			cfg := positionsConfig(mode)
			ctx := context.New().Checked(false)
			if err := ctx.SetRNGStateFromSeed(11); err != nil {
				t.Fatal(err)
			}
			var names []string
			exec, err := context.NewExec(testutil.Backend(t), ctx, func(ctx *context.Context, in []*Node) []*Node {
				g := in[0].Graph()
				out := BuildStep(ctx, cfg, StaticBatch{MaskedIDs: in[0], Original: in[1], Positions: in[2], Weights: in[3], Mask: in[4]})
				names = names[:0]
				var vars []*Node
				for _, name := range []string{genPositions, discPositions, deltaPositions} {
					if v := ctx.GetVariableByScopeAndName(name[:len(name)-len(layers.WeightName)-1], layers.WeightName); v != nil {
						names = append(names, name)
						vars = append(vars, v.ValueGraph(g))
					}
				}
				return gradientMaxes(out, vars)
			})
			if err != nil {
				t.Fatal(err)
			}
			res, err := exec.Exec(batch.MaskedIDs, batch.Original, batch.Positions, batch.Weights, batch.Mask)
			if err != nil {
				t.Fatal(err)
			}
			if len(names) != len(want[mode]) {
				t.Errorf("position tables %v, want those of %v", names, want[mode])
			}
			for i, name := range names {
				w, ok := want[mode][name]
				gMLM, gRTD := tensors.ToScalar[float32](res[i]), tensors.ToScalar[float32](res[len(names)+i])
				t.Logf("%s: |∂L_MLM| %.3g, |∂L_RTD| %.3g", name, gMLM, gRTD)
				if !ok || (gMLM != 0) != w.mlm || (gRTD != 0) != w.rtd {
					t.Errorf("%s: |∂L_MLM| %g, |∂L_RTD| %g, want non-zero %+v (expected table: %v)", name, gMLM, gRTD, w, ok)
				}
			}
		})
	}
	bad := positionsConfig(layers.GDES)
	bad.Generator.PositionBiasedInput = false
	if err := bad.Validate(); err == nil {
		t.Error("Validate accepted GDES position sharing with a generator without position embeddings")
	}
	bad.Sharing = layers.NES
	if err := bad.Validate(); err != nil {
		t.Errorf("NES needs no generator position table: %v", err)
	}
}

// TestPositionSharingTrains: with shared position tables, GDES and ES learn RTD (checkLearnsRTD); under GDES P_Δ
// moves away from 0.
func TestPositionSharingTrains(t *testing.T) {
	for _, mode := range []layers.SharingMode{layers.ES, layers.GDES} {
		t.Run(mode.String(), func(t *testing.T) {
			cfg := positionsConfig(mode)
			if mode == layers.ES {
				// As in TestDecoupledTraining: with the position table shared under ES the generator nearly solves
				// the copy task (prior 0.12 of at most 0.25 replaced) and the margin depends on rounding (AUC 0.80
				// with OpenBLAS, 0.86 in pure Go at T = 1); T = 2 keeps replacements coming, the path is unchanged.
				cfg.Temperature = 2
			}
			tr := learningTrainer(t, cfg, false, positionSteps)
			checkLearnsRTD(t, tr, trainLearnable(t, tr, positionSteps))
			if mode == layers.GDES {
				checkDeltaMoved(t, tr)
			}
		})
	}
}

// checkDeltaMoved fails unless P_Δ exists and is not zero.
func checkDeltaMoved(t *testing.T, tr *Trainer) {
	t.Helper()
	v := tr.Context().GetVariableByScopeAndName("/"+layers.DeltaPositionsScope, layers.WeightName)
	if v == nil || v.DType() != dtypes.Float32 {
		t.Fatal("no P_Δ")
	}
	moved := 0.0
	for _, x := range tensors.MustCopyFlatData[float32](v.MustValue()) {
		moved = max(moved, float64(x)*float64(x))
	}
	if moved == 0 {
		t.Error("P_Δ is still zero after training")
	}
}
