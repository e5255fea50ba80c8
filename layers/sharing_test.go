package layers

import (
	"math"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/deberta-go/lab/internal/testutil"
	"github.com/deberta-go/lab/losses"
)

func TestSharingModeStringParse(t *testing.T) {
	for _, m := range []SharingMode{ES, NES, GDES} {
		got, err := ParseSharingMode(m.String())
		if err != nil || got != m {
			t.Errorf("ParseSharingMode(%q) = %v, %v; want %v", m.String(), got, err, m)
		}
	}
	if s := GDES.String(); s != "gdes" {
		t.Errorf("GDES.String() = %q", s)
	}
	if m, err := ParseSharingMode(" NES "); err != nil || m != NES {
		t.Errorf("ParseSharingMode(\" NES \") = %v, %v", m, err)
	}
	if _, err := ParseSharingMode("tied"); err == nil {
		t.Error("ParseSharingMode(\"tied\") accepted")
	}
	if s := SharingMode(7).String(); s != "SharingMode(7)" {
		t.Errorf("SharingMode(7).String() = %q", s)
	}
}

const (
	shVocab, shDim = 7, 4
	shLambda       = 50.0
)

// pretrainStandIn builds the two losses of ELECTRA-style pre-training on tiny stand-ins:
//
//	generator:     x = E_G[ids]·P, MLM logits = x·E_Gᵀ (tied decoder), L_MLM = losses.MaskedLM
//	discriminator: h = E_D[corrupted ids], RTD logits = tanh(h)·w, L_RTD = losses.RTD
//
// with fixed constants P and w.
func pretrainStandIn(ctx *context.Context, g *Graph, mode SharingMode) (mlm, rtd, eG, eD *Node) {
	eG, eD = SharedEmbeddings(ctx, g, mode, shVocab, shDim, 0.5)
	ids := Const(g, [][]int32{{1, 2, 3}, {4, 5, 6}})
	corrupted := Const(g, [][]int32{{1, 0, 3}, {4, 5, 2}})
	replaced := Const(g, [][]float32{{0, 1, 0}, {0, 0, 1}})
	weights := Const(g, [][]float32{{1, 1, 0}, {0, 1, 1}})
	mask := OnesLike(replaced)
	proj := Const(g, [][]float32{{0.5, -1, 0, 0.2}, {1, 0.3, -0.4, 0}, {0, 0.7, 1, -0.5}, {-0.3, 0, 0.6, 1}})
	w := Const(g, []float32{1, -2, 0.5, 1.5})

	x := Dot(Reshape(Gather(eG, InsertAxes(ids, -1)), -1, shDim), proj)               // [6, dim]
	logits := Reshape(DotGeneral(x, []int{1}, nil, eG, []int{1}, nil), 2, 3, shVocab) // [2, 3, vocab]
	mlm = losses.MaskedLM(logits, ids, weights)                                       //
	h := Tanh(Reshape(Gather(eD, InsertAxes(corrupted, -1)), -1, shDim))              // [6, dim]
	rtd = losses.RTD(Reshape(Dot(h, w), 2, 3), replaced, mask)                        //
	return
}

// tableVars returns the variable nodes of the mode's tables: ES [E], NES [E_G, E_D], GDES [E_G, E_Δ].
func tableVars(t *testing.T, ctx *context.Context, g *Graph, mode SharingMode) []*Node {
	scopes := map[SharingMode][]string{
		ES:   {SharedEmbeddingsScope},
		NES:  {GeneratorEmbeddingsScope, DiscriminatorEmbeddingsScope},
		GDES: {SharedEmbeddingsScope, DeltaEmbeddingsScope},
	}[mode]
	var nodes []*Node
	for _, s := range scopes {
		v := inScopePath(ctx, s).GetVariable(WeightName)
		if v == nil {
			t.Fatalf("%s: no variable %s/%s", mode, s, WeightName)
		}
		nodes = append(nodes, v.ValueGraph(g))
	}
	return nodes
}

// sharingGrads returns, for each table variable of the mode, the gradients of L_MLM, L_RTD and
// L_MLM + λ·L_RTD, plus the two returned tables.
func sharingGrads(t *testing.T, mode SharingMode) (gMLM, gRTD, gTotal [][]float32, eG, eD []float32) {
	t.Helper()
	ctx := context.New()
	if err := ctx.SetRNGStateFromSeed(7); err != nil {
		t.Fatal(err)
	}
	exec, err := context.NewExec(testutil.Backend(t), ctx, func(ctx *context.Context, g *Graph) []*Node {
		mlm, rtd, tG, tD := pretrainStandIn(ctx, g, mode)
		vars := tableVars(t, ctx, g, mode)
		outs := append(Gradient(mlm, vars...), Gradient(rtd, vars...)...)
		outs = append(outs, Gradient(losses.Combined(mlm, rtd, shLambda), vars...)...)
		return append(outs, tG, tD)
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := exec.Exec()
	if err != nil {
		t.Fatal(err)
	}
	n := (len(res) - 2) / 3
	flat := func(ts []*tensors.Tensor) [][]float32 {
		var out [][]float32
		for _, x := range ts {
			out = append(out, tensors.MustCopyFlatData[float32](x))
		}
		return out
	}
	all := flat(res)
	return all[:n], all[n : 2*n], all[2*n : 3*n], all[3*n], all[3*n+1]
}

func TestSharedEmbeddingsGDES(t *testing.T) {
	gMLM, gRTD, gTotal, eG, eD := sharingGrads(t, GDES)
	// vars: [E_G, E_Δ]
	if m := maxAbs(gRTD[0]); m != 0 {
		t.Errorf("GDES: ∂L_RTD/∂E_G must be exactly 0 (stop-gradient), max |·| = %g", m)
	}
	if maxAbs(gRTD[1]) == 0 {
		t.Error("GDES: ∂L_RTD/∂E_Δ is zero")
	}
	if maxAbs(gMLM[0]) == 0 {
		t.Error("GDES: ∂L_MLM/∂E_G is zero")
	}
	if m := maxAbs(gMLM[1]); m != 0 {
		t.Errorf("GDES: ∂L_MLM/∂E_Δ must be 0, max |·| = %g", m)
	}
	// The total gradient of E_G is L_MLM's alone, E_Δ's is λ·L_RTD's.
	if d := maxAbsDiff(gTotal[0], gMLM[0]); d > 1e-6 {
		t.Errorf("GDES: ∂L/∂E_G differs from ∂L_MLM/∂E_G by %g", d)
	}
	if d := maxAbsDiff(gTotal[1], scaled(gRTD[1], shLambda)); d > 1e-4 {
		t.Errorf("GDES: ∂L/∂E_Δ differs from λ·∂L_RTD/∂E_Δ by %g", d)
	}
	// E_Δ starts at zero: E_D == E_G at initialisation.
	if maxAbs(eG) == 0 {
		t.Fatal("E_G is all zeros")
	}
	if d := maxAbsDiff(eD, eG); d != 0 {
		t.Errorf("GDES: E_D != E_G at init, max |diff| = %g", d)
	}
}

func TestSharedEmbeddingsES(t *testing.T) {
	gMLM, gRTD, gTotal, eG, eD := sharingGrads(t, ES)
	if maxAbs(gMLM[0]) == 0 || maxAbs(gRTD[0]) == 0 {
		t.Fatalf("ES: the shared table must receive both gradients: |∂L_MLM| %g, |∂L_RTD| %g", maxAbs(gMLM[0]), maxAbs(gRTD[0]))
	}
	sum := make([]float32, len(gMLM[0]))
	for i := range sum {
		sum[i] = gMLM[0][i] + shLambda*gRTD[0][i]
	}
	if d := maxAbsDiff(gTotal[0], sum); d > 1e-4 {
		t.Errorf("ES: ∂(L_MLM + λL_RTD)/∂E differs from the sum of the gradients by %g", d)
	}
	// The RTD gradient really changes the update (it is not dwarfed to nothing).
	if d := maxAbsDiff(gTotal[0], gMLM[0]); d < 1e-3 {
		t.Errorf("ES: total gradient ≈ MLM gradient (diff %g): RTD's gradient did not reach the table", d)
	}
	if d := maxAbsDiff(eG, eD); d != 0 {
		t.Errorf("ES: generator and discriminator tables differ by %g", d)
	}
}

func TestSharedEmbeddingsNES(t *testing.T) {
	gMLM, gRTD, _, eG, eD := sharingGrads(t, NES)
	// vars: [E_G, E_D]
	if m := maxAbs(gRTD[0]); m != 0 {
		t.Errorf("NES: ∂L_RTD/∂E_G must be 0, max |·| = %g", m)
	}
	if m := maxAbs(gMLM[1]); m != 0 {
		t.Errorf("NES: ∂L_MLM/∂E_D must be 0, max |·| = %g", m)
	}
	if maxAbs(gMLM[0]) == 0 || maxAbs(gRTD[1]) == 0 {
		t.Error("NES: each table must receive its own loss's gradient")
	}
	if maxAbsDiff(eG, eD) == 0 {
		t.Error("NES: the two tables are identical: they must be initialised independently")
	}
}

func scaled(x []float32, s float64) []float32 {
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = float32(float64(v) * s)
	}
	return out
}

func TestMergedDiscriminatorTable(t *testing.T) {
	backend := testutil.Backend(t)
	for _, mode := range []SharingMode{ES, NES, GDES} {
		t.Run(mode.String(), func(t *testing.T) {
			ctx := context.New()
			if err := ctx.SetRNGStateFromSeed(3); err != nil {
				t.Fatal(err)
			}
			if _, err := MergedDiscriminatorTable(ctx, mode); err == nil {
				t.Fatal("no error on a context without tables")
			}
			// Build the tables (the discriminator table is the output, so every variable is used).
			out, err := context.ExecOnce(backend, ctx, func(ctx *context.Context, g *Graph) *Node {
				_, eD := SharedEmbeddings(ctx, g, mode, shVocab, shDim, 0.5)
				return eD
			})
			if err != nil {
				t.Fatal(err)
			}
			want := tensors.MustCopyFlatData[float32](out)
			if mode == GDES {
				// Train-like change of E_Δ: the merged table must be E_G + E_Δ.
				delta := make([]float32, shVocab*shDim)
				for i := range delta {
					delta[i] = float32(math.Sin(float64(i)))
					want[i] += delta[i]
				}
				v := inScopePath(ctx, DeltaEmbeddingsScope).GetVariable(WeightName)
				if err := v.SetValue(tensors.FromFlatDataAndDimensions(delta, shVocab, shDim)); err != nil {
					t.Fatal(err)
				}
			}
			merged, err := MergedDiscriminatorTable(ctx, mode)
			if err != nil {
				t.Fatal(err)
			}
			if merged.DType() != dtypes.Float32 || merged.Shape().Dimensions[0] != shVocab || merged.Shape().Dimensions[1] != shDim {
				t.Fatalf("merged table shape %s", merged.Shape())
			}
			if d := maxAbsDiff(tensors.MustCopyFlatData[float32](merged), want); d > 1e-6 {
				t.Errorf("merged table differs by %g", d)
			}
		})
	}
}

// TestGDESThroughModelLayers runs a tiny ELECTRA-style step through the real layers: generator =
// Embeddings(E_G) + Encoder + tied MLM decoder; replaced tokens drawn with SampleTokens from the generator's
// logits at masked positions; discriminator = Embeddings(E_D) + Encoder + RTD head. With GDES, L_RTD must not
// reach E_G nor any generator variable (not even through the sampled ids), L_MLM must not reach the
// discriminator or E_Δ, and every variable gets a non-zero gradient of L_MLM + λ·L_RTD.
func TestGDESThroughModelLayers(t *testing.T) {
	InstallDotGeneralGradient()
	InstallGatherGradient()
	const vocab, hidden, batch, seq = 11, 8, 2, 6
	att := AttentionConfig{HiddenSize: hidden, NumHeads: 2, C2P: true, P2C: true, RelativeAttention: true,
		ShareAttKey: true, PositionBuckets: 4, MaxRelativePositions: 8, AttSpan: 2, InitStd: 0.2}
	encCfg := EncoderConfig{NumLayers: 1, RelEmbeddingLayerNorm: true,
		Layer: LayerConfig{Attention: att, IntermediateSize: 16, HiddenAct: "gelu", LayerNormEps: 1e-7}}
	embCfg := EmbeddingsConfig{VocabSize: vocab, EmbeddingSize: hidden, HiddenSize: hidden,
		LayerNormEps: 1e-7, InitStd: 0.2}
	ctx := context.New().Checked(false)
	if err := ctx.SetRNGStateFromSeed(13); err != nil {
		t.Fatal(err)
	}
	ids := [][]int32{{1, 5, 7, 2, 9, 3}, {1, 4, 4, 8, 2, 0}}
	maskedAt := [][]bool{{false, true, false, true, true, false}, {false, false, true, true, false, false}}
	attMask := [][]int32{{1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 0}}
	const maskID = 10

	var names []string
	exec, err := context.NewExec(testutil.Backend(t), ctx, func(ctx *context.Context, in []*Node) []*Node {
		idsN, masked, m := in[0], in[1], in[2]
		g := idsN.Graph()
		eG, eD := SharedEmbeddings(ctx, g, GDES, vocab, hidden, 0.2)
		tower := func(scope string, tokens, table *Node) *Node {
			c := ctx.In(scope)
			x := Embeddings(c.In("embeddings"), embCfg, tokens, m, nil, nil, table, nil)
			rel := RelativeEmbeddings(c.In("encoder"), g, encCfg)
			return Encoder(c.In("encoder"), encCfg, x, m, rel).HiddenStates[0]
		}
		// Generator on the masked input; tied decoder.
		genIn := Where(masked, Const(g, int32(maskID)), idsN)
		genH := tower("generator", genIn, eG)
		logits := DotGeneral(genH, []int{2}, nil, eG, []int{1}, nil) // [b, s, vocab]
		mlm := losses.MaskedLM(logits, idsN, ConvertDType(masked, dtypes.Float32))
		// Replaced tokens sampled from the generator; the discriminator detects them.
		corrupted := Where(masked, SampleTokens(ctx, logits, 1), idsN)
		replaced := ConvertDType(NotEqual(corrupted, idsN), dtypes.Float32)
		discH := tower("discriminator", corrupted, eD)
		rtdLogits := Reshape(Linear(ctx.In("discriminator").In("rtd_head"), discH, 1, true, 0.2), batch, seq)
		rtd := losses.RTD(rtdLogits, replaced, m)

		names = names[:0]
		var vars []*Node
		ctx.EnumerateVariables(func(v *context.Variable) {
			if v.Trainable && v.Shape().DType == dtypes.Float32 {
				names = append(names, v.Scope()+"/"+v.Name())
				vars = append(vars, v.ValueGraph(g))
			}
		})
		outs := append(Gradient(mlm, vars...), Gradient(rtd, vars...)...)
		return append(outs, Gradient(losses.Combined(mlm, rtd, shLambda), vars...)...)
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := exec.Exec(ids, maskedAt, attMask)
	if err != nil {
		t.Fatal(err)
	}
	n := len(names)
	if len(res) != 3*n || n < 20 {
		t.Fatalf("%d outputs for %d variables", len(res), n)
	}
	t.Logf("%d variables checked", n)
	for i, name := range names {
		gMLM := maxAbs(tensors.MustCopyFlatData[float32](res[i]))
		gRTD := maxAbs(tensors.MustCopyFlatData[float32](res[n+i]))
		gTotal := maxAbs(tensors.MustCopyFlatData[float32](res[2*n+i]))
		generatorSide := name == "/"+SharedEmbeddingsScope+"/"+WeightName || strings.HasPrefix(name, "/generator/")
		switch {
		case generatorSide && gRTD != 0:
			t.Errorf("%s: ∂L_RTD = %g, want exactly 0", name, gRTD)
		case generatorSide && gMLM == 0:
			t.Errorf("%s: ∂L_MLM is zero", name)
		case !generatorSide && gMLM != 0:
			t.Errorf("%s: ∂L_MLM = %g, want 0", name, gMLM)
		case !generatorSide && gRTD == 0:
			t.Errorf("%s: ∂L_RTD is zero", name)
		case gTotal == 0:
			t.Errorf("%s: total gradient is zero", name)
		}
	}
}
