package pretrain

import (
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/deberta-go/lab/checkpoints"
	"github.com/deberta-go/lab/debertav3"
	"github.com/deberta-go/lab/internal/testutil"
	"github.com/deberta-go/lab/layers"
)

// mlmConfig is the MLM baseline of the tiny setup: the generator has the discriminator's architecture.
func mlmConfig() Config {
	cfg := tinyConfig(layers.NES) // the sharing mode must not matter
	cfg.Generator.NumHiddenLayers = cfg.Discriminator.NumHiddenLayers
	cfg.Objective = ObjectiveMLM
	return cfg
}

func TestParseObjective(t *testing.T) {
	for _, o := range []Objective{ObjectiveRTD, ObjectiveMLM} {
		if got, err := ParseObjective(" " + strings.ToUpper(o.String())); err != nil || got != o {
			t.Errorf("ParseObjective(%q) = %v, %v", o, got, err)
		}
	}
	if _, err := ParseObjective("electra"); err == nil {
		t.Error("ParseObjective(electra): no error")
	}
	if err := (Config{Generator: tinyDisc(), Discriminator: tinyDisc(), RTDWeight: 1, Temperature: 1, Objective: 7}).Validate(); err == nil {
		t.Error("Validate accepted Objective(7)")
	}
}

// TestMLMObjective trains the MLM baseline: the MLM loss falls, the RTD metrics are 0, no discriminator variable
// and a single word table exist; the exported generator, loaded with checkpoints.Open, gives the trainer's own
// logits; exporting a discriminator fails; config.json keeps the objective.
func TestMLMObjective(t *testing.T) {
	const steps = 100
	cfg := mlmConfig()
	tr := newTinyTrainerConfig(t, cfg, 3)
	rng := rand.New(rand.NewPCG(8, 9))
	var mlm []float64
	var batch HostBatch
	for i := range steps {
		batch = makeBatch(rng, corpus())
		m, err := tr.Step(batch)
		if err != nil {
			t.Fatal(err)
		}
		if m.Loss != m.MLMLoss || m.RTDLoss != 0 || m.RTDAcc != 0 || m.ReplacedFrac != 0 || m.SampledAcc != 0 || m.GradNorm <= 0 {
			t.Fatalf("step %d: metrics %+v", i+1, m)
		}
		mlm = append(mlm, m.MLMLoss)
	}
	first, last := mean(mlm[:5]), mean(mlm[steps-5:])
	t.Logf("MLM %.4f → %.4f", first, last)
	if !(last < first-0.2) {
		t.Errorf("MLM loss did not decrease: %.4f → %.4f", first, last)
	}
	var tables int
	for v := range tr.Context().IterVariables() {
		name := v.ScopeAndName()
		if strings.HasPrefix(name, "/"+DiscriminatorScope+"/") || strings.Contains(name, layers.DeltaEmbeddingsScope) {
			t.Errorf("MLM run created %s", name)
		}
		if v.Trainable && strings.Contains(name, "word_embeddings") {
			tables++
			if want := "/" + layers.SharedEmbeddingsScope + "/" + layers.WeightName; name != want {
				t.Errorf("word table %s, want %s", name, want)
			}
		}
	}
	if tables != 1 {
		t.Errorf("%d word tables, want 1", tables)
	}
	if _, err := tr.GradientCosines(batch); err == nil {
		t.Error("GradientCosines of an MLM run: no error")
	}

	root := t.TempDir()
	if err := ExportDiscriminator(tr, filepath.Join(root, "discriminator"), ""); err == nil || !strings.Contains(err.Error(), "no discriminator") {
		t.Errorf("ExportDiscriminator of an MLM run: %v", err)
	}
	genDir := filepath.Join(root, "generator")
	if err := ExportGenerator(tr, genDir, ""); err != nil {
		t.Fatal(err)
	}
	want := mlmLogits(t, tr, batch.Original, batch.Mask)
	genOpts := cfg.GeneratorOptions()
	gen, report, err := checkpoints.Open(genDir, checkpoints.OpenOptions{Generator: true, Options: &genOpts})
	if err != nil {
		t.Fatal(err)
	}
	if len(report.Unknown) > 0 || gen.Config.NumHiddenLayers != cfg.Discriminator.NumHiddenLayers {
		t.Errorf("generator: unknown keys %v, %d layers", report.Unknown, gen.Config.NumHiddenLayers)
	}
	out, err := gen.Forward(debertav3.Inputs{InputIDs: freshInts(batch.Original), AttentionMask: freshInts(batch.Mask)})
	if err != nil {
		t.Fatal(err)
	}
	if d := maxAbsDiff(t, "mlm", tensors.MustCopyFlatData[float32](out.MLMLogits), want); d > 1e-5 {
		t.Errorf("MLM logits differ by %g", d)
	}

	info, err := NewRunInfo(cfg, DefaultTrainOptions(1e-3, 1, 2, 1), nil)
	if err != nil {
		t.Fatal(err)
	}
	back, err := info.Config()
	if err != nil || info.Objective != "mlm" || back.Objective != ObjectiveMLM {
		t.Errorf("RunInfo objective %q → %v, %v", info.Objective, back.Objective, err)
	}
	info.Objective = ""
	if back, err := info.Config(); err != nil || back.Objective != ObjectiveRTD {
		t.Errorf("RunInfo without objective → %v, %v (want rtd)", back.Objective, err)
	}
}

// mlmLogits runs the MLM run's model (no dropout) on ids/mask: logits [b, L, vocab] at every position. Built
// from the code under test (debertav3's layers, as towerLogits): it checks the export round trip, not the model.
func mlmLogits(t *testing.T, tr *Trainer, ids, mask *tensors.Tensor) []float32 {
	t.Helper()
	cfg := tr.Config().Generator
	exec, err := context.NewExec(testutil.Backend(t), tr.Context(), func(ctx *context.Context, in []*Node) *Node {
		g := in[0].Graph()
		ctx.SetTraining(g, false)
		table := layers.GeneratorEmbeddings(ctx, g, layers.ES, cfg.VocabSize, cfg.EmbeddingSize, cfg.InitializerRange)
		genCtx := ctx.In(GeneratorScope)
		hidden := debertav3.Backbone(genCtx, cfg, in[0], in[1], nil, table).LastHiddenState
		return debertav3.MaskedLMHead(genCtx, cfg, debertav3.MLMLMPredictions, hidden, table)
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := exec.Exec(ids, mask)
	if err != nil {
		t.Fatal(err)
	}
	return tensors.MustCopyFlatData[float32](res[0])
}
