package finetune

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/deberta-go/lab/checkpoints"
	"github.com/deberta-go/lab/debertav3"
	"github.com/deberta-go/lab/internal/testutil"
	"github.com/deberta-go/lab/pretrain"
)

// presetModel writes a random-weight model of pre-training's tiny preset (width 128, 4 layers, FFN 512) with
// the test tokenizer.
func presetModel(b *testing.B) string {
	tok := testTokenizer(b)
	cfg := pretrain.TinyConfig(tok.VocabSize())
	m, err := debertav3.New(cfg, debertav3.Options{})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := m.Forward(debertav3.Inputs{InputIDs: tensors.FromValue([][]int32{{1, 5, 2}}), AttentionMask: tensors.FromValue([][]int32{{1, 1, 1}})}); err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	if err := checkpoints.Save(m, dir, "F32"); err != nil {
		b.Fatal(err)
	}
	spm, err := os.ReadFile(filepath.Join(testutil.RepoRoot(), "tokenizer", "testdata", "spm-bytefallback", "spm.model"))
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "spm.model"), spm, 0o644); err != nil {
		b.Fatal(err)
	}
	return dir
}

// BenchmarkFineTuneStep: one training step (forward, backward, AdamW) of the tiny preset on batches of 16
// examples × 128 tokens; reports examples/s.
func BenchmarkFineTuneStep(b *testing.B) {
	dir := presetModel(b)
	for _, task := range []*Task{
		{Name: "classification", Kind: KindClassification, Labels: []string{"neg", "pos"}, Train: sentimentExamples(64, 1), Dev: sentimentExamples(16, 2)},
		{Name: "tagging", Kind: KindTagging, Labels: []string{"NOUN", "DET", "NUM"}, TrainTags: tagSentences(64, 1), DevTags: tagSentences(16, 2)},
	} {
		b.Run(task.Name, func(b *testing.B) {
			opts := DefaultOptions()
			opts.Steps = 1 << 20
			tr, err := New(dir, task, opts)
			if err != nil {
				b.Fatal(err)
			}
			batch := tr.train.batch(task.Kind, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, opts.BatchSize, 0)
			in := append(batch.inputs(), float32(1e-4))
			if _, err := tr.exec.Exec(in...); err != nil { // compilation
				b.Fatal(err)
			}
			b.ResetTimer()
			for range b.N {
				if _, err := tr.exec.Exec(in...); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(opts.BatchSize*b.N)/b.Elapsed().Seconds(), "examples/s")
		})
	}
}
