package main

import (
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
	// The discriminator is refused with a pointer to --generator.
	_, err := runWithStdin(runFillMask, "", "--model", dir, text)
	if err == nil || !strings.Contains(err.Error(), "--generator") {
		t.Errorf("fill-mask on the discriminator: error %v", err)
	}
}
