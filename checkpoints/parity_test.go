package checkpoints_test

import (
	"fmt"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/deberta-go/lab/checkpoints"
	"github.com/deberta-go/lab/debertav3"
	"github.com/deberta-go/lab/internal/npy"
	"github.com/deberta-go/lab/internal/testutil"
)

// parityTol is the acceptance threshold on real-token positions (the reference's own float32 noise is ≤ 4e-6).
const parityTol = 1e-4

// golden reads a golden .npy of a fixture case.
func golden(t *testing.T, fixture, name string) *npy.Array {
	t.Helper()
	a, err := npy.Read(testutil.Fixture(fixture, "golden", name+".npy"))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// int32Tensor converts an int64 golden array [batch, seq] to a GoMLX int32 tensor.
func int32Tensor(a *npy.Array) *tensors.Tensor {
	data := make([]int32, len(a.I64))
	for i, v := range a.I64 {
		data[i] = int32(v)
	}
	return tensors.FromFlatDataAndDimensions(data, a.Shape...)
}

// check compares got with a golden array on real-token positions (batchAxis/posAxis index the mask; posAxis
// -1 compares every element of the batch rows, e.g. classification logits).
func check(t *testing.T, what string, got *tensors.Tensor, want *npy.Array, mask *npy.Array, batchAxis, posAxis int) {
	t.Helper()
	if fmt.Sprint(got.Shape().Dimensions) != fmt.Sprint(want.Shape) {
		t.Errorf("%s: shape %v, golden %v", what, got.Shape().Dimensions, want.Shape)
		return
	}
	seqLen := mask.Shape[1]
	m := mask.I64
	if posAxis < 0 { // no position axis: compare every row.
		seqLen = 1
		m = make([]int64, mask.Shape[0])
		for i := range m {
			m[i] = 1
		}
	}
	diff, err := testutil.MaskedMaxAbsDiff(tensors.MustCopyFlatData[float32](got), want.F32, want.Shape, m, seqLen, batchAxis, posAxis)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	t.Logf("%-28s max|diff| = %.3g", what, diff)
	if diff > parityTol {
		t.Errorf("%s: max |diff| = %g > %g on real tokens", what, diff, parityTol)
	}
}

func open(t *testing.T, dir string, format checkpoints.Format, opts debertav3.Options) *debertav3.Model {
	t.Helper()
	opts.OutputHiddenStates, opts.OutputAttentions = true, true
	m, report, err := checkpoints.Open(dir, checkpoints.OpenOptions{Options: &opts, Formats: []checkpoints.Format{format}})
	if err != nil {
		t.Fatal(err)
	}
	if len(report.Unknown) > 0 {
		t.Errorf("%s: unknown keys %v", dir, report.Unknown)
	}
	return m
}

type parityCase struct {
	fixture, dir string
	opts         debertav3.Options
	inputs       string // prefix of the golden inputs: "" or "leftpad_" or "disc_"
	checks       func(t *testing.T, out *debertav3.Outputs, g func(string) *npy.Array, mask *npy.Array)
}

func backboneChecks(prefix string, withAttention bool) func(*testing.T, *debertav3.Outputs, func(string) *npy.Array, *npy.Array) {
	return func(t *testing.T, out *debertav3.Outputs, g func(string) *npy.Array, mask *npy.Array) {
		check(t, prefix+"last_hidden_state", out.LastHiddenState, g(prefix+"last_hidden_state"), mask, 0, 1)
		if prefix == "leftpad_" {
			return
		}
		hs := g("hidden_states")
		per := len(hs.F32) / hs.Shape[0]
		for i, h := range out.HiddenStates {
			layer := &npy.Array{DType: hs.DType, Shape: hs.Shape[1:], F32: hs.F32[i*per : (i+1)*per]}
			check(t, fmt.Sprintf("hidden_states[%d]", i), h, layer, mask, 0, 1)
		}
		if withAttention {
			check(t, "attentions_layer0", out.Attentions[0], g("attentions_layer0"), mask, 0, 2)
		}
	}
}

func TestParityWithHuggingFace(t *testing.T) {
	mlm := debertav3.Options{Heads: []debertav3.Head{debertav3.HeadMaskedLM}}
	lmpred := debertav3.Options{Heads: []debertav3.Head{debertav3.HeadMaskedLM}, MLMLayout: debertav3.MLMLMPredictions}
	cls := debertav3.Options{Heads: []debertav3.Head{debertav3.HeadSequenceClassification}}
	logits := func(name string, get func(*debertav3.Outputs) *tensors.Tensor, posAxis int) func(*testing.T, *debertav3.Outputs, func(string) *npy.Array, *npy.Array) {
		return func(t *testing.T, out *debertav3.Outputs, g func(string) *npy.Array, mask *npy.Array) {
			check(t, name, get(out), g(name), mask, 0, posAxis)
		}
	}
	mlmLogits := func(o *debertav3.Outputs) *tensors.Tensor { return o.MLMLogits }
	clsLogits := func(o *debertav3.Outputs) *tensors.Tensor { return o.Logits }
	cases := []parityCase{
		{"tiny-v3", "base", debertav3.Options{}, "", backboneChecks("", true)},
		{"tiny-v3", "base", debertav3.Options{}, "leftpad_", backboneChecks("leftpad_", false)},
		{"tiny-v3", "mlm", mlm, "", logits("mlm_logits", mlmLogits, 1)},
		{"tiny-v3", "mlm-lmpred", lmpred, "", logits("mlm_lmpred_logits", mlmLogits, 1)},
		{"tiny-v3", "cls", cls, "", logits("cls_logits", clsLogits, -1)},
		{"tiny-v3-long", "base", debertav3.Options{}, "", backboneChecks("", false)},
		{"tiny-v3-long", "mlm", mlm, "", logits("mlm_logits", mlmLogits, 1)},
		{"tiny-v3-long", "cls", cls, "", logits("cls_logits", clsLogits, -1)},
		{"tiny-v2-style", "base", debertav3.Options{}, "", backboneChecks("", true)},
		{"tiny-v2-style", "mlm", mlm, "", logits("mlm_logits", mlmLogits, 1)},
		{"tiny-v2-style", "cls", cls, "", logits("cls_logits", clsLogits, -1)},
	}
	for _, c := range cases {
		for _, format := range []checkpoints.Format{checkpoints.FormatSafetensors, checkpoints.FormatTorchBin} {
			name := fmt.Sprintf("%s/%s/%s%s", c.fixture, c.dir, c.inputs, format)
			t.Run(name, func(t *testing.T) {
				if testing.Short() && c.fixture == "tiny-v3-long" {
					t.Skip("long fixture skipped in -short mode")
				}
				m := open(t, testutil.Fixture(c.fixture, c.dir), format, c.opts)
				g := func(n string) *npy.Array { return golden(t, c.fixture, n) }
				in := debertav3.Inputs{InputIDs: int32Tensor(g(c.inputs + "input_ids")), AttentionMask: int32Tensor(g(c.inputs + "attention_mask"))}
				if c.fixture == "tiny-v2-style" {
					in.TokenTypeIDs = int32Tensor(g("token_type_ids"))
				}
				out, err := m.Forward(in)
				if err != nil {
					t.Fatal(err)
				}
				c.checks(t, out, g, g(c.inputs+"attention_mask"))
			})
		}
	}
}

// TestParityLongAttention checks layer-0 attention probabilities of batch row 0 at length 300 (log buckets).
func TestParityLongAttention(t *testing.T) {
	if testing.Short() {
		t.Skip("long fixture skipped in -short mode")
	}
	m := open(t, testutil.Fixture("tiny-v3-long", "base"), checkpoints.FormatSafetensors, debertav3.Options{})
	g := func(n string) *npy.Array { return golden(t, "tiny-v3-long", n) }
	out, err := m.Forward(debertav3.Inputs{InputIDs: int32Tensor(g("input_ids")), AttentionMask: int32Tensor(g("attention_mask"))})
	if err != nil {
		t.Fatal(err)
	}
	all := tensors.MustCopyFlatData[float32](out.Attentions[0]) // [3, heads, 300, 300]
	want := g("attentions_layer0_row0")                         // [heads, 300, 300]
	row0 := tensors.FromFlatDataAndDimensions(all[:len(want.F32)], append([]int{1}, want.Shape...)...)
	mask := g("attention_mask")
	mask0 := &npy.Array{Shape: []int{1, mask.Shape[1]}, I64: mask.I64[:mask.Shape[1]]}
	check(t, "attentions_layer0_row0", row0, &npy.Array{Shape: append([]int{1}, want.Shape...), F32: want.F32}, mask0, 0, 2)
}

// TestParityOfficialDiscriminator loads Microsoft's released discriminator layout (extra position embeddings,
// the mask_predictions RTD head, hub-style config) and compares with the official code's outputs.
func TestParityOfficialDiscriminator(t *testing.T) {
	for _, format := range []checkpoints.Format{checkpoints.FormatSafetensors, checkpoints.FormatTorchBin} {
		t.Run(string(format), func(t *testing.T) {
			dir := testutil.Fixture("official-tiny", "discriminator")
			m, report, err := checkpoints.Open(dir, checkpoints.OpenOptions{Formats: []checkpoints.Format{format}})
			if err != nil {
				t.Fatal(err)
			}
			if !m.Options.Has(debertav3.HeadRTD) {
				t.Fatalf("RTD head not detected: %+v", m.Options)
			}
			if _, ok := report.Ignored["deberta.embeddings.position_embeddings.weight"]; !ok || len(report.Unknown) > 0 {
				t.Errorf("report: ignored %v, unknown %v", report.Ignored, report.Unknown)
			}
			g := func(n string) *npy.Array { return golden(t, "official-tiny", n) }
			out, err := m.Forward(debertav3.Inputs{InputIDs: int32Tensor(g("disc_input_ids")), AttentionMask: int32Tensor(g("attention_mask"))})
			if err != nil {
				t.Fatal(err)
			}
			mask := g("attention_mask")
			check(t, "disc_last_hidden_state", out.LastHiddenState, g("disc_last_hidden_state"), mask, 0, 1)
			check(t, "rtd_logits", out.RTDLogits, g("rtd_logits"), mask, 0, 1)
		})
	}
}

// TestParityOfficialGenerator loads Microsoft's generator layout (generator_config.json +
// pytorch_model.generator.bin) and checks the Enhanced Mask Decoder against the official code at every position.
func TestParityOfficialGenerator(t *testing.T) {
	for _, format := range []checkpoints.Format{checkpoints.FormatSafetensors, checkpoints.FormatTorchBin} {
		t.Run(string(format), func(t *testing.T) {
			dir := testutil.Fixture("official-tiny", "generator")
			m, report, err := checkpoints.Open(dir, checkpoints.OpenOptions{Generator: true, Formats: []checkpoints.Format{format}, OutputHiddenStates: true})
			if err != nil {
				t.Fatal(err)
			}
			if !m.Options.EnhancedMaskDecoder || m.Options.MLMLayout != debertav3.MLMLMPredictions || len(report.Unknown)+len(report.Ignored) > 0 {
				t.Fatalf("options %+v, report %+v", m.Options, report)
			}
			g := func(n string) *npy.Array { return golden(t, "official-tiny", n) }
			out, err := m.Forward(debertav3.Inputs{InputIDs: int32Tensor(g("gen_input_ids")), AttentionMask: int32Tensor(g("attention_mask"))})
			if err != nil {
				t.Fatal(err)
			}
			mask := g("attention_mask")
			stacked := func(name string, ts []*tensors.Tensor) {
				want := g(name)
				per := len(want.F32) / want.Shape[0]
				for i, x := range ts {
					check(t, fmt.Sprintf("%s[%d]", name, i), x, &npy.Array{Shape: want.Shape[1:], F32: want.F32[i*per : (i+1)*per]}, mask, 0, 1)
				}
			}
			stacked("gen_hidden_states", out.HiddenStates)
			stacked("gen_emd_layers", out.EMDStates)
			check(t, "gen_logits_all", out.MLMLogits, g("gen_logits_all"), mask, 0, 1)
		})
	}
}
