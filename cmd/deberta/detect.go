package main

import (
	"io"

	"github.com/deberta-go/lab/defaultmodel"
	"github.com/deberta-go/lab/pipeline"
)

func init() {
	register("detect", "replaced-token detection: per-token probability of having been replaced (discriminator)", runDetect)
}

// detectLine is one output line of detect.
type detectLine struct {
	Text   string                `json:"text"`
	Tokens []pipeline.TokenScore `json:"tokens"`
}

func runDetect(args []string, stdout io.Writer) error {
	f := newPipelineFlags("detect", "[--model DIR|owner/name] [TEXT ...]", false, 0)
	f.defaultModel = defaultmodel.Discriminator
	return runPipeline(f, args, func(p *pipeline.Pipeline, texts []string) error {
		res, err := p.Detect(texts)
		if err != nil {
			return err
		}
		lines := make([]detectLine, len(texts))
		for i := range texts {
			lines[i] = detectLine{Text: texts[i], Tokens: res[i]}
		}
		return writeLines(stdout, lines)
	})
}
