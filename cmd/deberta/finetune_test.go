package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deberta-go/lab/checkpoints"
	"github.com/deberta-go/lab/finetune"
	"github.com/deberta-go/lab/pipeline/tinymodels"
	"github.com/deberta-go/lab/pretrain"
	"github.com/deberta-go/lab/repro"
)

// writeTSV writes a GLUE-style sentiment file of n rows.
func writeTSV(t *testing.T, path string, n int) {
	var b strings.Builder
	b.WriteString("sentence\tlabel\n")
	for i := range n {
		word := []string{"good", "bad"}[i%2]
		fmt.Fprintf(&b, "the film number %d was %s\t%d\n", i, word, 1-i%2)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestFinetuneAndEvalCLI: deberta finetune writes results.json and an HF folder; deberta eval scores that folder
// with the same test score; eval refuses a model without the task's head.
func TestFinetuneAndEvalCLI(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "sst.tsv")
	writeTSV(t, data, 120)
	model := tinyModel(t, tinymodels.RTD)
	out := filepath.Join(dir, "run")
	var stdout bytes.Buffer
	if err := runFinetune([]string{"--task", "tsv:" + data, "--model", model, "--out", out, "--steps", "6", "--eval-every", "3",
		"--max-length", "16", "--batch", "8", "--dev-frac", "0.2", "--test-frac", "0.2"}, &stdout); err != nil {
		t.Fatal(err)
	}
	res, err := finetune.ReadResult(filepath.Join(out, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Steps != 6 || len(res.History) != 2 || res.Test == nil || res.Kind != finetune.KindClassification {
		t.Errorf("results: %+v", res)
	}
	if m, _, err := checkpoints.Open(filepath.Join(out, "model"), checkpoints.OpenOptions{}); err != nil || m.Config.ID2Label[1] != "1" {
		t.Fatalf("saved model: %v, %v", err, m)
	}
	stdout.Reset()
	args := []string{"--task", "tsv:" + data, "--model", filepath.Join(out, "model"), "--max-length", "16", "--batch", "8",
		"--dev-frac", "0.2", "--test-frac", "0.2"}
	if err := runEval(args, &stdout); err != nil {
		t.Fatal(err)
	}
	var rep finetune.EvalReport
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Split != "test" || rep.Score != res.Test.Score {
		t.Errorf("eval: %+v, finetune's test score %g", rep, res.Test.Score)
	}
	args[3] = model
	if err := runEval(args, &stdout); err == nil || !strings.Contains(err.Error(), "no trained head") {
		t.Errorf("eval of a model without the head: %v", err)
	}
	if err := runFinetune([]string{"--task", "nonsense", "--model", model, "--out", out}, &stdout); err == nil {
		t.Error("unknown task: no error")
	}
}

// TestReproReportCLI builds a report from two small arms (a real 3-step pre-training each) and fake results.
func TestReproReportCLI(t *testing.T) {
	dir := t.TempDir()
	corpus := filepath.Join(dir, "corpus.txt")
	if err := os.WriteFile(corpus, []byte(strings.Repeat("The whale and the ship sailed north at dawn.\n\n", 400)), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, arm := range []string{"gdes", "mlm"} {
		args := []string{"--hidden", "32", "--layers", "2", "--heads", "2", "--ffn", "64", "--steps", "3", "--batch", "2",
			"--seq", "32", "--log-every", "1", "--corpus", corpus, "--spm", spmModel, "--out", filepath.Join(dir, arm), "--no-export"}
		if arm == "mlm" {
			args = append(args, "--objective", "mlm")
		} else {
			args = append(args, "--analyze-every", "3", "--eval-every", "3", "--eval-batches", "1")
		}
		if err := runPretrain(args, &bytes.Buffer{}); err != nil {
			t.Fatal(err)
		}
		for seed, score := range []float64{0.5, 0.7} {
			res := &finetune.Result{Task: "brown-pos", Seed: int64(seed + 1), Dev: finetune.EvalReport{Metric: "word_accuracy", Score: score},
				Test: &finetune.EvalReport{Metric: "word_accuracy", Score: score}}
			path := filepath.Join(dir, "ft", arm, "brown-pos", fmt.Sprintf("seed%d", seed+1))
			if err := os.MkdirAll(path, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := res.WriteJSON(filepath.Join(path, "results.json")); err != nil {
				t.Fatal(err)
			}
		}
	}
	var stdout bytes.Buffer
	out := filepath.Join(dir, "report")
	if err := runReproReport([]string{"--runs", dir, "--out", out, "--arms", "gdes,mlm"}, &stdout); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout.String(), "| gdes | 1 | 3 |") || !strings.Contains(stdout.String(), "60.00 ± 14.14 [-67.06, 187.06] (n=2)") {
		t.Errorf("report:\n%s", stdout.String())
	}
	for _, f := range []string{"report.md", "mlm_loss.png", "heldout_auc.png", "heldout_gain.png", "grad_cosine.png", "downstream.png"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
	if _, err := repro.Load(dir, []string{"es"}); err == nil {
		t.Error("missing arm: no error")
	}
	if recs, _ := pretrain.ReadMetrics(filepath.Join(dir, "mlm")); len(recs) != 3 {
		t.Errorf("mlm arm: %d records", len(recs))
	}
}
