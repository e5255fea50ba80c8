package finetune

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/deberta-go/lab/data"
)

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoadFileTasks(t *testing.T) {
	dir := t.TempDir()
	var rows strings.Builder
	rows.WriteString("sentence\tlabel\n")
	for i := range 200 {
		fmt.Fprintf(&rows, "text number %d\t%s\n", i, []string{"a", "b", "c"}[i%3])
	}
	writeFile(t, filepath.Join(dir, "one.tsv"), rows.String())
	writeFile(t, filepath.Join(dir, "glue", "train.tsv"), "sentence\tlabel\nx y\t1\nz w\t0\n")
	writeFile(t, filepath.Join(dir, "glue", "dev.tsv"), "sentence\tlabel\nq r\t1\n")
	csv := "text,score\n\"a, quoted\",0.5\n"
	for i := range 60 {
		csv += fmt.Sprintf("row %d,%d\n", i, i)
	}
	writeFile(t, filepath.Join(dir, "reg.csv"), csv)
	conll := ""
	for i := range 30 {
		conll += fmt.Sprintf("-DOCSTART- O\n\nJohn%d B-PER\nruns O\n\nMary B-PER\n\n", i)
	}
	writeFile(t, filepath.Join(dir, "tags.conll"), conll)

	one, err := LoadTask("tsv:"+filepath.Join(dir, "one.tsv"), TaskOptions{DevFraction: 0.2, TestFraction: 0.2})
	if err != nil {
		t.Fatal(err)
	}
	train, dev, test := one.Sizes()
	if one.Kind != KindClassification || !slices.Equal(one.Labels, []string{"a", "b", "c"}) || train+dev+test != 200 || dev < 20 || test < 20 {
		t.Errorf("one.tsv: kind %s labels %v sizes %d/%d/%d", one.Kind, one.Labels, train, dev, test)
	}
	glue, err := LoadTask("tsv:"+filepath.Join(dir, "glue"), TaskOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if train, dev, test := glue.Sizes(); train != 2 || dev != 1 || test != 0 {
		t.Errorf("GLUE folder sizes %d/%d/%d, want 2/1/0", train, dev, test)
	}
	reg, err := LoadTask("csv:"+filepath.Join(dir, "reg.csv"), TaskOptions{DevFraction: 0.3, TestFraction: 0.01,
		Table: data.TableOptions{TextColumn: "text", LabelColumn: "score", Regression: true}})
	if err != nil {
		t.Fatal(err)
	}
	if reg.Kind != KindRegression || reg.Labels != nil {
		t.Errorf("regression task: kind %s labels %v", reg.Kind, reg.Labels)
	}
	tags, err := LoadTask("conll:"+filepath.Join(dir, "tags.conll"), TaskOptions{WordColumn: 0, TagColumn: 1})
	if err != nil {
		t.Fatal(err)
	}
	if train, dev, _ := tags.Sizes(); train+dev < 50 || (tags.Kind != KindTagging || !slices.Equal(tags.Labels, []string{"B-PER", "O"})) {
		t.Errorf("conll task: kind %s labels %v", tags.Kind, tags.Labels)
	}
	for _, tc := range []struct{ name, want string }{
		{"nonsense", "unknown task"},
		{"xml:" + filepath.Join(dir, "one.tsv"), "unknown task file type"},
		{"tsv:" + filepath.Join(dir, "missing.tsv"), "missing.tsv"},
		{"tsv:" + dir, "missing train.tsv"},
		{"tsv:", "empty path"},
	} {
		if _, err := LoadTask(tc.name, TaskOptions{}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("LoadTask(%q): error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

func TestTaskValidate(t *testing.T) {
	ex := func(id string, labels ...string) data.ClassExample {
		return data.ClassExample{ID: id, Group: id, Text: "x", Labels: labels}
	}
	for _, tc := range []struct {
		task Task
		want string
	}{
		{Task{Name: "empty", Kind: KindClassification, Labels: []string{"a", "b"}}, "training"},
		{Task{Name: "one", Kind: KindClassification, Labels: []string{"a"}, Train: []data.ClassExample{ex("1", "a")}, Dev: []data.ClassExample{ex("2", "a")}}, "at least 2 labels"},
		{Task{Name: "unknown", Kind: KindClassification, Labels: []string{"a", "b"}, Train: []data.ClassExample{ex("1", "c")}, Dev: []data.ClassExample{ex("2", "a")}}, "unknown label"},
		{Task{Name: "two", Kind: KindClassification, Labels: []string{"a", "b"}, Train: []data.ClassExample{ex("1", "a", "b")}, Dev: []data.ClassExample{ex("2", "a")}}, "2 labels, want 1"},
		{Task{Name: "dup", Kind: KindClassification, Labels: []string{"a", "a"}, Train: []data.ClassExample{ex("1", "a")}, Dev: []data.ClassExample{ex("2", "a")}}, "duplicate"},
		{Task{Name: "kind", Kind: "ranking", Train: []data.ClassExample{ex("1", "a")}, Dev: []data.ClassExample{ex("2", "a")}}, "unknown kind"},
	} {
		if err := tc.task.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.task.Name, err, tc.want)
		}
	}
}

// TestStratifiedSplit: every label with ≥ 3 groups has a group in each split, groups never cross splits, and
// the split is deterministic.
func TestStratifiedSplit(t *testing.T) {
	var examples []data.ClassExample
	for label, groups := range map[string]int{"big": 60, "small": 6, "tiny": 2} {
		for g := range groups {
			for i := range 3 {
				examples = append(examples, data.ClassExample{ID: fmt.Sprint(label, g, i), Group: fmt.Sprint(label, g), Labels: []string{label}})
			}
		}
	}
	train, dev, test := StratifiedSplit(examples, 0.1, 0.1, 1)
	where := map[string]string{}
	for name, split := range map[string][]data.ClassExample{"train": train, "dev": dev, "test": test} {
		has := map[string]bool{}
		for _, e := range split {
			if w, ok := where[e.Group]; ok && w != name {
				t.Errorf("group %s in %s and %s", e.Group, w, name)
			}
			where[e.Group] = name
			has[e.Labels[0]] = true
		}
		if !has["big"] || !has["small"] || has["tiny"] != (name == "train") {
			t.Errorf("%s has labels %v", name, has)
		}
	}
	if len(test) != 6*3+1*3 || len(dev) != 6*3+1*3 {
		t.Errorf("test %d, dev %d examples, want 21 each (6 + 1 groups of 3)", len(test), len(dev))
	}
	train2, _, _ := StratifiedSplit(examples, 0.1, 0.1, 1)
	if !slices.EqualFunc(train, train2, func(a, b data.ClassExample) bool { return a.ID == b.ID }) {
		t.Error("not deterministic")
	}
}

// TestLoadBrownNext loads brown-next from a synthetic Brown folder in the data cache: the fixed labels, and the
// second sentence of every pair comes from a document of the pair's own split (the one LoadTask put it in).
func TestLoadBrownNext(t *testing.T) {
	cache := t.TempDir()
	writeFile(t, filepath.Join(cache, "brown", ".complete"), "test\n")
	for i := range 40 {
		doc := fmt.Sprintf("c%c%02d", 'a'+i%18, 1+i/18)
		var b strings.Builder
		for n := 1; n <= 6; n++ {
			fmt.Fprintf(&b, "\n\n\tThe/at %s/np sentence/nn %d/cd ./.\n", doc, n)
		}
		writeFile(t, filepath.Join(cache, "brown", "package", doc), b.String())
	}
	task, err := LoadTask("brown-next", TaskOptions{CacheDir: cache, DevFraction: 0.25, TestFraction: 0.25, SplitSeed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if task.Kind != KindClassification || !slices.Equal(task.Labels, []string{"next", "other"}) {
		t.Fatalf("kind %s, labels %v", task.Kind, task.Labels)
	}
	checkGroups(t, "brown-next", task.Train, task.Dev, task.Test, func(e data.ClassExample) string { return e.Group })
	splitOf := map[string]int{}
	for i, split := range [][]data.ClassExample{task.Train, task.Dev, task.Test} {
		for _, e := range split {
			splitOf[e.Group] = i
		}
	}
	for i, split := range [][]data.ClassExample{task.Train, task.Dev, task.Test} {
		labels := map[string]int{}
		for _, e := range split {
			labels[e.Labels[0]]++
			if from := strings.Fields(e.Pair)[1]; splitOf[from] != i {
				t.Errorf("split %d: %s is paired with %q of split %d", i, e.ID, e.Pair, splitOf[from])
			}
		}
		if labels["next"] == 0 || labels["other"] == 0 {
			t.Errorf("split %d: labels %v", i, labels)
		}
	}
}
