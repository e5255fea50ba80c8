package finetune

import (
	"fmt"
	"slices"
	"strings"

	"github.com/deberta-go/lab/data"
	"github.com/deberta-go/lab/debertav3"
)

// UnseenLabels returns the labels (tags) that occur in the dev or test split but not in train, sorted: a head
// fine-tuned on train never learns them.
func (t *Task) UnseenLabels() []string {
	seen, unseen := map[string]bool{}, map[string]bool{}
	classes := func(split []data.ClassExample, into map[string]bool) {
		for _, e := range split {
			for _, l := range e.Labels {
				into[l] = true
			}
		}
	}
	tags := func(split []data.TagExample, into map[string]bool) {
		for _, e := range split {
			for _, l := range e.Tags {
				into[l] = true
			}
		}
	}
	classes(t.Train, seen)
	tags(t.TrainTags, seen)
	for _, split := range [][]data.ClassExample{t.Dev, t.Test} {
		classes(split, unseen)
	}
	for _, split := range [][]data.TagExample{t.DevTags, t.TestTags} {
		tags(split, unseen)
	}
	var out []string
	for l := range unseen {
		if !seen[l] {
			out = append(out, l)
		}
	}
	slices.Sort(out)
	return out
}

// matchLabels orders the task's labels as the model's id2label (a fine-tuned model being evaluated), so that
// label ids mean the same classes; a model whose label names differ from the task's is an error.
func matchLabels(task *Task, cfg *debertav3.Config) error {
	if len(task.Labels) == 0 || len(cfg.ID2Label) == 0 {
		return nil // nothing to match: the head's shape is checked by the caller
	}
	model := make([]string, cfg.NumLabels)
	for i := range model {
		model[i] = cfg.ID2Label[i]
	}
	if !slices.Equal(slices.Sorted(slices.Values(model)), slices.Sorted(slices.Values(task.Labels))) {
		return fmt.Errorf("the model's labels (id2label: %s) are not the task %s's labels (%s): labels are matched by name",
			strings.Join(model, ", "), task.Name, strings.Join(task.Labels, ", "))
	}
	task.Labels = model
	return nil
}
