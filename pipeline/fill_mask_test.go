package pipeline

import (
	"io"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/deberta-go/lab/checkpoints"
	"github.com/deberta-go/lab/internal/npy"
	"github.com/deberta-go/lab/internal/testutil"
	"github.com/deberta-go/lab/pipeline/tinymodels"
	"github.com/deberta-go/lab/tokenizer"
)

// TestFillMaskGenerator checks FillMask on the tiny generator against the model's own MLM logits: the best
// candidate is the argmax over the tokenizer's ids, scores are softmax probabilities in decreasing order.
func TestFillMaskGenerator(t *testing.T) {
	p := load(t, tinymodels.RTD, Options{Generator: true})
	if !p.Model.Options.EnhancedMaskDecoder {
		t.Fatal("the generator was not opened with the Enhanced Mask Decoder")
	}
	in := []string{"Paris is the [MASK] of France.", "[MASK] and [MASK] again"}
	const k = 5
	got, err := p.FillMask(in, k)
	if err != nil {
		t.Fatal(err)
	}
	b, err := p.Encode(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := p.Model.Forward(b.Inputs)
	if err != nil {
		t.Fatal(err)
	}
	logits := tensors.MustCopyFlatData[float32](out.MLMLogits)
	dims := out.MLMLogits.Shape().Dimensions
	seq, vocab := dims[1], dims[2]
	if vocab <= p.Tokenizer.VocabSize() {
		t.Fatalf("test setup: the model's vocab %d should exceed the tokenizer's %d", vocab, p.Tokenizer.VocabSize())
	}
	wantMasks := []int{1, 2}
	for i, preds := range got {
		if len(preds) != wantMasks[i] {
			t.Fatalf("text %d: %d mask predictions, want %d", i, len(preds), wantMasks[i])
		}
		for _, mp := range preds {
			if in[i][mp.Start:mp.End] != "[MASK]" || b.Encodings[i].InputIDs[mp.Position] != p.Tokenizer.SpecialIDs().Mask {
				t.Errorf("text %d: mask at position %d, bytes [%d,%d) %q", i, mp.Position, mp.Start, mp.End, in[i][mp.Start:mp.End])
			}
			row := logits[(i*seq+mp.Position)*vocab : (i*seq+mp.Position+1)*vocab]
			best, sum := 0, 0.0
			for id := range p.Tokenizer.VocabSize() {
				if row[id] > row[best] {
					best = id
				}
			}
			for _, v := range row {
				sum += math.Exp(float64(v - row[best]))
			}
			if len(mp.Candidates) != k {
				t.Fatalf("text %d: %d candidates, want %d", i, len(mp.Candidates), k)
			}
			c0 := mp.Candidates[0]
			if c0.TokenID != int32(best) {
				t.Errorf("text %d position %d: best candidate %d, argmax of the logits %d", i, mp.Position, c0.TokenID, best)
			}
			if want := 1 / sum; math.Abs(c0.Score-want) > 1e-6 {
				t.Errorf("text %d: best score %g, softmax %g", i, c0.Score, want)
			}
			for j, c := range mp.Candidates {
				if j > 0 && c.Score > mp.Candidates[j-1].Score {
					t.Errorf("text %d: candidates not in decreasing order: %+v", i, mp.Candidates)
				}
				if int(c.TokenID) >= p.Tokenizer.VocabSize() {
					t.Errorf("candidate id %d is not a tokenizer id", c.TokenID)
				}
				if tok, _ := p.Tokenizer.IDToToken(c.TokenID); c.Token != tok {
					t.Errorf("candidate %d: token %q, want %q", c.TokenID, c.Token, tok)
				}
				if want := in[i][:mp.Start] + c.Text + in[i][mp.End:]; c.Sequence != want {
					t.Errorf("sequence %q, want %q", c.Sequence, want)
				}
			}
		}
	}
	one, three := batchSizes(t, tinymodels.RTD, Options{Generator: true}, func(p *Pipeline) ([][]MaskPrediction, error) {
		return p.FillMask(append(in, "A [MASK] in a longer sentence, with more tokens to pad the others.", "[MASK]"), 3)
	})
	for i := range one {
		for j := range one[i] {
			for c := range one[i][j].Candidates {
				a, b := one[i][j].Candidates[c], three[i][j].Candidates[c]
				if a.TokenID != b.TokenID || math.Abs(a.Score-b.Score) > 1e-5 {
					t.Errorf("text %d mask %d: batch 1 gives %+v, batch 3 %+v", i, j, a, b)
				}
			}
		}
	}
}

// TestFillMaskOfficialGenerator checks the logits → top-k path on Microsoft's generator code's own outputs: the
// official-tiny EMD generator (vocab 128, mask id 127) on its golden inputs, against its golden logits.
func TestFillMaskOfficialGenerator(t *testing.T) {
	dir := testutil.Fixture("official-tiny", "generator")
	m, _, err := checkpoints.Open(dir, checkpoints.OpenOptions{Generator: true})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := tokenizer.Load(spmDir) // only for [PAD] and the pieces of ids < 128
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(m, tok, Options{}); err == nil || !strings.Contains(err.Error(), "vocab_size is 128") {
		t.Errorf("New with a tokenizer larger than the model: error %v, want a vocabulary mismatch", err)
	}
	p, err := newPipeline(m, tok, Options{Warnings: io.Discard, BatchSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	ids := readNPY(t, testutil.Fixture("official-tiny", "golden", "gen_input_ids.npy")).I64
	mask := readNPY(t, testutil.Fixture("official-tiny", "golden", "attention_mask.npy")).I64
	golden := readNPY(t, testutil.Fixture("official-tiny", "golden", "gen_logits_all.npy"))
	batch, seq, vocab := golden.Shape[0], golden.Shape[1], golden.Shape[2]
	encs := handEncodings(ids, mask, batch, seq)
	const k, maskID = 4, 127
	got, err := p.fillMask(encs, nil, maskID, k)
	if err != nil {
		t.Fatal(err)
	}
	masks := 0
	for b, preds := range got {
		for _, mp := range preds {
			masks++
			want := softmax(golden.F32[(b*seq+mp.Position)*vocab : (b*seq+mp.Position+1)*vocab])
			for j, c := range mp.Candidates {
				if math.Abs(c.Score-want[c.TokenID]) > 1e-5 {
					t.Errorf("row %d position %d: P(%d) = %g, official %g", b, mp.Position, c.TokenID, c.Score, want[c.TokenID])
				}
				for id, pr := range want {
					if pr > c.Score+1e-5 && !contains(mp.Candidates[:j], int32(id)) {
						t.Errorf("row %d position %d rank %d: id %d (official P %g) beats the candidate %d (%g)",
							b, mp.Position, j, id, pr, c.TokenID, c.Score)
					}
				}
			}
		}
	}
	if masks != 6 {
		t.Errorf("%d masked positions predicted, the fixture has 6", masks)
	}
}

// TestFillMaskRefusesDiscriminator: a discriminator carrying an (untrained) masked-LM head beside its RTD head,
// as the released checkpoints do, is refused, with where to find a generator.
func TestFillMaskRefusesDiscriminator(t *testing.T) {
	p := load(t, tinymodels.RTD, Options{})
	sd, err := checkpoints.ReadStateDict(p.Dir, checkpoints.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(sd.Keys(), "lm_predictions.lm_head.dense.weight") || !slices.Contains(sd.Keys(), "mask_predictions.dense.weight") {
		t.Fatalf("test setup: the discriminator should carry both head layouts, keys %v", sd.Keys())
	}
	_, err = p.FillMask([]string{"Paris is the [MASK] of France."}, 5)
	if err == nil {
		t.Fatal("FillMask on a discriminator: no error")
	}
	for _, want := range []string{"no masked-LM head", "--generator", "--generator-model", "Generator: true",
		"generator_config.json", "microsoft/deberta-v3-xsmall", "-small do not"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

func TestFillMaskErrors(t *testing.T) {
	p := load(t, tinymodels.RTD, Options{Generator: true})
	if _, err := p.FillMask([]string{"a [MASK]", "no mask here"}, 5); err == nil || !strings.Contains(err.Error(), "input 1") {
		t.Errorf("text without [MASK]: error %v", err)
	}
	if _, err := p.FillMask([]string{"a [MASK]"}, 0); err == nil {
		t.Error("topK 0: no error")
	}
}

func readNPY(t *testing.T, path string) *npy.Array {
	t.Helper()
	a, err := npy.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// handEncodings builds encodings of id rows without a tokenizer: every real position is a text token.
func handEncodings(ids, mask []int64, batch, seq int) []*tokenizer.Encoding {
	encs := make([]*tokenizer.Encoding, batch)
	for b := range encs {
		e := &tokenizer.Encoding{}
		for i := range seq {
			if mask[b*seq+i] == 0 {
				break
			}
			e.InputIDs = append(e.InputIDs, int32(ids[b*seq+i]))
			e.AttentionMask = append(e.AttentionMask, 1)
			e.TokenTypeIDs = append(e.TokenTypeIDs, 0)
			e.SequenceIDs = append(e.SequenceIDs, 0)
			e.WordIDs = append(e.WordIDs, int32(i))
			e.Tokens = append(e.Tokens, "")
			e.Offsets = append(e.Offsets, tokenizer.Offset{})
		}
		encs[b] = e
	}
	return encs
}

func contains(cs []Candidate, id int32) bool {
	for _, c := range cs {
		if c.TokenID == id {
			return true
		}
	}
	return false
}
