package finetune

import (
	"os"
	"testing"

	"github.com/deberta-go/lab/data"
)

// TestBuiltinTasksReal loads every built-in task from the fetched corpora (DEBERTA_FETCH_TEST=1; fetches into
// $DEBERTA_DATA_DIR if needed): all splits are non-empty, documents never cross splits, every Brown genre is
// in dev and test (StratifiedSplit), and every brown-next split holds next and other pairs in about equal
// numbers. One task: -run TestBuiltinTasksReal/brown-next.
func TestBuiltinTasksReal(t *testing.T) {
	if os.Getenv("DEBERTA_FETCH_TEST") != "1" {
		t.Skip("set DEBERTA_FETCH_TEST=1 to read the real corpora")
	}
	for _, name := range BuiltinTasks {
		t.Run(name, func(t *testing.T) {
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
				return
			}
			checkGroups(t, name, task.Train, task.Dev, task.Test, func(e data.ClassExample) string { return e.Group })
			splits := map[string][]data.ClassExample{"train": task.Train, "dev": task.Dev, "test": task.Test}
			for split, examples := range splits {
				seen := map[string]int{}
				for _, e := range examples {
					seen[e.Labels[0]]++
				}
				switch {
				case name == "brown-genre" && split != "train" && len(seen) != len(task.Labels):
					t.Errorf("brown-genre %s has %d of %d genres", split, len(seen), len(task.Labels))
				case name == "brown-next":
					t.Logf("brown-next %s: %v", split, seen)
					if d := seen["next"] - seen["other"]; len(seen) != 2 || 20*max(d, -d) > len(examples) {
						t.Errorf("brown-next %s: %v, want next and other within 5 %%", split, seen)
					}
				}
			}
		})
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
