package finetune

import (
	"os"
	"testing"

	"github.com/deberta-go/lab/data"
)

// TestBuiltinTasksReal loads every built-in task from the fetched corpora (DEBERTA_FETCH_TEST=1; fetches into
// $DEBERTA_DATA_DIR if needed): all splits are non-empty, documents never cross splits, and every Brown genre
// is in dev and test (StratifiedSplit).
func TestBuiltinTasksReal(t *testing.T) {
	if os.Getenv("DEBERTA_FETCH_TEST") != "1" {
		t.Skip("set DEBERTA_FETCH_TEST=1 to read the real corpora")
	}
	for _, name := range BuiltinTasks {
		task, err := LoadTask(name, TaskOptions{})
		if err != nil {
			t.Fatal(err)
		}
		train, dev, test := task.Sizes()
		t.Logf("%s: %d / %d / %d examples, %d labels", name, train, dev, test, len(task.Labels))
		if train == 0 || dev == 0 || test == 0 {
			t.Errorf("%s: empty split", name)
		}
		if task.Kind == KindTagging {
			checkGroups(t, name, task.TrainTags, task.DevTags, task.TestTags, func(e data.TagExample) string { return e.Group })
			continue
		}
		checkGroups(t, name, task.Train, task.Dev, task.Test, func(e data.ClassExample) string { return e.Group })
		if name == "brown-genre" {
			for split, examples := range map[string][]data.ClassExample{"dev": task.Dev, "test": task.Test} {
				seen := map[string]bool{}
				for _, e := range examples {
					seen[e.Labels[0]] = true
				}
				if len(seen) != len(task.Labels) {
					t.Errorf("brown-genre %s has %d of %d genres", split, len(seen), len(task.Labels))
				}
			}
		}
	}
}

func checkGroups[E any](t *testing.T, name string, train, dev, test []E, group func(E) string) {
	where := map[string]int{}
	for i, split := range [][]E{train, dev, test} {
		for _, e := range split {
			if w, ok := where[group(e)]; ok && w != i {
				t.Fatalf("%s: group %s in two splits", name, group(e))
			}
			where[group(e)] = i
		}
	}
}
