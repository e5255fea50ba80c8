package checkpoints_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/deberta-go/lab/checkpoints"
	"github.com/deberta-go/lab/debertav3"
	"github.com/deberta-go/lab/internal/testutil"
)

// TestOpenReleasedDiscriminator: a discriminator carrying both mask_predictions.* and an untrained
// lm_predictions.lm_head.* (written by torch, as the released microsoft/deberta-v3-* files are) opens as a
// discriminator only, the masked-LM keys reported as an unused head; its generator beside it opens with the
// masked-LM head and the Enhanced Mask Decoder.
func TestOpenReleasedDiscriminator(t *testing.T) {
	dir := testutil.Fixture("torch-written", "released")
	sd, err := checkpoints.ReadStateDict(dir, checkpoints.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var mlmKeys []string
	for _, k := range sd.Keys() {
		if strings.HasPrefix(k, "lm_predictions.") {
			mlmKeys = append(mlmKeys, k)
		}
	}
	if len(mlmKeys) != 5 || !slices.Contains(sd.Keys(), "mask_predictions.classifier.weight") {
		t.Fatalf("fixture: want both head layouts, keys %v", sd.Keys())
	}
	m, report, err := checkpoints.Open(dir, checkpoints.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(m.Options.Heads, []debertav3.Head{debertav3.HeadRTD}) {
		t.Errorf("heads %v, want only rtd", m.Options.Heads)
	}
	for _, k := range mlmKeys {
		if report.Ignored[k] != checkpoints.UntrainedMLMReason {
			t.Errorf("%s: ignored as %q, want the untrained-head reason", k, report.Ignored[k])
		}
	}
	if len(report.Unknown) > 0 {
		t.Errorf("unknown keys %v", report.Unknown)
	}
	gen, _, err := checkpoints.Open(dir, checkpoints.OpenOptions{Generator: true})
	if err != nil {
		t.Fatal(err)
	}
	if !gen.Options.Has(debertav3.HeadMaskedLM) || !gen.Options.EnhancedMaskDecoder || gen.Options.Has(debertav3.HeadRTD) {
		t.Errorf("generator options %+v", gen.Options)
	}
}
