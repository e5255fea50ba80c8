package main

import (
	"math"
	"testing"

	"github.com/deberta-go/lab/pipeline/tinymodels"
)

func TestEmbedCommand(t *testing.T) {
	dir := tinyModel(t, tinymodels.RTD)
	norm := func(v []float32) float64 {
		s := 0.0
		for _, x := range v {
			s += float64(x) * float64(x)
		}
		return math.Sqrt(s)
	}
	got := runJSON[embedLine](t, runEmbed, "", "--model", dir, "first text", "second")
	if len(got) != 2 || len(got[0].Embedding) != 32 || math.Abs(norm(got[0].Embedding)-1) > 1e-5 {
		t.Fatalf("embed output %+v", got)
	}
	raw := runJSON[embedLine](t, runEmbed, "", "--model", dir, "--normalize=false", "first text")
	n := norm(raw[0].Embedding)
	for i, v := range raw[0].Embedding {
		if math.Abs(float64(v)/n-float64(got[0].Embedding[i])) > 1e-5 {
			t.Fatalf("unnormalised / its norm differs from the normalised embedding at %d", i)
		}
	}
}
