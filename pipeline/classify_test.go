package pipeline

import (
	"math"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/deberta-go/lab/pipeline/tinymodels"
	"github.com/deberta-go/lab/tokenizer"
)

// TestClassify checks label names, order and scores against the model's logits, single- and multi-label.
func TestClassify(t *testing.T) {
	p := load(t, tinymodels.NLI, Options{})
	b, err := p.Encode(texts)
	if err != nil {
		t.Fatal(err)
	}
	out, err := p.Model.Forward(b.Inputs)
	if err != nil {
		t.Fatal(err)
	}
	logits := tensors.MustCopyFlatData[float32](out.Logits)
	for _, multi := range []bool{false, true} {
		got, err := p.Classify(texts, multi)
		if err != nil {
			t.Fatal(err)
		}
		for i, scores := range got {
			row := logits[i*3 : (i+1)*3]
			want := softmax(row)
			if multi {
				for j, v := range row {
					want[j] = 1 / (1 + math.Exp(-float64(v)))
				}
			}
			if len(scores) != 3 {
				t.Fatalf("text %d: %d labels, want 3", i, len(scores))
			}
			sum := 0.0
			for j, s := range scores {
				sum += s.Score
				if s.Label != p.Model.Config.ID2Label[s.ID] {
					t.Errorf("label id %d is named %q, id2label says %q", s.ID, s.Label, p.Model.Config.ID2Label[s.ID])
				}
				if math.Abs(s.Score-want[s.ID]) > 1e-6 {
					t.Errorf("multi=%v text %d %s: score %g, want %g", multi, i, s.Label, s.Score, want[s.ID])
				}
				if j > 0 && s.Score > scores[j-1].Score {
					t.Errorf("text %d: scores not sorted: %+v", i, scores)
				}
			}
			if !multi && math.Abs(sum-1) > 1e-9 {
				t.Errorf("text %d: softmax scores sum to %g", i, sum)
			}
		}
	}
	one, three := batchSizes(t, tinymodels.NLI, Options{}, func(p *Pipeline) ([][]LabelScore, error) {
		return p.ClassifyPairs([][2]string{{texts[0], texts[1]}, {texts[2], texts[3]}, {texts[4], "x"}, {"y", texts[2]}}, false)
	})
	for i := range one {
		for j := range one[i] {
			if one[i][j].ID != three[i][j].ID || math.Abs(one[i][j].Score-three[i][j].Score) > 1e-5 {
				t.Errorf("pair %d: batch 1 %+v, batch 3 %+v", i, one[i], three[i])
			}
		}
	}
}

func TestClassifyNeedsHead(t *testing.T) {
	p := load(t, tinymodels.NER, Options{})
	if _, err := p.Classify([]string{"x"}, false); err == nil || !strings.Contains(err.Error(), "sequence-classification") {
		t.Errorf("Classify on a token classifier: error %v", err)
	}
}

// TestLabelNames checks the HF default names when id2label lacks an id.
func TestLabelNames(t *testing.T) {
	p := load(t, tinymodels.NLI, Options{})
	if got := p.labelName(1); got != "neutral" {
		t.Errorf("labelName(1) = %q", got)
	}
	if got := p.labelName(7); got != "LABEL_7" {
		t.Errorf("labelName(7) = %q", got)
	}
}

func TestZeroShot(t *testing.T) {
	p := load(t, tinymodels.NLI, Options{})
	labels := []string{"politics", "sports", "cooking"}
	seqs := []string{"The minister resigned.", "A goal in the last minute."}
	for _, multi := range []bool{false, true} {
		got, err := p.ZeroShot(seqs, labels, "", multi)
		if err != nil {
			t.Fatal(err)
		}
		var pairs [][2]string
		for _, s := range seqs {
			for _, l := range labels {
				pairs = append(pairs, [2]string{s, "This example is " + l + "."})
			}
		}
		encs, err := p.encodePairs("test", pairs, tokenizer.TruncateOnlyFirst)
		if err != nil {
			t.Fatal(err)
		}
		logits, err := p.sequenceLogits("test", encs) // [entailment, neutral, contradiction]
		if err != nil {
			t.Fatal(err)
		}
		for i, scores := range got {
			rows := logits[i*3 : (i+1)*3]
			var want []float64
			if multi {
				for _, r := range rows {
					want = append(want, softmax([]float32{r[2], r[0]})[1])
				}
			} else {
				want = softmax([]float32{rows[0][0], rows[1][0], rows[2][0]})
			}
			for j, s := range scores {
				if s.Label != labels[s.ID] || math.Abs(s.Score-want[s.ID]) > 1e-6 {
					t.Errorf("multi=%v text %d: %+v, want label %q score %g", multi, i, s, labels[s.ID], want[s.ID])
				}
				if j > 0 && s.Score > scores[j-1].Score {
					t.Errorf("scores not sorted: %+v", scores)
				}
			}
		}
	}
	if _, err := p.ZeroShot(seqs, nil, "", false); err == nil {
		t.Error("no labels: no error")
	}
	if _, err := p.ZeroShot(seqs, labels, "no placeholder", false); err == nil || !strings.Contains(err.Error(), "{}") {
		t.Errorf("template without {}: error %v", err)
	}
	ner := load(t, tinymodels.NER, Options{})
	if _, err := ner.ZeroShot(seqs, labels, "", false); err == nil {
		t.Error("zero-shot with a token classifier: no error")
	}
}

func TestNLILabelIDs(t *testing.T) {
	cases := []struct {
		id2label      map[int]string
		multi         bool
		entail, contr int
		err           string
	}{
		{map[int]string{0: "entailment", 1: "neutral", 2: "contradiction"}, true, 0, 2, ""},
		{map[int]string{0: "CONTRADICTION", 1: "NEUTRAL", 2: "ENTAILMENT"}, true, 2, 0, ""},
		{map[int]string{0: "Entailment", 1: "not_entailment"}, false, 0, -1, ""},
		{map[int]string{0: "Entailment", 1: "not_entailment"}, true, 0, -1, `"contradict"`},
		{map[int]string{0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}, false, 0, 0, "{0: LABEL_0, 1: LABEL_1, 2: LABEL_2}"},
		{nil, false, 0, 0, "no id2label"},
		{map[int]string{0: "entailment", 1: "entails"}, false, 0, 0, "ambiguous"},
	}
	for i, c := range cases {
		e, k, err := NLILabelIDs(c.id2label, c.multi)
		switch {
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("case %d: error %v, want %q", i, err, c.err)
		case c.err == "" && err != nil:
			t.Errorf("case %d: %v", i, err)
		case c.err == "" && (e != c.entail || k != c.contr):
			t.Errorf("case %d: ids %d, %d, want %d, %d", i, e, k, c.entail, c.contr)
		}
	}
}
