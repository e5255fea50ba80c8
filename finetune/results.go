package finetune

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/deberta-go/lab/checkpoints"
)

// EvalReport is the evaluation of one split. Score is the model-selection metric named by Metric: accuracy
// (classification, multiple choice), word_accuracy (tagging), pearson (regression), micro_f1 (multi-label),
// f1 (question answering); the detailed report of the kind is set.
type EvalReport struct {
	Split  string  `json:"split"`
	N      int     `json:"examples"`
	Metric string  `json:"metric"`
	Score  float64 `json:"score"`
	// Truncated counts examples (tagging: words) that lost tokens to MaxLength; tagging scores those words as
	// wrong.
	Truncated  int               `json:"truncated"`
	Class      *ClassReport      `json:"classification,omitempty"`
	Regression *RegressionReport `json:"regression,omitempty"`
	MultiLabel *MultiLabelReport `json:"multi_label,omitempty"`
	Spans      *SpanReport       `json:"spans,omitempty"`
}

// EvalPoint is one dev evaluation during training.
type EvalPoint struct {
	Step      int     `json:"step"`
	TrainLoss float64 `json:"train_loss"` // mean training loss since the previous evaluation
	DevScore  float64 `json:"dev_score"`
}

// Result of a fine-tuning run; Dev and Test are the reports of the best dev evaluation's weights.
type Result struct {
	Task        string      `json:"task"`
	Kind        Kind        `json:"kind"`
	Model       string      `json:"model"`
	Labels      []string    `json:"labels,omitempty"`
	Seed        int64       `json:"seed"`
	MaxLength   int         `json:"max_length"`
	BatchSize   int         `json:"batch_size"`
	LR          float64     `json:"lr"`
	Steps       int         `json:"steps"`
	TrainN      int         `json:"train_examples"`
	DevN        int         `json:"dev_examples"`
	TestN       int         `json:"test_examples"`
	NewHeads    []string    `json:"new_head_keys,omitempty"`
	BestStep    int         `json:"best_step"`
	Dev         EvalReport  `json:"dev"`
	Test        *EvalReport `json:"test,omitempty"`
	History     []EvalPoint `json:"history"`
	WallSeconds float64     `json:"wall_seconds"`
	// TrainExamplesPerSecond is the training throughput over TimedExamples (every step but the first, which
	// includes the graph compilation; evaluations excluded).
	TrainExamplesPerSecond float64 `json:"train_examples_per_s"`
	TimedExamples          int     `json:"timed_examples"`
}

func (t *Trainer) newResult(total int) *Result {
	return &Result{Task: t.task.Name, Kind: t.task.Kind, Model: t.modelDir, Labels: t.task.Labels, Seed: t.opts.Seed,
		MaxLength: t.opts.MaxLength, BatchSize: t.opts.BatchSize, LR: t.opts.LR, Steps: total,
		TrainN: t.train.n, DevN: t.dev.n, TestN: t.test.n, NewHeads: t.newHeads}
}

// WriteJSON writes the result as indented JSON.
func (r *Result) WriteJSON(path string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// ReadResult reads a result written by WriteJSON.
func ReadResult(path string) (*Result, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Result
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &r, nil
}

// Save exports the model (its current weights: the best ones after Train) as a HuggingFace folder: config.json
// with the task's id2label, model.safetensors (dtype "F32", "F16" or "BF16") and the tokenizer files of the
// source model.
func (t *Trainer) Save(dir, dtype string) error {
	if err := checkpoints.Save(t.model, dir, dtype); err != nil {
		return err
	}
	return checkpoints.CopyTokenizerFiles(t.modelDir, dir)
}

// Summary is a one-line description of a result.
func (r *Result) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: dev %s %.4f (step %d of %d)", r.Task, r.Dev.Metric, r.Dev.Score, r.BestStep, r.Steps)
	if r.Test != nil {
		fmt.Fprintf(&b, ", test %.4f", r.Test.Score)
	}
	fmt.Fprintf(&b, ", %.1f train examples/s", r.TrainExamplesPerSecond)
	return b.String()
}
