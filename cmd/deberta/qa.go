package main

import (
	"io"

	"github.com/deberta-go/lab/pipeline"
)

func init() {
	register("qa", "extractive question answering: --context TEXT with questions, or JSON {question, context} inputs", runQA)
}

// qaInput is one JSON input of qa without --context.
type qaInput struct {
	Question string `json:"question"`
	Context  string `json:"context"`
}

// qaLine is one output line of qa.
type qaLine struct {
	Question string            `json:"question"`
	Context  string            `json:"context"`
	Answers  []pipeline.Answer `json:"answers"`
}

func runQA(args []string, stdout io.Writer) error {
	f := newPipelineFlags("qa", `--model DIR|owner/name (--context TEXT [QUESTION ...] | ['{"question": "...", "context": "..."}' ...]) [--top-k 1] [--max-answer-len 15]`, false, 1)
	context := f.fs.String("context", "", "the context every question is asked against; without it each input is a JSON object {\"question\", \"context\"}")
	maxAnswerLen := f.fs.Int("max-answer-len", pipeline.DefaultMaxAnswerLen, "longest answer, in tokens")
	return runPipeline(f, args, func(p *pipeline.Pipeline, inputs []string) error {
		var items []qaInput
		if *context != "" {
			for _, q := range inputs {
				items = append(items, qaInput{Question: q, Context: *context})
			}
		} else {
			var err error
			if items, err = decodeInputs[qaInput](inputs, `a JSON object {"question": ..., "context": ...} (or give --context)`); err != nil {
				return err
			}
		}
		questions, contexts := make([]string, len(items)), make([]string, len(items))
		for i, it := range items {
			questions[i], contexts[i] = it.Question, it.Context
		}
		res, err := p.QA(questions, contexts, *f.topK, *maxAnswerLen)
		if err != nil {
			return err
		}
		lines := make([]qaLine, len(items))
		for i, it := range items {
			lines[i] = qaLine{Question: it.Question, Context: it.Context, Answers: res[i]}
		}
		return writeLines(stdout, lines)
	})
}
