package debertav3

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// tinyConfig is a small random-weights architecture for structural tests.
func tinyConfig(t *testing.T, overrides string) *Config {
	t.Helper()
	base := `{"vocab_size": 50, "hidden_size": 16, "num_hidden_layers": 2, "num_attention_heads": 2,
		"intermediate_size": 24, "max_position_embeddings": 32, "position_buckets": 8, "num_labels": 3`
	cfg, err := ParseConfig([]byte(base + overrides + "}"))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func ids(batch, seq int, extraDims ...int) *tensors.Tensor {
	dims := append(append([]int{batch}, extraDims...), seq)
	n := 1
	for _, d := range dims {
		n *= d
	}
	data := make([]int32, n)
	for i := range data {
		data[i] = int32(1 + i%40)
	}
	return tensors.FromFlatDataAndDimensions(data, dims...)
}

func ones(like *tensors.Tensor) *tensors.Tensor {
	data := make([]int32, like.Shape().Size())
	for i := range data {
		data[i] = 1
	}
	return tensors.FromFlatDataAndDimensions(data, like.Shape().Dimensions...)
}

// TestParamSpecsMatchGraph checks the explicit parameter table against the variables the graph really creates,
// for v3, v2-style and embed_proj configurations and every head.
func TestParamSpecsMatchGraph(t *testing.T) {
	configs := map[string]string{
		"v3":          ``,
		"v2-style":    `, "position_biased_input": true, "share_att_key": false, "norm_rel_ebd": "none", "position_buckets": -1, "type_vocab_size": 2`,
		"embed_proj":  `, "embedding_size": 8`,
		"c2p-only":    `, "pos_att_type": "c2p", "share_att_key": false`,
		"no-relative": `, "relative_attention": false`,
	}
	headSets := []Options{
		{},
		{Heads: []Head{HeadMaskedLM, HeadRTD, HeadQuestionAnswering, HeadSequenceClassification}},
		{Heads: []Head{HeadMaskedLM, HeadTokenClassification}, MLMLayout: MLMLMPredictions},
		{Heads: []Head{HeadMultipleChoice}},
		{Heads: []Head{HeadMaskedLM}, MLMLayout: MLMLMPredictions, EnhancedMaskDecoder: true},
		{Heads: []Head{HeadRTDElectra}},
	}
	for name, overrides := range configs {
		for _, opts := range headSets {
			if opts.EnhancedMaskDecoder && name == "embed_proj" {
				continue // the EMD needs embedding_size == hidden_size (New refuses it).
			}
			t.Run(fmt.Sprintf("%s/%v", name, opts.Heads), func(t *testing.T) {
				cfg := tinyConfig(t, overrides)
				m, err := New(cfg, opts)
				if err != nil {
					t.Fatal(err)
				}
				x := ids(2, 5)
				if opts.Has(HeadMultipleChoice) {
					x = ids(2, 5, 3)
				}
				if _, err := m.Forward(Inputs{InputIDs: x, AttentionMask: ones(x)}); err != nil {
					t.Fatal(err)
				}
				var got, want []string
				m.Context.EnumerateVariables(func(v *context.Variable) {
					if strings.HasPrefix(v.Name(), "#") { // GoMLX internals, e.g. the RNG state.
						return
					}
					got = append(got, fmt.Sprintf("%s/%s%v", v.Scope(), v.Name(), v.Shape().Dimensions))
				})
				for _, p := range ParamSpecs(cfg, opts) {
					want = append(want, fmt.Sprintf("%s/%s%v", p.Scope, p.Name, p.Shape))
				}
				sort.Strings(got)
				sort.Strings(want)
				if !slices.Equal(got, want) {
					t.Errorf("graph variables and ParamSpecs differ:\n graph: %s\n table: %s", strings.Join(got, " "), strings.Join(want, " "))
				}
			})
		}
	}
}

func TestForwardShapesAndErrors(t *testing.T) {
	cfg := tinyConfig(t, "")
	m, err := New(cfg, Options{Heads: []Head{HeadMaskedLM, HeadRTD, HeadQuestionAnswering, HeadTokenClassification}, OutputHiddenStates: true, OutputAttentions: true, OutputScores: true})
	if err != nil {
		t.Fatal(err)
	}
	x := ids(3, 7)
	out, err := m.Forward(Inputs{InputIDs: x, AttentionMask: ones(x)})
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		got  *tensors.Tensor
		want []int
	}{
		"last_hidden_state": {out.LastHiddenState, []int{3, 7, 16}},
		"mlm_logits":        {out.MLMLogits, []int{3, 7, 50}},
		"rtd_logits":        {out.RTDLogits, []int{3, 7}},
		"start_logits":      {out.StartLogits, []int{3, 7}},
		"token logits":      {out.Logits, []int{3, 7, 3}},
		"attentions[1]":     {out.Attentions[1], []int{3, 2, 7, 7}},
		"c2p[0]":            {out.C2P[0], []int{3, 2, 7, 7}},
	} {
		if !slices.Equal(c.got.Shape().Dimensions, c.want) {
			t.Errorf("%s: shape %v, want %v", name, c.got.Shape().Dimensions, c.want)
		}
	}
	if len(out.HiddenStates) != 3 || len(out.Attentions) != 2 {
		t.Errorf("%d hidden states, %d attentions", len(out.HiddenStates), len(out.Attentions))
	}
	bad := []Inputs{
		{InputIDs: x},
		{InputIDs: x, AttentionMask: ones(ids(3, 6))},
		{InputIDs: ids(3, 7, 2), AttentionMask: ones(ids(3, 7, 2))},
		{InputIDs: x, AttentionMask: ones(x), TokenTypeIDs: ids(2, 7)},
	}
	for i, in := range bad {
		if _, err := m.Forward(in); err == nil {
			t.Errorf("bad input %d: no error", i)
		}
	}
	for _, empty := range []*tensors.Tensor{ids(0, 6), ids(1, 0)} {
		if _, err := m.Forward(Inputs{InputIDs: empty, AttentionMask: ones(empty)}); err == nil || !strings.Contains(err.Error(), "empty batch or sequence") {
			t.Errorf("input_ids %v: error %v, want one about an empty batch or sequence", empty.Shape(), err)
		}
	}
	if _, err := New(cfg, Options{Heads: []Head{HeadSequenceClassification, HeadTokenClassification}}); err == nil {
		t.Error("two heads owning \"classifier\": no error")
	}
	if _, err := New(cfg, Options{Heads: []Head{HeadRTD, HeadRTDElectra}}); err == nil {
		t.Error("both RTD heads: no error")
	}
}

func TestScoreMagnitudes(t *testing.T) {
	cfg := tinyConfig(t, `, "pos_att_type": "c2p"`)
	m, err := New(cfg, Options{OutputScores: true})
	if err != nil {
		t.Fatal(err)
	}
	x := ids(2, 5)
	mask := [][]int32{{1, 1, 1, 1, 1}, {1, 1, 1, 0, 0}}
	out, err := m.Forward(Inputs{InputIDs: x, AttentionMask: tensors.FromValue(mask)})
	if err != nil {
		t.Fatal(err)
	}
	mags, err := ScoreMagnitudes(out, mask)
	if err != nil {
		t.Fatal(err)
	}
	if len(mags) != 2 || mags[0][0] <= 0 || mags[0][1] <= 0 || mags[0][2] != 0 {
		t.Errorf("magnitudes %v: want c2c, c2p > 0 and no p2c", mags)
	}
	if _, err := ScoreMagnitudes(&Outputs{}, mask); err == nil {
		t.Error("no scores: no error")
	}
}
