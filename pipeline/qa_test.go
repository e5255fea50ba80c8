package pipeline

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/deberta-go/lab/pipeline/tinymodels"
	"github.com/deberta-go/lab/tokenizer"
)

// TestDecodeSpans checks span decoding on constructed logits: [CLS] q q [SEP] c c c c c [SEP].
func TestDecodeSpans(t *testing.T) {
	allowed := []bool{false, false, false, false, true, true, true, true, true, false}
	//                  CLS    q1     q2     SEP    c4    c5    c6    c7    c8    SEP
	start := []float32{9, 8, 0, 0, 2, 0, 1, 0, 0, 9}
	end := []float32{9, 0, 8, 0, 0, 0, 2, 0, 1, 9}
	got := decodeSpans(start, end, allowed, 3, 5)
	// The question and special tokens (highest logits) never appear; the best span is c4..c6.
	want := []int{4, 6, 6, 6, 4, 8}
	for i := 0; i < 3; i++ {
		if got[i].start != want[2*i] || got[i].end != want[2*i+1] {
			t.Fatalf("n-best %v, want spans %v", got, want)
		}
	}
	// Scores: softmax over the 5 context tokens for start and end, multiplied.
	ps, pe := softmax(start[4:9]), softmax(end[4:9])
	if s := got[0].score; math.Abs(s-ps[0]*pe[2]) > 1e-12 {
		t.Errorf("best score %g, want %g", s, ps[0]*pe[2])
	}
	for i := 1; i < len(got); i++ {
		if got[i].score > got[i-1].score {
			t.Errorf("n-best not sorted: %v", got)
		}
	}
	// Max answer length: with 2 tokens c4..c6 (3 tokens) is out; start > end never appears.
	for _, s := range decodeSpans(start, end, allowed, 100, 2) {
		if s.end-s.start+1 > 2 || s.start > s.end || !allowed[s.start] || !allowed[s.end] {
			t.Errorf("span %+v breaks a constraint", s)
		}
	}
	if n := len(decodeSpans(start, end, allowed, 100, 2)); n != 5+4 {
		t.Errorf("%d spans of length ≤ 2 over 5 tokens, want 9", n)
	}
	if n := len(decodeSpans(start, end, allowed, 100, 100)); n != 15 {
		t.Errorf("%d spans over 5 tokens, want 15", n)
	}
	// An end logit peaked before the start logit: the best pair (2, 1) is reversed and excluded.
	got = decodeSpans([]float32{0, 0, 5}, []float32{0, 5, 0}, []bool{true, true, true}, 10, 5)
	for _, s := range got {
		if s.start > s.end {
			t.Errorf("reversed span %+v", s)
		}
	}
	if len(got) != 6 {
		t.Errorf("%d spans over 3 tokens, want 6", len(got))
	}
	// Against brute force on random logits.
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 20 {
		n := 3 + rng.IntN(12)
		st, en, ok := make([]float32, n), make([]float32, n), make([]bool, n)
		for i := range n {
			st[i], en[i], ok[i] = float32(rng.NormFloat64()*3), float32(rng.NormFloat64()*3), rng.IntN(4) != 0
		}
		maxLen, k := 1+rng.IntN(4), 1+rng.IntN(5)
		var idx []int
		for i, o := range ok {
			if o {
				idx = append(idx, i)
			}
		}
		var all []span
		for a := range idx {
			for b := range idx {
				if idx[a] <= idx[b] && idx[b]-idx[a] < maxLen {
					all = append(all, span{idx[a], idx[b], 0})
				}
			}
		}
		got := decodeSpans(st, en, ok, k, maxLen)
		if len(got) != min(k, len(all)) {
			t.Fatalf("trial %d: %d spans, want %d", trial, len(got), min(k, len(all)))
		}
		ps, pe := map[int]float64{}, map[int]float64{}
		sub := func(x []float32) []float32 {
			var out []float32
			for _, i := range idx {
				out = append(out, x[i])
			}
			return out
		}
		for j, v := range softmax(sub(st)) {
			ps[idx[j]] = v
		}
		for j, v := range softmax(sub(en)) {
			pe[idx[j]] = v
		}
		for i := range all {
			all[i].score = ps[all[i].start] * pe[all[i].end]
		}
		slices.SortStableFunc(all, func(a, b span) int { return cmp.Compare(b.score, a.score) })
		for i, s := range got {
			if math.Abs(s.score-all[i].score) > 1e-12 {
				t.Errorf("trial %d rank %d: %+v, brute force %+v", trial, i, s, all[i])
			}
		}
	}
	// Ties are ordered by start, then end.
	got = decodeSpans([]float32{0, 0}, []float32{0, 0}, []bool{true, true}, 3, 5)
	if len(got) != 3 || got[0] != (span{0, 0, 0.25}) || got[1] != (span{0, 1, 0.25}) || got[2] != (span{1, 1, 0.25}) {
		t.Errorf("ties: %+v", got)
	}
	if decodeSpans(start, end, make([]bool, len(start)), 3, 5) != nil {
		t.Error("no context token: spans returned")
	}
}

func TestQA(t *testing.T) {
	p := load(t, tinymodels.QA, Options{})
	questions := []string{"Where is the Eiffel tower?", "Who wrote it?", "What?"}
	contexts := []string{"The Eiffel tower is in Paris, the capital of France.", "  It was written by   Ada Lovelace in 1843.  ", "Nothing."}
	got, err := p.QA(questions, contexts, 4, 3)
	if err != nil {
		t.Fatal(err)
	}
	b, err := p.encodePairs("test", [][2]string{{questions[0], contexts[0]}, {questions[1], contexts[1]}, {questions[2], contexts[2]}}, tokenizer.TruncateOnlySecond)
	if err != nil {
		t.Fatal(err)
	}
	for i, answers := range got {
		if len(answers) == 0 || len(answers) > 4 {
			t.Fatalf("question %d: %d answers", i, len(answers))
		}
		for j, a := range answers {
			e := b[i]
			if a.Text != contexts[i][a.Start:a.End] || a.Text != strings.TrimSpace(a.Text) {
				t.Errorf("question %d: answer %+v does not match the context bytes", i, a)
			}
			if e.SequenceIDs[a.StartToken] != 1 || e.SequenceIDs[a.EndToken] != 1 || a.EndToken-a.StartToken+1 > 3 || a.StartToken > a.EndToken {
				t.Errorf("question %d: span %d..%d outside the context or too long", i, a.StartToken, a.EndToken)
			}
			if j > 0 && a.Score > answers[j-1].Score {
				t.Errorf("question %d: answers not sorted", i)
			}
		}
	}
	one, three := batchSizes(t, tinymodels.QA, Options{}, func(p *Pipeline) ([][]Answer, error) { return p.QA(questions, contexts, 2, 0) })
	for i := range one {
		for j := range one[i] {
			a, b := one[i][j], three[i][j]
			if a.StartToken != b.StartToken || a.EndToken != b.EndToken || math.Abs(a.Score-b.Score) > 1e-5 {
				t.Errorf("question %d answer %d: batch 1 %+v, batch 3 %+v", i, j, a, b)
			}
		}
	}
	if _, err := p.QA(questions, contexts[:1], 1, 1); err == nil {
		t.Error("3 questions, 1 context: no error")
	}
	if _, err := p.QA(questions, contexts, -1, 1); err == nil {
		t.Error("negative topK: no error")
	}
}
