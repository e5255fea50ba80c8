package main

import (
	"io"

	"github.com/deberta-go/lab/pipeline"
)

func init() {
	register("token-classify", "token classification (NER): entity spans, or per-token labels with --aggregate=false", runTokenClassify)
}

// tokenClassifyLine is one output line of token-classify.
type tokenClassifyLine struct {
	Text     string            `json:"text"`
	Entities []pipeline.Entity `json:"entities"`
}

func runTokenClassify(args []string, stdout io.Writer) error {
	f := newPipelineFlags("token-classify", "--model DIR|owner/name [--aggregate=false] [TEXT ...]", false, 0)
	aggregate := f.fs.Bool("aggregate", true, `word-level entity spans (HF's "first" strategy, "O" dropped); false: every token with its label`)
	return runPipeline(f, args, func(p *pipeline.Pipeline, texts []string) error {
		res, err := p.TokenClassify(texts, *aggregate)
		if err != nil {
			return err
		}
		lines := make([]tokenClassifyLine, len(texts))
		for i := range texts {
			lines[i] = tokenClassifyLine{Text: texts[i], Entities: res[i]}
		}
		return writeLines(stdout, lines)
	})
}
