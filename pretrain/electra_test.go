package pretrain

import (
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/deberta-go/lab/checkpoints"
	"github.com/deberta-go/lab/debertav3"
	"github.com/deberta-go/lab/layers"
)

func TestParseRTDHead(t *testing.T) {
	for _, k := range []RTDHeadKind{RTDHeadDeBERTa, RTDHeadELECTRA} {
		if got, err := ParseRTDHead(strings.ToUpper(k.String()) + " "); err != nil || got != k {
			t.Errorf("ParseRTDHead(%q) = %v, %v", k, got, err)
		}
	}
	if _, err := ParseRTDHead("bert"); err == nil {
		t.Error("ParseRTDHead(bert): no error")
	}
}

// TestElectraHead trains GDES with ELECTRA's discriminator head: it learns RTD (checkLearnsRTD); the head's variables are
// discriminator/discriminator_predictions/{dense,dense_prediction}/{weight,bias} and there is no mask_predictions
// head; the export has HF ElectraForPreTraining's keys, checkpoints.Open detects the head and gives the trainer's
// RTD logits; config.json keeps the head.
func TestElectraHead(t *testing.T) {
	cfg := tinyConfig(layers.GDES)
	cfg.RTDHead = RTDHeadELECTRA
	tr := learningTrainer(t, cfg, false, learnSteps)
	checkLearnsRTD(t, tr, trainLearnable(t, tr, learnSteps))
	batch := makeBatch(rand.New(rand.NewPCG(1, 2)), corpus())
	var head []string
	for v := range tr.Context().IterVariables() {
		name := v.ScopeAndName()
		if strings.Contains(name, "mask_predictions") {
			t.Errorf("unexpected %s", name)
		}
		if strings.HasPrefix(name, "/"+DiscriminatorScope+"/"+debertav3.ElectraRTDScope+"/") {
			head = append(head, name)
		}
	}
	slices.Sort(head)
	prefix := "/" + DiscriminatorScope + "/discriminator_predictions/"
	want := []string{prefix + "dense/bias", prefix + "dense/weight", prefix + "dense_prediction/bias", prefix + "dense_prediction/weight"}
	if !slices.Equal(head, want) {
		t.Errorf("head variables %v, want %v", head, want)
	}

	dir := filepath.Join(t.TempDir(), "discriminator")
	if err := ExportDiscriminator(tr, dir, ""); err != nil {
		t.Fatal(err)
	}
	sd, _, err := checkpoints.ReadSafetensors(filepath.Join(dir, "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"discriminator_predictions.dense.weight", "discriminator_predictions.dense.bias",
		"discriminator_predictions.dense_prediction.weight", "discriminator_predictions.dense_prediction.bias"} {
		if sd[key] == nil {
			t.Errorf("export lacks %s", key)
		}
	}
	if w := sd["discriminator_predictions.dense_prediction.weight"]; w != nil && !slices.Equal(w.Shape, []int{1, 16}) {
		t.Errorf("dense_prediction.weight has shape %v, want PyTorch's [1, 16]", w.Shape)
	}
	_, wantRTD := towerLogits(t, tr, batch.Original, batch.Mask)
	disc, report, err := checkpoints.Open(dir, checkpoints.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(report.Unknown) > 0 || !disc.Options.Has(debertav3.HeadRTDElectra) || disc.Options.Has(debertav3.HeadRTD) {
		t.Errorf("loaded: unknown keys %v, options %+v", report.Unknown, disc.Options)
	}
	out, err := disc.Forward(debertav3.Inputs{InputIDs: freshInts(batch.Original), AttentionMask: freshInts(batch.Mask)})
	if err != nil {
		t.Fatal(err)
	}
	if d := maxAbsDiff(t, "rtd", tensors.MustCopyFlatData[float32](out.RTDLogits), wantRTD); d > 1e-5 {
		t.Errorf("RTD logits differ by %g", d)
	}

	info, err := NewRunInfo(cfg, DefaultTrainOptions(1e-3, 1, 2, 1), nil)
	if err != nil {
		t.Fatal(err)
	}
	if back, err := info.Config(); err != nil || info.RTDHead != "electra" || back.RTDHead != RTDHeadELECTRA {
		t.Errorf("RunInfo rtd_head %q → %v, %v", info.RTDHead, back.RTDHead, err)
	}
}
