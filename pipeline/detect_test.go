package pipeline

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/deberta-go/lab/checkpoints"
	"github.com/deberta-go/lab/debertav3"
	"github.com/deberta-go/lab/internal/testutil"
	"github.com/deberta-go/lab/pipeline/tinymodels"
	"github.com/deberta-go/lab/tokenizer"
)

// TestDetect checks Detect against the model's RTD logits, token by token, and the token offsets.
func TestDetect(t *testing.T) {
	p := load(t, tinymodels.RTD, Options{})
	got, err := p.Detect(texts)
	if err != nil {
		t.Fatal(err)
	}
	b, err := p.Encode(texts)
	if err != nil {
		t.Fatal(err)
	}
	out, err := p.Model.Forward(b.Inputs)
	if err != nil {
		t.Fatal(err)
	}
	logits := tensors.MustCopyFlatData[float32](out.RTDLogits)
	seq := out.RTDLogits.Shape().Dimensions[1]
	for i, scores := range got {
		e := b.Encodings[i]
		if len(scores) != e.Len()-2 {
			t.Errorf("text %d: %d scores for %d text tokens", i, len(scores), e.Len()-2)
		}
		for j, s := range scores {
			if s.Index != j+1 || s.TokenID != e.InputIDs[j+1] || s.Token != e.Tokens[j+1] {
				t.Errorf("text %d score %d: %+v, encoding token %d %q", i, j, s, e.InputIDs[j+1], e.Tokens[j+1])
			}
			if want := 1 / (1 + math.Exp(-float64(logits[i*seq+s.Index]))); math.Abs(s.Score-want) > 1e-6 {
				t.Errorf("text %d token %d: score %g, sigmoid(logit) %g", i, s.Index, s.Score, want)
			}
			if s.Start < 0 || s.End > len(texts[i]) || s.Start > s.End {
				t.Errorf("text %d token %d: offsets [%d, %d) outside the text", i, s.Index, s.Start, s.End)
			}
		}
	}
	// Padding and batching do not change the scores.
	one, three := batchSizes(t, tinymodels.RTD, Options{}, func(p *Pipeline) ([][]TokenScore, error) { return p.Detect(texts) })
	for i := range one {
		for j := range one[i] {
			if d := math.Abs(one[i][j].Score - three[i][j].Score); d > 1e-5 || one[i][j].Index != three[i][j].Index {
				t.Errorf("text %d token %d: batch 1 %+v, batch 3 %+v", i, j, one[i][j], three[i][j])
			}
		}
	}
}

// TestDetectOfficialDiscriminator compares Detect's scores with the official discriminator's RTD logits.
func TestDetectOfficialDiscriminator(t *testing.T) {
	m, _, err := checkpoints.Open(testutil.Fixture("official-tiny", "discriminator"), checkpoints.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := tokenizer.Load(spmDir)
	if err != nil {
		t.Fatal(err)
	}
	p, err := newPipeline(m, tok, Options{BatchSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	ids := readNPY(t, testutil.Fixture("official-tiny", "golden", "disc_input_ids.npy"))
	mask := readNPY(t, testutil.Fixture("official-tiny", "golden", "attention_mask.npy")).I64
	golden := readNPY(t, testutil.Fixture("official-tiny", "golden", "rtd_logits.npy")).F32
	seq := ids.Shape[1]
	got, err := p.detect(handEncodings(ids.I64, mask, ids.Shape[0], seq))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for b, scores := range got {
		for _, s := range scores {
			n++
			want := 1 / (1 + math.Exp(-float64(golden[b*seq+s.Index])))
			if math.Abs(s.Score-want) > 1e-5 {
				t.Errorf("row %d token %d: P(replaced) %g, official %g", b, s.Index, s.Score, want)
			}
		}
	}
	if n != 20+13+6 {
		t.Errorf("%d tokens scored, want 39", n)
	}
}

func TestDetectNeedsRTDHead(t *testing.T) {
	p := load(t, tinymodels.NLI, Options{})
	if _, err := p.Detect([]string{"x"}); err == nil || !strings.Contains(err.Error(), "rtd") {
		t.Errorf("Detect on a classifier: error %v, want one naming the rtd head", err)
	}
}

// TestTruncationWarning checks long inputs are cut to MaxLength with one warning each.
func TestTruncationWarning(t *testing.T) {
	var warnings bytes.Buffer
	p := load(t, tinymodels.RTD, Options{MaxLength: 8, Warnings: &warnings})
	long := "one two three four five six seven eight nine ten"
	got, err := p.Detect([]string{"short", long})
	if err != nil {
		t.Fatal(err)
	}
	if len(got[1]) != 6 {
		t.Errorf("truncated input has %d text tokens, want 8 − 2", len(got[1]))
	}
	w := warnings.String()
	if strings.Count(w, "\n") != 1 || !strings.Contains(w, "input 1") || !strings.Contains(w, "truncated to MaxLength 8") {
		t.Errorf("warnings %q, want one line about input 1", w)
	}
	warnings.Reset()
	if _, err := p.Detect([]string{"short"}); err != nil || warnings.Len() != 0 {
		t.Errorf("short input: err %v, warnings %q", err, warnings.String())
	}
	// Pairs: QA truncates the context only.
	warnings.Reset()
	q := load(t, tinymodels.QA, Options{MaxLength: 10, Warnings: &warnings})
	answers, err := q.QA([]string{"who?"}, []string{long}, 3, 5)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(warnings.String(), "truncated") || len(answers[0]) == 0 {
		t.Errorf("QA truncation: warnings %q, answers %v", warnings.String(), answers)
	}
}

// TestDetectElectraHead: a discriminator with ELECTRA's discriminator_predictions head (deberta pretrain
// --rtd-head electra) is accepted, and its scores are the sigmoid of its logits.
func TestDetectElectraHead(t *testing.T) {
	tok, err := tokenizer.Load(spmDir)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := tinymodels.Config(tok.VocabSize(), nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := debertav3.New(cfg, debertav3.Options{Heads: []debertav3.Head{debertav3.HeadRTDElectra}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(m, tok, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := p.Detect(texts[:1])
	if err != nil {
		t.Fatal(err)
	}
	b, err := p.Encode(texts[:1])
	if err != nil {
		t.Fatal(err)
	}
	out, err := m.Forward(b.Inputs)
	if err != nil {
		t.Fatal(err)
	}
	logits := tensors.MustCopyFlatData[float32](out.RTDLogits)
	for _, s := range got[0] {
		if want := 1 / (1 + math.Exp(-float64(logits[s.Index]))); math.Abs(s.Score-want) > 1e-6 {
			t.Errorf("token %d: score %g, sigmoid(logit) %g", s.Index, s.Score, want)
		}
	}
}
