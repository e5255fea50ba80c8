package main

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/deberta-go/lab/checkpoints"
	"github.com/deberta-go/lab/debertav3"
	"github.com/deberta-go/lab/pipeline/tinymodels"
)

// TestConvertCLI: F16 conversion keeps the heads and the outputs (within F16 rounding) and the tokenizer; a
// generator folder becomes a standalone masked-LM folder.
func TestConvertCLI(t *testing.T) {
	src := tinyModel(t, tinymodels.RTD)
	dst := filepath.Join(t.TempDir(), "f16")
	if err := runConvert([]string{"--model", src, "--out", dst, "--dtype", "F16"}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dst, "spm.model")); err != nil {
		t.Error(err)
	}
	a, _, err := checkpoints.Open(src, checkpoints.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, report, err := checkpoints.Open(dst, checkpoints.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if report.DTypes["F16"] != report.Loaded || !b.Options.Has(debertav3.HeadRTD) {
		t.Errorf("converted: dtypes %v, heads %v", report.DTypes, b.Options.Heads)
	}
	in := func() debertav3.Inputs {
		return debertav3.Inputs{InputIDs: tensors.FromValue([][]int32{{1, 50, 60, 2}}), AttentionMask: tensors.FromValue([][]int32{{1, 1, 1, 1}})}
	}
	outA, err := a.Forward(in())
	if err != nil {
		t.Fatal(err)
	}
	outB, err := b.Forward(in())
	if err != nil {
		t.Fatal(err)
	}
	x, y := tensors.MustCopyFlatData[float32](outA.RTDLogits), tensors.MustCopyFlatData[float32](outB.RTDLogits)
	for i := range x {
		if d := math.Abs(float64(x[i] - y[i])); d > 2e-2 {
			t.Errorf("logit %d: F32 %g, F16 %g", i, x[i], y[i])
		}
	}
	gen := filepath.Join(t.TempDir(), "gen")
	if err := runConvert([]string{"--model", src, "--out", gen, "--generator"}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	g, _, err := checkpoints.Open(gen, checkpoints.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !g.Options.Has(debertav3.HeadMaskedLM) || g.Options.EnhancedMaskDecoder {
		t.Errorf("converted generator: %+v", g.Options)
	}
	if err := runConvert([]string{"--model", t.TempDir(), "--out", gen}, &bytes.Buffer{}); err == nil {
		t.Error("empty folder: no error")
	}
}
