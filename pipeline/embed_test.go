package pipeline

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/deberta-go/lab/debertav3"
	"github.com/deberta-go/lab/pipeline/tinymodels"
)

func TestEmbed(t *testing.T) {
	p := load(t, tinymodels.RTD, Options{})
	raw, err := p.Embed(texts, false)
	if err != nil {
		t.Fatal(err)
	}
	unit, err := p.Embed(texts, true)
	if err != nil {
		t.Fatal(err)
	}
	// Reference: the mean of the text's own hidden states, run alone (no padding at all).
	for i, text := range texts {
		b, err := p.Encode([]string{text})
		if err != nil {
			t.Fatal(err)
		}
		out, err := p.Model.Forward(b.Inputs)
		if err != nil {
			t.Fatal(err)
		}
		h := tensors.MustCopyFlatData[float32](out.LastHiddenState)
		hidden := p.Model.Config.HiddenSize
		seq := len(h) / hidden
		want := make([]float64, hidden)
		for s := range seq {
			for j := range hidden {
				want[j] += float64(h[s*hidden+j]) / float64(seq)
			}
		}
		if len(raw[i]) != hidden {
			t.Fatalf("text %d: embedding of size %d, want %d", i, len(raw[i]), hidden)
		}
		if d := maxDiff(toF64(raw[i]), want); d > 1e-5 {
			t.Errorf("text %d: mean pooling differs from the unpadded mean by %g", i, d)
		}
		norm := 0.0
		for _, v := range want {
			norm += v * v
		}
		norm = math.Sqrt(norm)
		for j := range want {
			want[j] /= norm
		}
		if d := maxDiff(toF64(unit[i]), want); d > 1e-5 {
			t.Errorf("text %d: normalised embedding differs by %g", i, d)
		}
		n := 0.0
		for _, v := range unit[i] {
			n += float64(v) * float64(v)
		}
		if math.Abs(n-1) > 1e-5 {
			t.Errorf("text %d: |normalised| = %g", i, math.Sqrt(n))
		}
	}
	one, three := batchSizes(t, tinymodels.RTD, Options{}, func(p *Pipeline) ([][]float32, error) { return p.Embed(texts, true) })
	for i := range one {
		if d := maxDiff(one[i], three[i]); d > 1e-5 {
			t.Errorf("text %d: batch 1 and batch 3 embeddings differ by %g", i, d)
		}
	}
}

func toF64(x []float32) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out
}

// TestPaddingInvariance pads one text with many [PAD]s and checks the real positions' outputs do not move.
func TestPaddingInvariance(t *testing.T) {
	p := load(t, tinymodels.RTD, Options{})
	short := texts[0]
	alone, err := p.Encode([]string{short})
	if err != nil {
		t.Fatal(err)
	}
	padded, err := p.Encode([]string{short, strings.Repeat("long text ", 30)})
	if err != nil {
		t.Fatal(err)
	}
	n := alone.Encodings[0].Len()
	if padded.Inputs.InputIDs.Shape().Dimensions[1] < 3*n {
		t.Fatalf("test setup: padded length %v, want much longer than %d", padded.Inputs.InputIDs.Shape(), n)
	}
	ids := tensors.MustCopyFlatData[int32](padded.Inputs.InputIDs)
	if pad := p.Tokenizer.SpecialIDs().Pad; ids[n] != pad || padded.Mask[0][n] != 0 || padded.Mask[0][n-1] != 1 {
		t.Errorf("row 0 is not right-padded with [PAD]: ids %v mask %v", ids[:n+2], padded.Mask[0][:n+2])
	}
	run := func(b *Batch) *debertav3.Outputs {
		out, err := p.Model.Forward(b.Inputs)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	a, b := run(alone), run(padded)
	rtdA := tensors.MustCopyFlatData[float32](a.RTDLogits)
	rtdB := tensors.MustCopyFlatData[float32](b.RTDLogits)[:n]
	if d := maxDiff(rtdA, rtdB); d > 1e-5 {
		t.Errorf("RTD logits of the real tokens move by %g with padding", d)
	}
	hidden := p.Model.Config.HiddenSize
	hA := tensors.MustCopyFlatData[float32](a.LastHiddenState)
	hB := tensors.MustCopyFlatData[float32](b.LastHiddenState)[:n*hidden]
	if d := maxDiff(hA, hB); d > 1e-5 {
		t.Errorf("hidden states of the real tokens move by %g with padding", d)
	}
}

func TestTopIndices(t *testing.T) {
	scores := []float64{0.1, 0.5, 0.3, 0.5, 0.9, 0.0}
	if got := topIndices(scores, 3, nil); !slices.Equal(got, []int{4, 1, 3}) {
		t.Errorf("top 3 = %v, want [4 1 3]", got)
	}
	if got := topIndices(scores, 10, func(i int) bool { return i != 4 }); !slices.Equal(got, []int{1, 3, 2, 0, 5}) {
		t.Errorf("top 10 without 4 = %v", got)
	}
	if got := topIndices(scores, 0, nil); len(got) != 0 {
		t.Errorf("top 0 = %v", got)
	}
}

func TestDissect(t *testing.T) {
	p := load(t, tinymodels.RTD, Options{OutputAttentions: true, OutputScores: true})
	d, err := p.Dissect(texts[0])
	if err != nil {
		t.Fatal(err)
	}
	b, err := p.Encode(texts[:1])
	if err != nil {
		t.Fatal(err)
	}
	out, err := p.Model.Forward(b.Inputs)
	if err != nil {
		t.Fatal(err)
	}
	mags, err := debertav3.ScoreMagnitudes(out, b.Mask)
	if err != nil {
		t.Fatal(err)
	}
	cfg := p.Model.Config
	if len(d.Attention) != cfg.NumHiddenLayers || len(d.Shares[0]) != cfg.NumAttentionHeads || len(d.Tokens) != b.Encodings[0].Len() {
		t.Fatalf("dissection of %d layers × %d heads over %d tokens", len(d.Attention), len(d.Shares[0]), len(d.Tokens))
	}
	for l := range d.Magnitudes {
		// Averaged over heads, the per-head magnitudes are debertav3.ScoreMagnitudes.
		var mean [3]float64
		for h := range d.Magnitudes[l] {
			for k := range 3 {
				mean[k] += d.Magnitudes[l][h][k] / float64(cfg.NumAttentionHeads)
			}
			s := d.Shares[l][h]
			if math.Abs(s[0]+s[1]+s[2]-1) > 1e-9 || s[0] <= 0 || s[1] <= 0 || s[2] <= 0 {
				t.Errorf("layer %d head %d: shares %v", l, h, s)
			}
			for q, row := range d.Attention[l][h] {
				sum := 0.0
				for _, v := range row {
					sum += v
				}
				if math.Abs(sum-1) > 1e-5 {
					t.Errorf("layer %d head %d query %d: attention sums to %g", l, h, q, sum)
				}
			}
		}
		for k := range 3 {
			if math.Abs(mean[k]-mags[l][k]) > 1e-5*math.Max(1, mags[l][k]) {
				t.Errorf("layer %d %s: mean over heads %g, ScoreMagnitudes %g", l, debertav3.ScoreTerms[k], mean[k], mags[l][k])
			}
		}
	}
	plain := load(t, tinymodels.RTD, Options{})
	if _, err := plain.Dissect("x"); err == nil || !strings.Contains(err.Error(), "OutputScores") {
		t.Errorf("Dissect without score outputs: error %v", err)
	}
}
