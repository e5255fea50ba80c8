package finetune

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/deberta-go/lab/data"
	"github.com/deberta-go/lab/internal/testutil"
	"github.com/deberta-go/lab/pipeline/tinymodels"
)

// tinyModel writes a tiny random-weight model (2 layers, width 32) with the test SentencePiece vocabulary.
func tinyModel(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	spm := filepath.Join(testutil.RepoRoot(), "tokenizer", "testdata", "spm-bytefallback")
	if err := tinymodels.Write(dir, tinymodels.RTD, spm, 1); err != nil {
		t.Fatal(err)
	}
	return dir
}

var (
	positiveWords = []string{"good", "great", "fine", "lovely", "happy"}
	negativeWords = []string{"bad", "awful", "poor", "sad", "terrible"}
	fillerWords   = []string{"the", "movie", "was", "really", "a", "day", "and", "it", "so", "very"}
)

// sentimentExamples: the label is whether the one sentiment word is positive or negative.
func sentimentExamples(n int, seed uint64) []data.ClassExample {
	rng := rand.New(rand.NewPCG(seed, 1))
	out := make([]data.ClassExample, n)
	for i := range out {
		words := make([]string, 6)
		for j := range words {
			words[j] = fillerWords[rng.IntN(len(fillerWords))]
		}
		label, pool := "pos", positiveWords
		if rng.IntN(2) == 0 {
			label, pool = "neg", negativeWords
		}
		words[rng.IntN(len(words))] = pool[rng.IntN(len(pool))]
		text := ""
		for j, w := range words {
			if j > 0 {
				text += " "
			}
			text += w
		}
		id := fmt.Sprintf("s%d-%d", seed, i)
		out[i] = data.ClassExample{ID: id, Group: id, Text: text, Labels: []string{label}}
	}
	return out
}

// TestFineTuneClassificationLearns: a tiny random model fine-tuned for 80 steps on a keyword task reaches
// ≥ 90% dev accuracy (chance 50%), keeps the best weights and reports a test evaluation.
func TestFineTuneClassificationLearns(t *testing.T) {
	task := &Task{Name: "sentiment", Kind: KindClassification, Labels: []string{"neg", "pos"},
		Train: sentimentExamples(320, 1), Dev: sentimentExamples(64, 2), Test: sentimentExamples(64, 3)}
	opts := DefaultOptions()
	opts.MaxLength, opts.BatchSize, opts.Steps, opts.EvalEvery, opts.LR = 16, 16, 160, 40, 2e-3
	opts.OnStep = PrintProgress(testWriter{t})
	tr, err := New(tinyModel(t), task, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.NewHeads()) == 0 {
		t.Errorf("no newly initialised head keys reported")
	}
	res, err := tr.Train()
	if err != nil {
		t.Fatal(err)
	}
	t.Log(res.Summary())
	if res.Dev.Score < 0.9 || res.Test == nil || res.Test.Score < 0.85 {
		t.Errorf("dev accuracy %.3f (want ≥ 0.9), test %+v", res.Dev.Score, res.Test)
	}
	if len(res.History) != 4 || res.History[0].TrainLoss <= res.History[3].TrainLoss {
		t.Errorf("history %+v: want 4 evaluations with a falling training loss", res.History)
	}
	// The restored weights are the best ones: evaluating dev again gives the best score.
	again, err := tr.Evaluate("dev")
	if err != nil {
		t.Fatal(err)
	}
	if again.Score != res.Dev.Score {
		t.Errorf("dev after Train %.4f, best %.4f", again.Score, res.Dev.Score)
	}
	// Export → load: the saved folder has the head (nothing newly initialised) and scores the same.
	saved := filepath.Join(t.TempDir(), "model")
	if err := tr.Save(saved, "F32"); err != nil {
		t.Fatal(err)
	}
	loaded, err := New(saved, task, opts)
	if err != nil {
		t.Fatal(err)
	}
	if heads := loaded.NewHeads(); len(heads) != 0 {
		t.Errorf("saved model lacks %v", heads)
	}
	dev, err := loaded.Evaluate("dev")
	if err != nil {
		t.Fatal(err)
	}
	if dev.Score != res.Dev.Score || dev.Class.MacroF1 != res.Dev.Class.MacroF1 {
		t.Errorf("reloaded dev %.4f / macro-F1 %.4f, trained %.4f / %.4f", dev.Score, dev.Class.MacroF1, res.Dev.Score, res.Dev.Class.MacroF1)
	}
}

// testWriter sends progress lines to t.Log.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) { w.t.Log(string(p)); return len(p), nil }

// TestNewFromGeneratorFolder: a generator-only export (generator_config.json + model.safetensors, as
// pretrain.ExportGenerator writes for an MLM-only run) fine-tunes like a discriminator folder.
func TestNewFromGeneratorFolder(t *testing.T) {
	dir := tinyModel(t)
	if err := os.Rename(filepath.Join(dir, "config.json"), filepath.Join(dir, "generator_config.json")); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"model.generator.safetensors"} {
		if err := os.Remove(filepath.Join(dir, f)); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	task := &Task{Name: "sentiment", Kind: KindClassification, Labels: []string{"neg", "pos"},
		Train: sentimentExamples(32, 1), Dev: sentimentExamples(16, 2)}
	opts := DefaultOptions()
	opts.MaxLength, opts.Steps = 16, 1
	tr, err := New(dir, task, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.NewHeads()) == 0 {
		t.Error("no new head reported")
	}
	if _, err := tr.Train(); err != nil {
		t.Fatal(err)
	}
}
