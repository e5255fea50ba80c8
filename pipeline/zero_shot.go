package pipeline

import (
	"fmt"
	"slices"
	"strings"

	"github.com/deberta-go/lab/debertav3"
	"github.com/deberta-go/lab/tokenizer"
)

// DefaultTemplate is the hypothesis template of ZeroShot (HF's default); "{}" is replaced by the label.
const DefaultTemplate = "This example is {}."

// ZeroShot classifies texts into candidate labels with an NLI model (a sequence classifier whose id2label has
// "entailment" and, for multiLabel, "contradiction" — matched case-insensitively by prefix, as HF does): each
// (text, template with the label) pair is scored. Single-label scores are the softmax of the entailment logits
// over all labels; multi-label scores are, per label, the softmax over its [contradiction, entailment] logits.
// The result lists every label of each text, best first; LabelScore.ID is the label's index in labels.
// template "" means DefaultTemplate. Pairs are truncated in the text, never in the hypothesis.
func (p *Pipeline) ZeroShot(texts, labels []string, template string, multiLabel bool) ([][]LabelScore, error) {
	if err := p.requireHead("zero-shot", debertav3.HeadSequenceClassification, ": use an NLI model"); err != nil {
		return nil, err
	}
	if len(labels) == 0 {
		return nil, fmt.Errorf("zero-shot: no candidate labels")
	}
	if template == "" {
		template = DefaultTemplate
	}
	if !strings.Contains(template, "{}") {
		return nil, fmt.Errorf("zero-shot: template %q has no {} placeholder for the label", template)
	}
	entail, contra, err := NLILabelIDs(p.Model.Config.ID2Label, multiLabel)
	if err != nil {
		return nil, fmt.Errorf("zero-shot: %w", err)
	}
	if max(entail, contra) >= p.Model.Config.NumLabels {
		return nil, fmt.Errorf("zero-shot: label ids %d/%d exceed the model's %d labels", entail, contra, p.Model.Config.NumLabels)
	}
	pairs := make([][2]string, 0, len(texts)*len(labels))
	for _, t := range texts {
		for _, l := range labels {
			pairs = append(pairs, [2]string{t, strings.ReplaceAll(template, "{}", l)})
		}
	}
	encs, err := p.encodePairs("zero-shot", pairs, tokenizer.TruncateOnlyFirst)
	if err != nil {
		return nil, err
	}
	logits, err := p.sequenceLogits("zero-shot", encs)
	if err != nil {
		return nil, err
	}
	res := make([][]LabelScore, len(texts))
	for i := range texts {
		rows := logits[i*len(labels) : (i+1)*len(labels)]
		scores := make([]LabelScore, len(labels))
		entailLogits := make([]float32, len(labels))
		for j, row := range rows {
			entailLogits[j] = row[entail]
			scores[j] = LabelScore{Label: labels[j], ID: j}
			if multiLabel {
				scores[j].Score = softmax([]float32{row[contra], row[entail]})[1]
			}
		}
		if !multiLabel {
			for j, pr := range softmax(entailLogits) {
				scores[j].Score = pr
			}
		}
		sortScores(scores)
		res[i] = scores
	}
	return res, nil
}

// NLILabelIDs finds the entailment and contradiction class ids of an NLI model from its id2label: the label
// whose name starts with "entail" / "contradict", case-insensitively. contradiction is -1 when not needed and
// absent. A missing or ambiguous label is an error that lists the labels.
func NLILabelIDs(id2label map[int]string, needContradiction bool) (entailment, contradiction int, err error) {
	find := func(prefix string) (int, error) {
		var ids []int
		for id, name := range id2label {
			if strings.HasPrefix(strings.ToLower(strings.TrimSpace(name)), prefix) {
				ids = append(ids, id)
			}
		}
		slices.Sort(ids)
		switch len(ids) {
		case 1:
			return ids[0], nil
		case 0:
			return -1, fmt.Errorf("the model's labels %s have no label starting with %q (any case): zero-shot "+
				"classification needs an NLI model (e.g. MoritzLaurer/DeBERTa-v3-base-mnli-fever-anli) whose "+
				"config.json id2label names entailment and contradiction", describeLabels(id2label), prefix)
		}
		return -1, fmt.Errorf("the model's labels %s have several labels starting with %q: ambiguous",
			describeLabels(id2label), prefix)
	}
	if entailment, err = find("entail"); err != nil {
		return -1, -1, err
	}
	if contradiction, err = find("contradict"); err != nil {
		if needContradiction {
			return -1, -1, fmt.Errorf("multi-label: %w", err)
		}
		contradiction = -1
	}
	return entailment, contradiction, nil
}

// describeLabels formats id2label as {0: a, 1: b}, sorted by id ("none" when empty).
func describeLabels(id2label map[int]string) string {
	if len(id2label) == 0 {
		return "(none: config.json has no id2label)"
	}
	ids := make([]int, 0, len(id2label))
	for id := range id2label {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprintf("%d: %s", id, id2label[id])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
