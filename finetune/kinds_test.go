package finetune

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/deberta-go/lab/data"
)

// randomWords draws n filler words.
func randomWords(rng *rand.Rand, n int) []string {
	w := make([]string, n)
	for i := range w {
		w[i] = fillerWords[rng.IntN(len(fillerWords))]
	}
	return w
}

// tagSentences: digits are NUM, "the"/"a" DET, everything else NOUN.
func tagSentences(n int, seed uint64) []data.TagExample {
	rng := rand.New(rand.NewPCG(seed, 2))
	out := make([]data.TagExample, n)
	for i := range out {
		words := randomWords(rng, 6)
		words[rng.IntN(6)] = fmt.Sprint(rng.IntN(9) + 1)
		tags := make([]string, len(words))
		for j, w := range words {
			switch {
			case w == "the" || w == "a":
				tags[j] = "DET"
			case w[0] >= '0' && w[0] <= '9':
				tags[j] = "NUM"
			default:
				tags[j] = "NOUN"
			}
		}
		out[i] = data.TagExample{ID: fmt.Sprint(seed, "-", i), Words: words, Tags: tags}
	}
	return out
}

// countExamples: the value (regression) and the label set (multi-label) say which sentiment words occur.
func countExamples(n int, seed uint64) []data.ClassExample {
	rng := rand.New(rand.NewPCG(seed, 3))
	out := make([]data.ClassExample, n)
	for i := range out {
		words := randomWords(rng, 6)
		var labels []string
		value := 0.0
		if rng.IntN(2) == 0 {
			words[0], labels, value = positiveWords[rng.IntN(5)], append(labels, "pos"), value+1
		}
		if rng.IntN(2) == 0 {
			words[5], labels, value = negativeWords[rng.IntN(5)], append(labels, "neg"), value+2
		}
		id := fmt.Sprint(seed, "-", i)
		out[i] = data.ClassExample{ID: id, Group: id, Text: strings.Join(words, " "), Labels: labels, Value: value}
	}
	return out
}

// qaExamples: "… the answer is W …", answer W.
func qaExamples(n int, seed uint64) []QAExample {
	rng := rand.New(rand.NewPCG(seed, 4))
	out := make([]QAExample, n)
	for i := range out {
		answer := positiveWords[rng.IntN(5)]
		before := strings.Join(randomWords(rng, 1+rng.IntN(4)), " ") + " the answer is "
		ctx := before + answer + " " + strings.Join(randomWords(rng, 3), " ")
		out[i] = QAExample{ID: fmt.Sprint(i), Question: "what is the answer?", Context: ctx, AnswerStart: len(before), Answers: []string{answer}}
	}
	return out
}

// mcExamples: the right choice is the one with a positive word.
func mcExamples(n int, seed uint64) []MCExample {
	rng := rand.New(rand.NewPCG(seed, 5))
	out := make([]MCExample, n)
	for i := range out {
		label := rng.IntN(2)
		choices := []string{"it was " + negativeWords[rng.IntN(5)], "it was " + negativeWords[rng.IntN(5)]}
		choices[label] = "it was " + positiveWords[rng.IntN(5)]
		out[i] = MCExample{ID: fmt.Sprint(i), Context: strings.Join(randomWords(rng, 4), " "), Choices: choices, Label: label}
	}
	return out
}

// TestFineTuneKinds trains every kind briefly on a synthetic task a tiny model can learn and checks the dev
// score against a floor well above chance.
func TestFineTuneKinds(t *testing.T) {
	model := tinyModel(t)
	for _, tc := range []struct {
		task  *Task
		steps int
		floor float64 // chance: tagging 0.76 (always NOUN), regression 0, multi-label ≈ 0.5, QA ≈ 0.2, MC 0.5
	}{
		{&Task{Name: "tags", Kind: KindTagging, Labels: []string{"NOUN", "DET", "NUM"},
			TrainTags: tagSentences(320, 1), DevTags: tagSentences(48, 2)}, 80, 0.95},
		{&Task{Name: "count", Kind: KindRegression, Train: countExamples(320, 1), Dev: countExamples(48, 2)}, 120, 0.6},
		{&Task{Name: "multi", Kind: KindMultiLabel, Labels: []string{"neg", "pos"},
			Train: countExamples(320, 1), Dev: countExamples(48, 2)}, 120, 0.8},
		{&Task{Name: "qa", Kind: KindQuestionAnswering, TrainQA: qaExamples(320, 1), DevQA: qaExamples(48, 2)}, 40, 0.6},
		{&Task{Name: "mc", Kind: KindMultipleChoice, TrainMC: mcExamples(320, 1), DevMC: mcExamples(48, 2)}, 40, 0.8},
	} {
		t.Run(tc.task.Name, func(t *testing.T) {
			opts := DefaultOptions()
			opts.MaxLength, opts.BatchSize, opts.Steps, opts.EvalEvery, opts.LR = 24, 16, tc.steps, 40, 2e-3
			tr, err := New(model, tc.task, opts)
			if err != nil {
				t.Fatal(err)
			}
			res, err := tr.Train()
			if err != nil {
				t.Fatal(err)
			}
			t.Log(res.Summary())
			if res.Dev.Score < tc.floor || res.Dev.Metric == "" {
				t.Errorf("dev %s %.3f, want ≥ %.2f", res.Dev.Metric, res.Dev.Score, tc.floor)
			}
		})
	}
}
