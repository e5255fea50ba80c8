package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deberta-go/lab/pipeline/tinymodels"
)

func TestFillMaskCommand(t *testing.T) {
	dir := tinyModel(t, tinymodels.RTD)
	text := "Paris is the [MASK] of France."
	got := runJSON[fillMaskLine](t, runFillMask, "", "--model", dir, "--generator", "--top-k", "3", text, "[MASK] [MASK]")
	if len(got) != 2 || got[0].Text != text || len(got[0].Masks) != 1 || len(got[1].Masks) != 2 {
		t.Fatalf("fill-mask output %+v", got)
	}
	m := got[0].Masks[0]
	if len(m.Candidates) != 3 || text[m.Start:m.End] != "[MASK]" || m.Candidates[0].Score < m.Candidates[2].Score {
		t.Errorf("mask prediction %+v", m)
	}
	if !strings.HasPrefix(m.Candidates[0].Sequence, "Paris is the ") {
		t.Errorf("sequence %q", m.Candidates[0].Sequence)
	}
	// Without --generator, a released-layout folder (discriminator + generator) falls back to the generator.
	auto := runJSON[fillMaskLine](t, runFillMask, "", "--model", dir, "--top-k", "3", text, "[MASK] [MASK]")
	if fmt.Sprint(auto) != fmt.Sprint(got) {
		t.Errorf("fill-mask without --generator %+v, with %+v", auto, got)
	}
	// A discriminator alone is refused with a pointer to --generator.
	for _, f := range []string{"generator_config.json", "pytorch_model.generator.bin", "model.generator.safetensors"} {
		if err := os.Remove(filepath.Join(dir, f)); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	_, err := runWithStdin(runFillMask, "", "--model", dir, text)
	if err == nil || !strings.Contains(err.Error(), "--generator") {
		t.Errorf("fill-mask on the discriminator: error %v", err)
	}
}
