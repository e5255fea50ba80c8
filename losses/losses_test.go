package losses

import (
	"math"
	"testing"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/deberta-go/lab/internal/npy"
	"github.com/deberta-go/lab/internal/testutil"
)

func exec(t *testing.T, fn any, args ...any) []float32 {
	t.Helper()
	e, err := NewExecAny(testutil.Backend(t), fn)
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.Exec(args...)
	if err != nil {
		t.Fatal(err)
	}
	return tensors.MustCopyFlatData[float32](out[0])
}

func golden(t *testing.T, name string) *npy.Array {
	t.Helper()
	a, err := npy.Read(testutil.Fixture("official-tiny", "golden", name+".npy"))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestMaskedLMMatchesOfficial compares per-token cross-entropy with the official generator's loss on its
// logits at the masked positions.
func TestMaskedLMMatchesOfficial(t *testing.T) {
	logits := golden(t, "gen_logits_masked") // [N, vocab]
	want := golden(t, "gen_loss_masked")     // [N]
	labels := golden(t, "mlm_labels")        // [B, L]
	flat := golden(t, "masked_flat_index")   // [N]
	ids := make([]int32, len(flat.I64))
	for i, f := range flat.I64 {
		ids[i] = int32(labels.I64[f])
	}
	got := exec(t, MaskedLMPerToken, tensors.FromFlatDataAndDimensions(logits.F32, logits.Shape...), tensors.FromValue(ids))
	for i := range want.F32 {
		if d := math.Abs(float64(got[i] - want.F32[i])); d > 1e-5 {
			t.Errorf("slot %d: CE %g, official %g", i, got[i], want.F32[i])
		}
	}
	// The mean with weights ignores unused slots.
	weights := make([]float32, len(ids))
	mean := 0.0
	for i := range weights {
		if i%2 == 0 {
			weights[i] = 1
			mean += float64(want.F32[i])
		}
	}
	mean /= float64((len(ids) + 1) / 2)
	l := exec(t, func(lg, lb, w *Node) *Node {
		return MaskedLM(InsertAxes(lg, 0), InsertAxes(lb, 0), InsertAxes(w, 0))
	}, tensors.FromFlatDataAndDimensions(logits.F32, logits.Shape...), tensors.FromValue(ids), tensors.FromValue(weights))
	if math.Abs(float64(l[0])-mean) > 1e-5 {
		t.Errorf("weighted mean %g, want %g", l[0], mean)
	}
}

// TestRTDMatchesOfficial compares the per-token BCE with the official discriminator's loss at real tokens.
func TestRTDMatchesOfficial(t *testing.T) {
	logits := golden(t, "rtd_logits") // [B, L]
	mask := golden(t, "attention_mask")
	labels := golden(t, "rtd_mask_labels") // [real tokens]
	want := golden(t, "rtd_loss")          // [real tokens]
	var real []float32
	for i, m := range mask.I64 {
		if m != 0 {
			real = append(real, logits.F32[i])
		}
	}
	got := exec(t, RTDPerToken, tensors.FromValue(real), tensors.FromValue(labels.F32))
	sum := 0.0
	for i := range want.F32 {
		sum += float64(want.F32[i])
		if d := math.Abs(float64(got[i] - want.F32[i])); d > 1e-5 {
			t.Errorf("token %d: BCE %g, official %g", i, got[i], want.F32[i])
		}
	}
	// The masked mean over [B, L] equals the mean of the official per-token losses.
	full := make([]float32, len(mask.I64))
	k := 0
	for i, m := range mask.I64 {
		if m != 0 {
			full[i] = labels.F32[k]
			k++
		}
	}
	l := exec(t, RTD, tensors.FromFlatDataAndDimensions(logits.F32, logits.Shape...),
		tensors.FromFlatDataAndDimensions(full, logits.Shape...), tensors.FromFlatDataAndDimensions(mask.I64, mask.Shape...))
	if want := sum / float64(len(want.F32)); math.Abs(float64(l[0])-want) > 1e-5 {
		t.Errorf("RTD mean %g, want %g", l[0], want)
	}
}

func TestStableForLargeLogitsAndCombined(t *testing.T) {
	got := exec(t, RTDPerToken, tensors.FromValue([]float32{1000, -1000, 0}), tensors.FromValue([]float32{0, 0, 1}))
	want := []float64{1000, 0, math.Log(2)}
	for i := range want {
		if math.Abs(float64(got[i])-want[i]) > 1e-4 {
			t.Errorf("BCE[%d] = %g, want %g", i, got[i], want[i])
		}
	}
	ce := exec(t, MaskedLMPerToken, tensors.FromValue([][]float32{{1000, 0}}), tensors.FromValue([]int32{1}))
	if math.Abs(float64(ce[0])-1000) > 1e-3 {
		t.Errorf("CE with a large logit = %g, want 1000", ce[0])
	}
	c := exec(t, func(a, b *Node) *Node { return Combined(a, b, DefaultRTDWeight) }, tensors.FromScalar(float32(2)), tensors.FromScalar(float32(0.1)))
	if math.Abs(float64(c[0])-7) > 1e-6 {
		t.Errorf("Combined = %g, want 7", c[0])
	}
}
