package main

import (
	"io"

	"github.com/deberta-go/lab/defaultmodel"
	"github.com/deberta-go/lab/pipeline"
)

func init() {
	register("fill-mask", "predict the tokens behind [MASK] (DeBERTa-v3: with the generator released beside the discriminator)", runFillMask)
}

// fillMaskLine is one output line of fill-mask.
type fillMaskLine struct {
	Text  string                    `json:"text"`
	Masks []pipeline.MaskPrediction `json:"masks"`
}

func runFillMask(args []string, stdout io.Writer) error {
	f := newPipelineFlags("fill-mask", `[--model DIR|owner/name] [--generator] [--top-k 5] ["Paris is the [MASK] of France." ...]`, true, 5)
	f.defaultModel = defaultmodel.Generator
	f.mlmFallback = true
	return runPipeline(f, args, func(p *pipeline.Pipeline, texts []string) error {
		res, err := p.FillMask(texts, *f.topK)
		if err != nil {
			return err
		}
		lines := make([]fillMaskLine, len(texts))
		for i := range texts {
			lines[i] = fillMaskLine{Text: texts[i], Masks: res[i]}
		}
		return writeLines(stdout, lines)
	})
}
