package main

import (
	"io"

	"github.com/deberta-go/lab/pipeline"
)

func init() {
	register("classify", "sequence classification with the model's id2label (texts or --pair)", runClassify)
}

// classifyLine is one output line of classify.
type classifyLine struct {
	Text   string                `json:"text,omitempty"`
	Pair   *[2]string            `json:"pair,omitempty"`
	Labels []pipeline.LabelScore `json:"labels"`
}

func runClassify(args []string, stdout io.Writer) error {
	f := newPipelineFlags("classify", `--model DIR|owner/name [--pair] [--multi-label] [TEXT ... | '["premise", "hypothesis"]' ...]`, false, 0)
	pair := f.fs.Bool("pair", false, `each input is a JSON array of two texts, encoded as [CLS] a [SEP] b [SEP]`)
	multi := f.fs.Bool("multi-label", false, "independent sigmoid score per label instead of a softmax over labels")
	return runPipeline(f, args, func(p *pipeline.Pipeline, inputs []string) error {
		var lines []classifyLine
		if *pair {
			pairs, err := decodeInputs[[2]string](inputs, `a JSON array of two strings`)
			if err != nil {
				return err
			}
			res, err := p.ClassifyPairs(pairs, *multi)
			if err != nil {
				return err
			}
			for i := range pairs {
				lines = append(lines, classifyLine{Pair: &pairs[i], Labels: res[i]})
			}
		} else {
			res, err := p.Classify(inputs, *multi)
			if err != nil {
				return err
			}
			for i := range inputs {
				lines = append(lines, classifyLine{Text: inputs[i], Labels: res[i]})
			}
		}
		return writeLines(stdout, lines)
	})
}
