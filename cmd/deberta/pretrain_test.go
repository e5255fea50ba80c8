package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deberta-go/lab/checkpoints"
	"github.com/deberta-go/lab/debertav3"
	"github.com/deberta-go/lab/pretrain"
)

// TestPretrainCLI: a 5-step run of a very small model on a small text file writes 5 metrics lines (RTD
// diagnostics in each, the analyses at step 4, the held-out evaluation at step 5), a resumable checkpoint, and exported folders that checkpoints.Open loads.
func TestPretrainCLI(t *testing.T) {
	dir := t.TempDir()
	corpus := filepath.Join(dir, "corpus.txt")
	var text strings.Builder
	for i := range 240 { // enough paragraphs that the 5% validation split (by a hash of path and index) is never empty
		fmt.Fprintf(&text, "Paragraph %d tells of the whale, the sea and the ship number %d, sailing far to the north.\n\n", i, i*7)
	}
	if err := os.WriteFile(corpus, []byte(text.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "run")
	args := []string{"--sharing", "gdes", "--preset", "tiny", "--hidden", "32", "--layers", "2", "--heads", "2", "--ffn", "64",
		"--steps", "5", "--batch", "2", "--seq", "32", "--lr", "1e-3", "--log-every", "1", "--save-every", "2",
		"--analyze-every", "4", "--eval-every", "5", "--eval-batches", "1", "--corpus", corpus, "--spm", spmModel, "--out", out, "--seed", "3"}
	if err := runPretrain(args, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"--eval-every=-1", "--eval-batches=0", "--eval-every=x"} {
		if err := runPretrain([]string{bad, "--out", filepath.Join(dir, "bad"), "--spm", spmModel}, io.Discard); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
	recs, err := pretrain.ReadMetrics(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 5 {
		t.Fatalf("%d metrics lines, want 5", len(recs))
	}
	for i, r := range recs {
		if r.Step != i+1 || !(r.MLMLoss > 0) || !(r.RTDLoss > 0) || !(r.TokensPerS > 0) || !(r.LR > 0) {
			t.Errorf("record %d: %+v", i, r)
		}
		if (r.Gradients != nil) != (r.Step == 4) {
			t.Errorf("step %d: analyses %v", r.Step, r.Gradients)
		}
		if !(r.RTDAUC >= 0 && r.RTDAUC <= 1) || r.RTDPrior <= 0 || r.RTDPrior >= 1 {
			t.Errorf("step %d: RTD diagnostics %+v", r.Step, r)
		}
		if (r.Eval != nil) != (r.Step == 5) {
			t.Errorf("step %d: held-out evaluation %+v", r.Step, r.Eval)
		} else if r.Eval != nil && (r.Eval.Batches != 1 || r.Eval.RTD.Tokens == 0 || r.Eval.RTD.Replaced == 0 || !(r.Eval.MLMLoss > 0)) {
			t.Errorf("held-out evaluation %+v", *r.Eval)
		}
	}
	m, _, err := checkpoints.Open(filepath.Join(out, "discriminator"), checkpoints.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if m.Config.HiddenSize != 32 || m.Config.NumHiddenLayers != 2 {
		t.Errorf("exported config %+v", m.Config)
	}
	if _, err := os.Stat(filepath.Join(out, "discriminator", "spm.model")); err != nil {
		t.Error(err)
	}
	genOpts := pretrain.Config{}.GeneratorOptions()
	if _, _, err := checkpoints.Open(filepath.Join(out, "generator"), checkpoints.OpenOptions{Generator: true, Options: &genOpts}); err != nil {
		t.Fatal(err)
	}
	_, st, err := pretrain.Resume(out, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Step != 5 || st.DataPosition != 5 {
		t.Errorf("checkpoint state %+v", st)
	}
	// The generator's width, the temperature and λ reach the run's configuration.
	narrow := filepath.Join(dir, "narrow")
	args = append(tinyPretrainArgs(corpus, narrow, 1), "--gen-hidden", "16", "--temperature", "2", "--rtd-weight", "10", "--no-export")
	if err := runPretrain(args, io.Discard); err != nil {
		t.Fatal(err)
	}
	info, err := pretrain.ReadRunInfo(narrow)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := info.Config()
	if err != nil {
		t.Fatal(err)
	}
	if g := cfg.Generator; g.HiddenSize != 16 || g.EmbeddingSize != 32 || g.NumAttentionHeads != 1 || g.IntermediateSize != 32 ||
		cfg.Temperature != 2 || cfg.RTDWeight != 10 {
		t.Errorf("generator %+v, T %g, λ %g", *g, cfg.Temperature, cfg.RTDWeight)
	}
}

// TestPretrainCLIResume: 4 steps straight vs --stop-at 2 then --resume: identical metrics (losses, LR, norms),
// with one optimiser and with --decoupled (then both gradient norms are logged).
func TestPretrainCLIResume(t *testing.T) {
	dir := t.TempDir()
	corpus := filepath.Join(dir, "corpus.txt")
	var text strings.Builder
	for i := range 40 {
		fmt.Fprintf(&text, "Line %d: light passes through the prism %d times and the colours part.\n\n", i, i*3)
	}
	if err := os.WriteFile(corpus, []byte(text.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, decoupled := range []bool{false, true} {
		t.Run(fmt.Sprintf("decoupled=%v", decoupled), func(t *testing.T) {
			base := []string{"--sharing", "es", "--hidden", "16", "--layers", "2", "--heads", "2", "--ffn", "32", "--steps", "4",
				"--batch", "2", "--seq", "16", "--log-every", "1", "--corpus", corpus, "--spm", spmModel, "--seed", "5", "--no-export"}
			if decoupled {
				base = append(base, "--decoupled")
			}
			run := func(out string, extra ...string) []pretrain.Record {
				t.Helper()
				if err := runPretrain(append(append([]string{"--out", out}, base...), extra...), io.Discard); err != nil {
					t.Fatal(err)
				}
				recs, err := pretrain.ReadMetrics(out)
				if err != nil {
					t.Fatal(err)
				}
				for i := range recs {
					recs[i].TokensPerS, recs[i].StepSeconds = 0, 0
				}
				return recs
			}
			sub := t.TempDir()
			want := run(filepath.Join(sub, "straight"))
			split := filepath.Join(sub, "split")
			if got := run(split, "--stop-at", "2"); len(got) != 2 {
				t.Fatalf("--stop-at 2 wrote %d records", len(got))
			}
			got := run(split, "--resume")
			if len(got) != 4 || len(want) != 4 {
				t.Fatalf("%d and %d records", len(got), len(want))
			}
			for i := range want {
				if got[i] != want[i] {
					t.Errorf("step %d: resumed %+v, straight %+v", i+1, got[i], want[i])
				}
				if (want[i].DiscGradNorm > 0) != decoupled {
					t.Errorf("step %d: discriminator gradient norm %g", i+1, want[i].DiscGradNorm)
				}
			}
			info, err := pretrain.ReadRunInfo(split)
			if err != nil || info.Train.Decoupled != decoupled {
				t.Errorf("config.json train.decoupled %v (%v), want %v", info.Train.Decoupled, err, decoupled)
			}
		})
	}
}

// TestPretrainCLIMLM: --objective mlm trains one model with the discriminator's depth, records the objective,
// exports generator/ only, and rejects --analyze-every.
func TestPretrainCLIMLM(t *testing.T) {
	dir := t.TempDir()
	corpus := filepath.Join(dir, "corpus.txt")
	var text strings.Builder
	for i := range 40 {
		fmt.Fprintf(&text, "Line %d: the river runs %d miles to the sea past the old mill.\n\n", i, i*5)
	}
	if err := os.WriteFile(corpus, []byte(text.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "run")
	args := []string{"--objective", "mlm", "--hidden", "16", "--layers", "2", "--heads", "2", "--ffn", "32", "--steps", "3",
		"--batch", "2", "--seq", "16", "--log-every", "1", "--corpus", corpus, "--spm", spmModel, "--seed", "5", "--out", out}
	if err := runPretrain(args, io.Discard); err != nil {
		t.Fatal(err)
	}
	recs, err := pretrain.ReadMetrics(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if !(r.MLMLoss > 0) || r.RTDLoss != 0 || r.Loss != r.MLMLoss {
			t.Errorf("record %+v", r)
		}
	}
	info, err := pretrain.ReadRunInfo(out)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := info.Config()
	if err != nil || cfg.Objective != pretrain.ObjectiveMLM || cfg.Generator.NumHiddenLayers != 2 || len(recs) != 3 {
		t.Fatalf("run config %+v (%v), %d records", cfg, err, len(recs))
	}
	if _, err := os.Stat(filepath.Join(out, "discriminator")); !os.IsNotExist(err) {
		t.Errorf("an MLM run exported a discriminator (%v)", err)
	}
	genOpts := cfg.GeneratorOptions()
	m, _, err := checkpoints.Open(filepath.Join(out, "generator"), checkpoints.OpenOptions{Generator: true, Options: &genOpts})
	if err != nil {
		t.Fatal(err)
	}
	if m.Config.NumHiddenLayers != 2 {
		t.Errorf("exported generator has %d layers, want 2", m.Config.NumHiddenLayers)
	}
	bad := append(append([]string(nil), args...), "--analyze-every", "1", "--no-export")
	bad[len(args)-1] = filepath.Join(dir, "run2")
	if err := runPretrain(bad, io.Discard); err == nil || !strings.Contains(err.Error(), "analyze-every") {
		t.Errorf("--objective mlm --analyze-every: %v", err)
	}
	if err := runPretrain([]string{"--objective", "bert", "--spm", spmModel, "--out", filepath.Join(dir, "x")}, io.Discard); err == nil {
		t.Error("--objective bert: no error")
	}
}

// TestPretrainCLIElectraHead: --rtd-head electra exports a discriminator whose ELECTRA head checkpoints.Open
// detects; config.json records the head; an unknown head is refused.
func TestPretrainCLIElectraHead(t *testing.T) {
	dir := t.TempDir()
	corpus := filepath.Join(dir, "corpus.txt")
	var text strings.Builder
	for i := range 40 {
		fmt.Fprintf(&text, "Note %d: the train leaves at %d and crosses the valley before noon.\n\n", i, i+4)
	}
	if err := os.WriteFile(corpus, []byte(text.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "run")
	args := []string{"--rtd-head", "electra", "--hidden", "16", "--layers", "2", "--heads", "2", "--ffn", "32", "--steps", "2",
		"--batch", "2", "--seq", "16", "--corpus", corpus, "--spm", spmModel, "--seed", "5", "--out", out}
	if err := runPretrain(args, io.Discard); err != nil {
		t.Fatal(err)
	}
	info, err := pretrain.ReadRunInfo(out)
	if err != nil || info.RTDHead != "electra" {
		t.Errorf("config.json rtd_head %q (%v)", info.RTDHead, err)
	}
	m, _, err := checkpoints.Open(filepath.Join(out, "discriminator"), checkpoints.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !m.Options.Has(debertav3.HeadRTDElectra) {
		t.Errorf("exported discriminator options %+v", m.Options)
	}
	if err := runPretrain([]string{"--rtd-head", "bert", "--spm", spmModel, "--out", filepath.Join(dir, "x")}, io.Discard); err == nil {
		t.Error("--rtd-head bert: no error")
	}
}
