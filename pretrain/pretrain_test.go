package pretrain

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/deberta-go/lab/debertav3"
	"github.com/deberta-go/lab/internal/testutil"
	"github.com/deberta-go/lab/layers"
	"github.com/deberta-go/lab/optim"
)

// Tiny setup: vocabulary 64 (0 [PAD], 1 [CLS], 2 [SEP], 3 [MASK], 4.. content), width 16, 2 discriminator
// layers / 1 generator layer, 2 heads, sequences of 16, batches of 4 with 3 masked slots.
const (
	tVocab, tSeq, tBatch, tSlots = 64, 16, 4, 3
	padID, clsID, sepID, maskID  = 0, 1, 2, 3
	firstContent                 = 4
)

func tinyDisc() *debertav3.Config {
	c := debertav3.DefaultConfig()
	c.VocabSize, c.HiddenSize, c.EmbeddingSize, c.PoolerHiddenSize = tVocab, 16, 16, 16
	c.NumHiddenLayers, c.NumAttentionHeads, c.IntermediateSize = 2, 2, 32
	c.MaxPositionEmbeddings, c.PositionBuckets = 32, 8
	c.InitializerRange = 0.1
	return c
}

func tinyConfig(mode layers.SharingMode) Config {
	cfg := DefaultConfig(tinyDisc())
	cfg.Sharing = mode
	return cfg
}

// corpus is a fixed set of sequences built from repeated patterns: [CLS] x, x+k, x+2k, ... [SEP] [PAD]...
func corpus() [][]int32 {
	var seqs [][]int32
	for i := range 12 {
		start, stride := 7*i%40, 1+i%3
		n := tSeq - 2 - i%3 // some rows padded
		s := []int32{clsID}
		for j := range n {
			s = append(s, int32(firstContent+(start+j*stride)%(tVocab-firstContent)))
		}
		s = append(s, sepID)
		for len(s) < tSeq {
			s = append(s, padID)
		}
		seqs = append(seqs, s)
	}
	return seqs
}

// makeBatch picks tBatch sequences and masks tSlots−1 or tSlots content positions in each ([MASK] always, as the
// official RTD masking); unused slots point at position 0 with weight 0.
func makeBatch(rng *rand.Rand, seqs [][]int32) HostBatch { return makeRows(rng, seqs, tBatch) }

// makeRows is makeBatch with the given number of rows.
func makeRows(rng *rand.Rand, seqs [][]int32, rows int) HostBatch {
	var masked, orig, pos, mask [][]int32
	var weights [][]float32
	for range rows {
		s := seqs[rng.IntN(len(seqs))]
		o := slices.Clone(s)
		m := slices.Clone(s)
		am := make([]int32, tSeq)
		var content []int
		for j, id := range s {
			if id != padID {
				am[j] = 1
			}
			if id >= firstContent {
				content = append(content, j)
			}
		}
		rng.Shuffle(len(content), func(a, b int) { content[a], content[b] = content[b], content[a] })
		used := tSlots - rng.IntN(2)
		p := make([]int32, tSlots)
		w := make([]float32, tSlots)
		for k := range used {
			p[k], w[k] = int32(content[k]), 1
			m[content[k]] = maskID
		}
		masked, orig, pos, weights, mask = append(masked, m), append(orig, o), append(pos, p), append(weights, w), append(mask, am)
	}
	hb := NewHostBatch(masked, orig, pos, weights, mask)
	hb.Scored = ScoredMask(hb.Original, hb.Mask, padID, clsID, sepID, maskID)
	return hb
}

func newTinyTrainer(t *testing.T, mode layers.SharingMode, seed int64) *Trainer {
	t.Helper()
	return newTinyTrainerConfig(t, tinyConfig(mode), seed)
}

func newTinyTrainerConfig(t *testing.T, cfg Config, seed int64) *Trainer {
	t.Helper()
	return newTrainerOpts(t, cfg, DefaultTrainOptions(1e-2, 10, 150, seed), false)
}

// newTrainerOpts makes a trainer of cfg and opts (optionally decoupled) on the test backend.
func newTrainerOpts(t *testing.T, cfg Config, opts TrainOptions, decoupled bool) *Trainer {
	t.Helper()
	opts.Backend = testutil.Backend(t)
	opts.Decoupled = decoupled
	tr, err := NewTrainer(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func mean(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

// sharingCase is one tiny configuration the tests run: each sharing mode, and GDES with the generator's EMD.
type sharingCase struct {
	name string
	mode layers.SharingMode
	cfg  Config
}

func sharingCases() []sharingCase {
	var cases []sharingCase
	for _, mode := range []layers.SharingMode{layers.GDES, layers.ES, layers.NES} {
		cases = append(cases, sharingCase{mode.String(), mode, tinyConfig(mode)})
	}
	emd := tinyConfig(layers.GDES)
	emd.GeneratorEMD = true
	return append(cases, sharingCase{"gdes-emd", layers.GDES, emd})
}

// TestTrainingLearnsRTD trains the tiny model on the learnable task for every sharing mode (and GDES with the
// generator's EMD): the MLM loss falls and the discriminator beats the prior on the held-out set (checkLearnsRTD),
// which a falling RTD loss alone does not show (a bias-only discriminator takes it from 0.69 to H(p)).
func TestTrainingLearnsRTD(t *testing.T) {
	for _, tc := range sharingCases() {
		t.Run(tc.name, func(t *testing.T) {
			tr := learningTrainer(t, tc.cfg, false, learnSteps)
			checkLearnsRTD(t, tr, trainLearnable(t, tr, learnSteps))
		})
	}
}

// TestDeterminism: two trainers with the same seed give bit-identical metrics for 3 steps; another seed differs.
func TestDeterminism(t *testing.T) {
	seqs := corpus()
	run := func(seed int64) []Metrics {
		tr := newTinyTrainer(t, layers.GDES, seed)
		rng := rand.New(rand.NewPCG(5, 6))
		var ms []Metrics
		for range 3 {
			m, err := tr.Step(makeBatch(rng, seqs))
			if err != nil {
				t.Fatal(err)
			}
			m.Duration = 0
			ms = append(ms, m)
		}
		return ms
	}
	a, b, c := run(7), run(7), run(8)
	for i := range a {
		if a[i] != b[i] {
			t.Errorf("step %d: same seed, different metrics:\n%+v\n%+v", i+1, a[i], b[i])
		}
	}
	if a[0].Loss == c[0].Loss {
		t.Errorf("seeds 7 and 8 gave the same first loss %v", a[0].Loss)
	}
}

// TestGradientFlow builds BuildStep and checks, for every trainable variable, which loss reaches it:
// generator side (generator/*, E_G) only L_MLM, discriminator side (discriminator/*, E_Δ) only L_RTD, exactly;
// ES's shared table both.
func TestGradientFlow(t *testing.T) {
	layers.InstallDotGeneralGradient()
	layers.InstallGatherGradient()
	batch := makeBatch(rand.New(rand.NewPCG(3, 4)), corpus())
	for _, tc := range sharingCases() {
		mode, name, cfg := tc.mode, tc.name, tc.cfg
		t.Run(name, func(t *testing.T) {
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
				for v := range ctx.IterVariables() {
					if v.Trainable && v.InUseByGraph(g) && v.DType() == dtypes.Float32 {
						names = append(names, v.Scope()+"/"+v.Name())
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
			n := len(names)
			t.Logf("%d variables", n)
			if len(res) != 2*n || n < 30 {
				t.Fatalf("%d outputs for %d variables", len(res), n)
			}
			shared := "/" + layers.SharedEmbeddingsScope + "/" + layers.WeightName
			var tables int
			for i, name := range names {
				gMLM, gRTD := tensors.ToScalar[float32](res[i]), tensors.ToScalar[float32](res[n+i])
				genSide := strings.HasPrefix(name, "/"+GeneratorScope+"/") || name == shared
				discSide := strings.HasPrefix(name, "/"+DiscriminatorScope+"/") ||
					name == "/"+layers.DeltaEmbeddingsScope+"/"+layers.WeightName
				if strings.Contains(name, "word_embeddings") {
					tables++
					t.Logf("%s: |∂L_MLM| %.3g, |∂L_RTD| %.3g", name, gMLM, gRTD)
				}
				switch {
				case mode == layers.ES && name == shared:
					if gMLM == 0 || gRTD == 0 {
						t.Errorf("ES %s: |∂L_MLM| %g, |∂L_RTD| %g: both must be > 0", name, gMLM, gRTD)
					}
				case genSide && discSide, !genSide && !discSide:
					t.Errorf("unexpected variable %s", name)
				case genSide && (gRTD != 0 || gMLM == 0):
					t.Errorf("%s (generator side): |∂L_MLM| %g (want > 0), |∂L_RTD| %g (want exactly 0)", name, gMLM, gRTD)
				case discSide && (gMLM != 0 || gRTD == 0):
					t.Errorf("%s (discriminator side): |∂L_MLM| %g (want exactly 0), |∂L_RTD| %g (want > 0)", name, gMLM, gRTD)
				}
			}
			if want := map[layers.SharingMode]int{layers.ES: 1, layers.NES: 2, layers.GDES: 2}[mode]; tables != want {
				t.Errorf("%d word tables, want %d", tables, want)
			}
		})
	}
}

// TestCorruptInputs checks the label rule on constructed inputs: a sample equal to the original is labelled 0,
// a different one 1, unused slots (weight 0) change nothing.
func TestCorruptInputs(t *testing.T) {
	original := [][]int32{{1, 5, 6, 7, 8, 2}, {1, 9, 9, 9, 2, 0}}
	positions := [][]int32{{1, 2, 4}, {3, 1, 0}}
	weights := [][]float32{{1, 1, 0}, {1, 1, 0}}
	samples := [][]int32{{5, 40, 33}, {12, 9, 63}}
	wantIDs := [][]int32{{1, 5, 40, 7, 8, 2}, {1, 9, 9, 12, 2, 0}}
	wantLabels := [][]float32{{0, 0, 1, 0, 0, 0}, {0, 0, 0, 1, 0, 0}}
	wantGathered := [][]int32{{5, 6, 8}, {9, 9, 1}}
	exec, err := context.NewExec(testutil.Backend(t), context.New(), func(_ *context.Context, in []*Node) []*Node {
		ids, labels := CorruptInputs(in[0], in[1], in[2], in[3])
		return []*Node{ids, labels, GatherPositions(in[0], in[1])}
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := exec.Exec(original, positions, weights, samples)
	if err != nil {
		t.Fatal(err)
	}
	if got := res[0].Value().([][]int32); !slices.EqualFunc(got, wantIDs, slices.Equal) {
		t.Errorf("corrupted ids %v, want %v", got, wantIDs)
	}
	if got := res[1].Value().([][]float32); !slices.EqualFunc(got, wantLabels, slices.Equal) {
		t.Errorf("labels %v, want %v", got, wantLabels)
	}
	if got := res[2].Value().([][]int32); !slices.EqualFunc(got, wantGathered, slices.Equal) {
		t.Errorf("gathered %v, want %v", got, wantGathered)
	}
}

// TestLRSchedule: LRAt is optim.Schedule.At with the options' LR and step counts (the schedule is tested in
// optim).
func TestLRSchedule(t *testing.T) {
	o := TrainOptions{LR: 1, WarmupSteps: 4, TotalSteps: 12}
	s := optim.Schedule{LR: 1, WarmupSteps: 4, TotalSteps: 12}
	for step := range 14 {
		if o.LRAt(step) != s.At(step) {
			t.Errorf("LRAt(%d) = %g, Schedule.At %g", step, o.LRAt(step), s.At(step))
		}
	}
}

// TestDecays: biases and LayerNorm parameters of the real model are excluded from weight decay, and the
// optimiser's step counter advances.
func TestDecays(t *testing.T) {
	tr := newTinyTrainer(t, layers.GDES, 1)
	if _, err := tr.Step(makeBatch(rand.New(rand.NewPCG(1, 1)), corpus())); err != nil {
		t.Fatal(err)
	}
	var decayed, excluded int
	for v := range tr.Context().IterVariables() {
		if !v.Trainable || v.DType() != dtypes.Float32 {
			continue
		}
		name := v.Scope() + "/" + v.Name()
		isLN := strings.Contains(name, "LayerNorm")
		if optim.Decays(v) == (isLN || v.Name() == "bias") {
			t.Errorf("Decays(%s) = %v", name, optim.Decays(v))
		}
		if optim.Decays(v) {
			decayed++
		} else {
			excluded++
		}
	}
	if decayed == 0 || excluded == 0 {
		t.Errorf("%d decayed, %d excluded variables", decayed, excluded)
	}
	if tr.Steps() != 1 {
		t.Errorf("Steps() = %d", tr.Steps())
	}
	step := tr.Context().InAbsPath(OptimizerScope).GetVariable("step")
	if step == nil || tensors.ToScalar[int64](step.MustValue()) != 1 {
		t.Errorf("optimizer step variable: %v", step)
	}
}

// TestEvaluate: Evaluate (before and after a Step) changes no parameter and is deterministic apart from sampling:
// the MLM loss (no sampling involved, no dropout) is identical on repeated calls.
func TestEvaluate(t *testing.T) {
	tr := newTinyTrainer(t, layers.GDES, 3)
	batch := makeBatch(rand.New(rand.NewPCG(9, 9)), corpus())
	snapshot := func() map[string][]float32 {
		out := map[string][]float32{}
		for v := range tr.Context().IterVariables() {
			if v.Trainable && v.DType() == dtypes.Float32 {
				out[v.Scope()+"/"+v.Name()] = tensors.MustCopyFlatData[float32](v.MustValue())
			}
		}
		return out
	}
	for round := range 2 {
		a, err := tr.Evaluate(batch)
		if err != nil {
			t.Fatal(err)
		}
		before := snapshot()
		b, err := tr.Evaluate(batch)
		if err != nil {
			t.Fatal(err)
		}
		if a.MLMLoss != b.MLMLoss || math.IsNaN(a.Loss) || a.Step != round {
			t.Errorf("round %d: Evaluate gave MLM losses %v and %v (step %d)", round, a.MLMLoss, b.MLMLoss, a.Step)
		}
		after := snapshot()
		if len(after) < 30 {
			t.Fatalf("%d variables", len(after))
		}
		for name, x := range before {
			if !slices.Equal(x, after[name]) {
				t.Errorf("round %d: Evaluate changed %s", round, name)
			}
		}
		if _, err := tr.Step(batch); err != nil {
			t.Fatal(err)
		}
	}
}
