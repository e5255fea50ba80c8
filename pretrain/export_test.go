package pretrain

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/deberta-go/lab/checkpoints"
	"github.com/deberta-go/lab/debertav3"
	"github.com/deberta-go/lab/internal/testutil"
	"github.com/deberta-go/lab/layers"
)

// towerLogits runs the trainer's own towers (no dropout) on ids/mask: the generator's MLM logits at every
// position [b, L, vocab] on ids, and the discriminator's RTD logits [b, L] on ids. Not an independent
// reference: it is built from the code under test (debertav3's layers, layers.SharedEmbeddings,
// discriminatorTables, rtdHead), so the export tests check that export + checkpoints.Open reproduce training's
// forward pass (key names, merged tables, heads), not that the forward pass is right: that is debertav3's parity
// with the reference PyTorch model.
func towerLogits(t *testing.T, tr *Trainer, ids, mask *tensors.Tensor) (mlm, rtd []float32) {
	t.Helper()
	cfg := tr.Config()
	exec, err := context.NewExec(testutil.Backend(t), tr.Context(), func(ctx *context.Context, in []*Node) []*Node {
		g := in[0].Graph()
		ctx.SetTraining(g, false)
		gT, dT := layers.SharedEmbeddings(ctx, g, cfg.Sharing, cfg.Discriminator.VocabSize, cfg.Discriminator.EmbeddingSize,
			cfg.Discriminator.InitializerRange)
		genCtx := ctx.In(GeneratorScope)
		genOut := debertav3.Backbone(genCtx, cfg.Generator, in[0], in[1], nil, gT)
		hidden := genOut.LastHiddenState
		if cfg.GeneratorEMD {
			hidden = debertav3.EnhancedMaskDecoder(genCtx, cfg.Generator, genOut, in[1])[1]
		}
		mlm := debertav3.MaskedLMHead(genCtx, cfg.Generator, debertav3.MLMLMPredictions, hidden, gT)
		discCtx := ctx.In(DiscriminatorScope)
		discOut := debertav3.BackboneWithTables(discCtx, cfg.Discriminator, in[0], in[1], nil, discriminatorTables(ctx, g, cfg, dT))
		return []*Node{mlm, rtdHead(discCtx, cfg, discOut.LastHiddenState)}
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := exec.Exec(ids, mask)
	if err != nil {
		t.Fatal(err)
	}
	return tensors.MustCopyFlatData[float32](res[0]), tensors.MustCopyFlatData[float32](res[1])
}

func maxAbsDiff(t *testing.T, name string, a, b []float32) float64 {
	t.Helper()
	if len(a) != len(b) || len(a) == 0 {
		t.Fatalf("%s: lengths %d and %d", name, len(a), len(b))
	}
	d := 0.0
	for i := range a {
		d = max(d, math.Abs(float64(a[i]-b[i])))
	}
	return d
}

// TestExport: after a few steps, the exported discriminator and generator, loaded back with checkpoints.Open,
// give the trainer's own RTD and MLM logits (≤ 1e-5); with shared absolute position embeddings the
// discriminator's merged position table (P_G + P_Δ under GDES) is exported.
func TestExport(t *testing.T) {
	for _, tc := range []struct {
		mode     layers.SharingMode
		emd, pos bool
	}{{layers.GDES, false, false}, {layers.NES, true, false}, {layers.GDES, false, true}, {layers.ES, true, true}} {
		t.Run(fmt.Sprintf("%s/emd=%v/positions=%v", tc.mode, tc.emd, tc.pos), func(t *testing.T) {
			cfg := tinyConfig(tc.mode)
			if tc.pos {
				cfg = positionsConfig(tc.mode)
			}
			if cfg.GeneratorEMD = tc.emd; tc.emd {
				cfg.Generator.NumHiddenLayers = 2 // debertav3.Options allow the EMD with >= 2 layers
			}
			tr := newTinyTrainerConfig(t, cfg, 2)
			rng := rand.New(rand.NewPCG(1, 7))
			var batch HostBatch
			for range 3 {
				batch = makeBatch(rng, corpus())
				if _, err := tr.Step(batch); err != nil {
					t.Fatal(err)
				}
			}
			root := t.TempDir()
			discDir, genDir := filepath.Join(root, "discriminator"), filepath.Join(root, "generator")
			spm := filepath.Join(root, "fake.model")
			if err := os.WriteFile(spm, []byte("spm"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := ExportDiscriminator(tr, discDir, spm); err != nil {
				t.Fatal(err)
			}
			if err := ExportGenerator(tr, genDir, ""); err != nil {
				t.Fatal(err)
			}
			if b, err := os.ReadFile(filepath.Join(discDir, "spm.model")); err != nil || string(b) != "spm" {
				t.Errorf("spm.model: %q %v", b, err)
			}
			wantMLM, wantRTD := towerLogits(t, tr, batch.Original, batch.Mask)

			disc, report, err := checkpoints.Open(discDir, checkpoints.OpenOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(report.Unknown) > 0 || !disc.Options.Has(debertav3.HeadRTD) {
				t.Errorf("discriminator: unknown keys %v, options %+v", report.Unknown, disc.Options)
			}
			out, err := disc.Forward(debertav3.Inputs{InputIDs: freshInts(batch.Original), AttentionMask: freshInts(batch.Mask)})
			if err != nil {
				t.Fatal(err)
			}
			if d := maxAbsDiff(t, "rtd", tensors.MustCopyFlatData[float32](out.RTDLogits), wantRTD); d > 1e-5 {
				t.Errorf("RTD logits differ by %g", d)
			}
			genOpts := cfg.GeneratorOptions()
			gen, _, err := checkpoints.Open(genDir, checkpoints.OpenOptions{Generator: true, Options: &genOpts})
			if err != nil {
				t.Fatal(err)
			}
			out, err = gen.Forward(debertav3.Inputs{InputIDs: freshInts(batch.Original), AttentionMask: freshInts(batch.Mask)})
			if err != nil {
				t.Fatal(err)
			}
			if d := maxAbsDiff(t, "mlm", tensors.MustCopyFlatData[float32](out.MLMLogits), wantMLM); d > 1e-5 {
				t.Errorf("MLM logits differ by %g", d)
			}
			if tc.emd { // detection alone picks the EMD for a generator folder
				if _, _, err := checkpoints.Open(genDir, checkpoints.OpenOptions{Generator: true}); err != nil {
					t.Errorf("Open without options: %v", err)
				}
			}
		})
	}
}
