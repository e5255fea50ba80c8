package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/deberta-go/lab/data"
	"github.com/deberta-go/lab/defaultmodel"
)

// TestEvalRTD runs eval-rtd with the built-in model on a small text: the diagnostics are in range and
// consistent (prior = replaced / tokens), the same seed gives the same line, another seed other masks.
func TestEvalRTD(t *testing.T) {
	t.Setenv(defaultmodel.CacheDirEnv, t.TempDir())
	text := filepath.Join(t.TempDir(), "text.txt")
	var b strings.Builder
	for i := range 30 {
		fmt.Fprintf(&b, "The ship %d sailed north along the coast, and the crew watched the whales and the ice.\n\n", i)
	}
	if err := os.WriteFile(text, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"--batch", "2", "--seq", "32", "--max-batches", "3", text}
	run := func(extra ...string) evalRTDResult {
		res := runJSON[evalRTDResult](t, runEvalRTD, "", append(extra, args...)...)
		if len(res) != 1 {
			t.Fatalf("%d lines", len(res))
		}
		return res[0]
	}
	a, again, other := run(), run(), run("--seed", "2")
	t.Logf("%+v", a)
	if a.Batches != 3 || a.Tokens < 100 || a.Replaced == 0 || a.AUC < 0 || a.AUC > 1 || a.SampledAcc < 0 || a.SampledAcc > 1 ||
		a.Prior != float64(a.Replaced)/float64(a.Tokens) || !strings.HasSuffix(a.Generator, "generator") {
		t.Errorf("result %+v", a)
	}
	if a != again {
		t.Errorf("same seed, different results:\n%+v\n%+v", a, again)
	}
	if other.RTDStats == a.RTDStats {
		t.Errorf("seeds 1 and 2 gave the same result %+v", a)
	}
	// The same model in Microsoft's layout (one folder, the generator's files named generator_*) gives the same.
	ms := t.TempDir()
	for _, c := range [][3]string{{"discriminator", "config.json", "config.json"}, {"discriminator", "model.safetensors", "model.safetensors"},
		{"discriminator", "spm.model", "spm.model"}, {"generator", "config.json", "generator_config.json"},
		{"generator", "model.safetensors", "model.generator.safetensors"}} {
		src := a.Discriminator
		if c[0] == "generator" {
			src = a.Generator
		}
		b, err := os.ReadFile(filepath.Join(src, c[1]))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(ms, c[2]), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if one := run("--model", ms); one.RTDStats != a.RTDStats || one.Generator != ms {
		t.Errorf("one folder: %+v, want the stats of %+v", one, a)
	}
	if a.FillTop1 > a.FillTop5 || a.FillTop5 <= 0 || a.FillTop5 > 1 {
		t.Errorf("fill-mask top-1 %g, top-5 %g", a.FillTop1, a.FillTop5)
	}
	for _, bad := range [][]string{{"--batch", "2"}, {"--held-out", text}, {"--seq", "4096", text}, {"--model", t.TempDir(), text}, {"--mask-rate", "0", text}} {
		if _, err := runWithStdin(runEvalRTD, "", bad...); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
}

// TestCorrupt: each used slot gets the sample of its position's softmax (here all mass on one token); unused
// slots change nothing; a sample equal to the original is labelled 0.
func TestCorrupt(t *testing.T) {
	const vocab = 5
	ids := []int32{1, 7, 8, 9, 2, 1, 6, 6, 2, 0}
	m := &data.Masked{Size: 2, SeqLen: 5, Slots: 2, Positions: []int32{1, 3, 2, 0}, Weights: []float32{1, 1, 1, 0}}
	logits := make([]float32, len(ids)*vocab)
	for i, k := range map[int]int{1: 4, 3: 3, 7: 6 % vocab, 5: 0} { // position → the token it samples
		logits[i*vocab+k] = 100
	}
	ids[7] = 1 // the sample at row 1, position 2 (flat 7) equals the original
	out, labels, same := corrupt(ids, m, logits, vocab, 1, rand.New(rand.NewPCG(1, 1)))
	wantIDs := []int32{1, 4, 8, 3, 2, 1, 6, 1, 2, 0}
	wantLabels := []float32{0, 1, 0, 1, 0, 0, 0, 0, 0, 0}
	if !slices.Equal(out, wantIDs) || !slices.Equal(labels, wantLabels) || !slices.Equal(same, []bool{false, false, true}) {
		t.Errorf("corrupt: ids %v labels %v same %v; want %v %v [false false true]", out, labels, same, wantIDs, wantLabels)
	}
}

// TestFillRanks: the original's rank among its position's logits decides top-1 / top-5; a tie ranks the lower id
// first; unused slots are not counted.
func TestFillRanks(t *testing.T) {
	const vocab = 8
	ids := []int32{3, 5, 0, 7}
	m := &data.Masked{Size: 1, SeqLen: 4, Slots: 4, Positions: []int32{0, 1, 2, 3}, Weights: []float32{1, 1, 1, 0}}
	logits := make([]float32, len(ids)*vocab)
	row := func(i int) []float32 { return logits[i*vocab : (i+1)*vocab] }
	row(0)[3] = 9                                     // position 0: the original is the top → top-1
	copy(row(1), []float32{6, 5, 4, 3, 2.5, 2, 0, 0}) // original 5 (logit 2) has 5 above → neither
	copy(row(2), []float32{1, 1, 1, 1, 1, 1, 1, 1})   // original 0 ties all, lowest id → top-1
	row(3)[0] = 9                                     // unused slot
	if t1, t5 := fillRanks(ids, m, logits, vocab); t1 != 2 || t5 != 2 {
		t.Errorf("top-1 %d, top-5 %d; want 2, 2", t1, t5)
	}
	row(1)[0] = 0 // now 4 logits above the original's: top-5, not top-1
	if t1, t5 := fillRanks(ids, m, logits, vocab); t1 != 2 || t5 != 3 {
		t.Errorf("top-1 %d, top-5 %d; want 2, 3", t1, t5)
	}
}
