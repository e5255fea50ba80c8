package main

import (
	"errors"
	"io"
	"strings"

	"github.com/deberta-go/lab/pipeline"
)

func init() {
	register("zero-shot", "zero-shot classification into --labels with an NLI model", runZeroShot)
}

// zeroShotLine is one output line of zero-shot.
type zeroShotLine struct {
	Text   string                `json:"text"`
	Labels []pipeline.LabelScore `json:"labels"`
}

func runZeroShot(args []string, stdout io.Writer) error {
	f := newPipelineFlags("zero-shot", `--model DIR|owner/name --labels "sports,politics" [--template "This example is {}."] [--multi-label] [TEXT ...]`, false, 0)
	labels := f.fs.String("labels", "", "candidate labels, comma-separated (required)")
	template := f.fs.String("template", pipeline.DefaultTemplate, "hypothesis template; {} is replaced by each label")
	multi := f.fs.Bool("multi-label", false, "score each label independently (softmax over contradiction/entailment)")
	return runPipeline(f, args, func(p *pipeline.Pipeline, texts []string) error {
		var cands []string
		for _, l := range strings.Split(*labels, ",") {
			if l = strings.TrimSpace(l); l != "" {
				cands = append(cands, l)
			}
		}
		if len(cands) == 0 {
			return errors.New("--labels is required: candidate labels, comma-separated")
		}
		res, err := p.ZeroShot(texts, cands, *template, *multi)
		if err != nil {
			return err
		}
		lines := make([]zeroShotLine, len(texts))
		for i := range texts {
			lines[i] = zeroShotLine{Text: texts[i], Labels: res[i]}
		}
		return writeLines(stdout, lines)
	})
}
