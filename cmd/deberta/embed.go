package main

import (
	"io"

	"github.com/deberta-go/lab/defaultmodel"
	"github.com/deberta-go/lab/pipeline"
)

func init() {
	register("embed", "sentence embeddings: mask-weighted mean of the last hidden state", runEmbed)
}

// embedLine is one output line of embed.
type embedLine struct {
	Text      string    `json:"text"`
	Embedding []float32 `json:"embedding"`
}

func runEmbed(args []string, stdout io.Writer) error {
	f := newPipelineFlags("embed", "[--model DIR|owner/name] [--normalize=false] [TEXT ...]", false, 0)
	f.defaultModel = defaultmodel.Discriminator
	normalize := f.fs.Bool("normalize", true, "scale each embedding to unit L2 norm")
	return runPipeline(f, args, func(p *pipeline.Pipeline, texts []string) error {
		res, err := p.Embed(texts, *normalize)
		if err != nil {
			return err
		}
		lines := make([]embedLine, len(texts))
		for i := range texts {
			lines[i] = embedLine{Text: texts[i], Embedding: res[i]}
		}
		return writeLines(stdout, lines)
	})
}
