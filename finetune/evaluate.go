package finetune

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/deberta-go/lab/data"
	"github.com/deberta-go/lab/debertav3"
	"github.com/deberta-go/lab/tokenizer"
)

// qaSplit keeps what span decoding needs: the examples and their encodings.
type qaSplit struct {
	examples []QAExample
	encs     []*tokenizer.Encoding
}

// limit keeps n elements (n = 0: all), a random subset (fixed seed, the same for every run) in the original
// order: splits are sorted by document, so their first n elements would be a few documents only.
func limit[E any](s []E, n int) []E {
	if n <= 0 || len(s) <= n {
		return s
	}
	idx := rand.New(rand.NewPCG(1, uint64(len(s)))).Perm(len(s))[:n]
	slices.Sort(idx)
	out := make([]E, n)
	for i, j := range idx {
		out[i] = s[j]
	}
	return out
}

// encodeSplits tokenises the train, dev and test splits (MaxTrain / MaxEval applied).
func (t *Trainer) encodeSplits() error {
	c := newEncoder(t.tok, t.opts.MaxLength, t.task.Labels)
	tr, ev := t.opts.MaxTrain, t.opts.MaxEval
	var err error
	for i, dst := range []**encoded{&t.train, &t.dev, &t.test} {
		n := ev
		if i == 0 {
			n = tr
		}
		switch t.task.Kind {
		case KindTagging:
			*dst, err = c.words(limit([][]data.TagExample{t.task.TrainTags, t.task.DevTags, t.task.TestTags}[i], n))
		case KindQuestionAnswering:
			examples := limit([][]QAExample{t.task.TrainQA, t.task.DevQA, t.task.TestQA}[i], n)
			var encs []*tokenizer.Encoding
			*dst, encs, err = c.questions(examples)
			if i == 1 {
				t.devQA = qaSplit{examples, encs}
			} else if i == 2 {
				t.testQA = qaSplit{examples, encs}
			}
		case KindMultipleChoice:
			var choices int
			*dst, choices, err = c.choices(limit([][]MCExample{t.task.TrainMC, t.task.DevMC, t.task.TestMC}[i], n))
			if (*dst).n > 0 {
				if t.choices != 0 && choices != t.choices {
					return fmt.Errorf("finetune: %s: %d choices in one split, %d in another", t.task.Name, choices, t.choices)
				}
				t.choices = choices
			}
		default:
			*dst, err = c.sequences(t.task.Kind, limit([][]data.ClassExample{t.task.Train, t.task.Dev, t.task.Test}[i], n))
		}
		if err != nil {
			return fmt.Errorf("finetune: %s %s split: %w", t.task.Name, []string{"train", "dev", "test"}[i], err)
		}
	}
	return nil
}

func (t *Trainer) hasTest() bool { return t.test != nil && t.test.n > 0 }

// Evaluate scores the current weights on the "dev" or "test" split.
func (t *Trainer) Evaluate(split string) (EvalReport, error) {
	e, qa := t.dev, t.devQA
	switch split {
	case "dev":
	case "test":
		e, qa = t.test, t.testQA
	default:
		return EvalReport{}, fmt.Errorf("finetune: unknown split %q (want dev or test)", split)
	}
	if e == nil || e.n == 0 {
		return EvalReport{}, fmt.Errorf("finetune: %s has no %s examples", t.task.Name, split)
	}
	var logits, ends [][]float32 // per example: [labels], [seq, labels] flattened, or start/end
	for lo := 0; lo < e.n; lo += t.opts.BatchSize {
		idx := make([]int, 0, t.opts.BatchSize)
		for i := lo; i < min(lo+t.opts.BatchSize, e.n); i++ {
			idx = append(idx, i)
		}
		b := e.batch(t.task.Kind, idx, t.opts.BatchSize, t.choices)
		out, err := t.model.Forward(debertav3.Inputs{InputIDs: b.ids, AttentionMask: b.mask, TokenTypeIDs: b.types})
		if err != nil {
			return EvalReport{}, fmt.Errorf("finetune: evaluating %s: %w", split, err)
		}
		switch t.task.Kind {
		case KindQuestionAnswering:
			logits = append(logits, rows(out.StartLogits, len(idx))...)
			ends = append(ends, rows(out.EndLogits, len(idx))...)
		case KindMultipleChoice:
			logits = append(logits, rows(out.ChoiceLogits, len(idx))...)
		default:
			logits = append(logits, rows(out.Logits, len(idx))...)
		}
	}
	rep := EvalReport{Split: split, N: e.n, Truncated: e.truncated}
	return rep, t.score(&rep, e, qa, logits, ends)
}

// rows flattens the first n rows of a [b, ...] float32 tensor.
func rows(x *tensors.Tensor, n int) [][]float32 {
	flat := tensors.MustCopyFlatData[float32](x)
	per := len(flat) / x.Shape().Dimensions[0]
	out := make([][]float32, n)
	for i := range out {
		out[i] = flat[i*per : (i+1)*per]
	}
	return out
}

// argmax of a slice.
func argmax(x []float32) int {
	best := 0
	for i, v := range x {
		if v > x[best] {
			best = i
		}
	}
	return best
}

// score fills the report's metrics from the model's outputs.
func (t *Trainer) score(rep *EvalReport, e *encoded, qa qaSplit, logits, ends [][]float32) error {
	labels := t.labelNames()
	var err error
	switch t.task.Kind {
	case KindClassification, KindMultipleChoice:
		pred := make([]int, e.n)
		gold := make([]int, e.n)
		for i := range pred {
			pred[i], gold[i] = argmax(logits[i]), int(e.label[i])
		}
		var r ClassReport
		r, err = Classify(pred, gold, labels)
		rep.Class, rep.Metric, rep.Score = &r, "accuracy", r.Accuracy
	case KindRegression:
		pred := make([]float64, e.n)
		gold := make([]float64, e.n)
		for i := range pred {
			pred[i], gold[i] = float64(logits[i][0]), float64(e.value[i])
		}
		var r RegressionReport
		r, err = ScoreRegression(pred, gold)
		rep.Regression, rep.Metric, rep.Score = &r, "pearson", r.Pearson
	case KindMultiLabel:
		pred := make([][]bool, e.n)
		gold := make([][]bool, e.n)
		for i := range pred {
			pred[i], gold[i] = make([]bool, len(labels)), make([]bool, len(labels))
			for j := range labels {
				pred[i][j], gold[i][j] = logits[i][j] > 0, e.multi[i][j] > 0
			}
		}
		var r MultiLabelReport
		r, err = ScoreMultiLabel(pred, gold, labels)
		rep.MultiLabel, rep.Metric, rep.Score = &r, "micro_f1", r.MicroF1
	case KindTagging:
		pred := make([][]int, e.n)
		for i := range pred {
			pred[i] = make([]int, len(e.gold[i]))
			for w, tok := range e.firstTok[i] {
				if tok < 0 { // no token: scored as wrong
					pred[i][w] = (e.gold[i][w] + 1) % len(labels)
					continue
				}
				pred[i][w] = argmax(logits[i][tok*len(labels) : (tok+1)*len(labels)])
			}
		}
		var r ClassReport
		r, err = TagAccuracy(pred, e.gold, labels)
		rep.Class, rep.Metric, rep.Score = &r, "word_accuracy", r.Accuracy
	case KindQuestionAnswering:
		preds := make([]string, e.n)
		golds := make([][]string, e.n)
		for i, ex := range qa.examples {
			preds[i], golds[i] = bestSpan(qa.encs[i], ex.Context, logits[i], ends[i]), slices.Clone(ex.Answers)
		}
		var r SpanReport
		r, err = Spans(preds, golds)
		rep.Spans, rep.Metric, rep.Score = &r, "f1", r.F1
	}
	return err
}
