package finetune

import (
	"cmp"
	"fmt"
	"hash/fnv"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"github.com/deberta-go/lab/data"
)

// Kind is the shape of a task's prediction.
type Kind string

// The task kinds.
const (
	// KindClassification: one label per text or text pair (HF single_label_classification).
	KindClassification Kind = "classification"
	// KindRegression: one number per text or pair (num_labels = 1, mean squared error).
	KindRegression Kind = "regression"
	// KindMultiLabel: any subset of the labels per text (binary cross-entropy per label).
	KindMultiLabel Kind = "multi-label"
	// KindTagging: one label per word (token classification).
	KindTagging Kind = "tagging"
	// KindQuestionAnswering: an answer span in a context (start and end logits).
	KindQuestionAnswering Kind = "question-answering"
	// KindMultipleChoice: one of several candidate texts.
	KindMultipleChoice Kind = "multiple-choice"
)

// Task is a labelled dataset split into train, dev and test. Only the example slices of its Kind are used.
type Task struct {
	Name string
	Kind Kind
	// Labels are the class or tag names (index = label id); empty for KindRegression, KindQuestionAnswering and
	// KindMultipleChoice.
	Labels []string
	// Sequence tasks (KindClassification, KindRegression, KindMultiLabel).
	Train, Dev, Test []data.ClassExample
	// KindTagging tasks.
	TrainTags, DevTags, TestTags []data.TagExample
	// KindQuestionAnswering tasks.
	TrainQA, DevQA, TestQA []QAExample
	// KindMultipleChoice tasks.
	TrainMC, DevMC, TestMC []MCExample
}

// Sizes returns the number of train, dev and test examples.
func (t *Task) Sizes() (train, dev, test int) {
	switch t.Kind {
	case KindTagging:
		return len(t.TrainTags), len(t.DevTags), len(t.TestTags)
	case KindQuestionAnswering:
		return len(t.TrainQA), len(t.DevQA), len(t.TestQA)
	case KindMultipleChoice:
		return len(t.TrainMC), len(t.DevMC), len(t.TestMC)
	}
	return len(t.Train), len(t.Dev), len(t.Test)
}

// Validate checks that the task has training and dev examples and that every label is known.
func (t *Task) Validate() error {
	train, dev, _ := t.Sizes()
	if train == 0 || dev == 0 {
		return fmt.Errorf("task %s: %d training and %d dev examples (both must be > 0)", t.Name, train, dev)
	}
	index := map[string]bool{}
	for _, l := range t.Labels {
		if index[l] {
			return fmt.Errorf("task %s: duplicate label %q", t.Name, l)
		}
		index[l] = true
	}
	switch t.Kind {
	case KindClassification, KindMultiLabel:
		if len(t.Labels) < 2 && t.Kind == KindClassification {
			return fmt.Errorf("task %s: classification needs at least 2 labels, got %v", t.Name, t.Labels)
		}
		for _, split := range [][]data.ClassExample{t.Train, t.Dev, t.Test} {
			for _, e := range split {
				if t.Kind == KindClassification && len(e.Labels) != 1 {
					return fmt.Errorf("task %s: example %s has %d labels, want 1", t.Name, e.ID, len(e.Labels))
				}
				for _, l := range e.Labels {
					if !index[l] {
						return fmt.Errorf("task %s: example %s has unknown label %q (labels: %s)", t.Name, e.ID, l, strings.Join(t.Labels, ", "))
					}
				}
			}
		}
	case KindTagging:
		for _, split := range [][]data.TagExample{t.TrainTags, t.DevTags, t.TestTags} {
			for _, e := range split {
				if len(e.Words) != len(e.Tags) {
					return fmt.Errorf("task %s: sentence %s has %d words and %d tags", t.Name, e.ID, len(e.Words), len(e.Tags))
				}
				for _, l := range e.Tags {
					if !index[l] {
						return fmt.Errorf("task %s: sentence %s has unknown tag %q", t.Name, e.ID, l)
					}
				}
			}
		}
	case KindRegression, KindQuestionAnswering, KindMultipleChoice:
	default:
		return fmt.Errorf("task %s: unknown kind %q", t.Name, t.Kind)
	}
	return nil
}

// TaskOptions configure LoadTask.
type TaskOptions struct {
	// CacheDir of the fetched corpora ("" = data.DefaultCacheDir); the built-in tasks fetch them if needed.
	CacheDir string
	// DevFraction and TestFraction of the groups (documents, messages) for the built-in tasks and for files
	// without a separate dev file; 0 = 0.1 each. SplitSeed seeds the split hash and brown-next's negative
	// pairs (0 = 1).
	DevFraction, TestFraction float64
	SplitSeed                 uint64
	// Table reads tsv:/csv:/jsonl: files (column names, multi-label separator, regression); empty TextColumn and
	// LabelColumn default to GLUE's "sentence" and "label".
	Table data.TableOptions
	// WordColumn and TagColumn of conll: files (0-based).
	WordColumn, TagColumn int
	// SentencesPerPassage of brown-genre (0 = 3).
	SentencesPerPassage int
}

func (o TaskOptions) withDefaults() TaskOptions {
	if o.DevFraction == 0 {
		o.DevFraction = 0.1
	}
	if o.TestFraction == 0 {
		o.TestFraction = 0.1
	}
	if o.SplitSeed == 0 {
		o.SplitSeed = 1
	}
	if o.Table.TextColumn == "" {
		o.Table.TextColumn = "sentence"
	}
	if o.Table.LabelColumn == "" {
		o.Table.LabelColumn = "label"
	}
	if o.SentencesPerPassage == 0 {
		o.SentencesPerPassage = 3
	}
	return o
}

// BuiltinTasks are the names LoadTask knows besides the file prefixes.
var BuiltinTasks = []string{"brown-pos", "brown-pos-full", "brown-genre", "brown-next", "spam", "spam-hard"}

// LoadTask builds a task by name:
//
//   - brown-pos: Brown POS tagging with the 12 universal tags (data.BrownPOS); brown-pos-full keeps the
//     Brown base tags;
//   - brown-genre: 15-way genre of passages of SentencesPerPassage sentences (data.BrownGenre);
//   - brown-next: sentence pairs [CLS] A [SEP] B [SEP], labels next / other: does B follow A in its document,
//     or was it drawn from another document of the same split (data.BrownNextSentence, seeded by SplitSeed);
//     a MaxLength of 160 truncates 0.5 % of the pairs with the built-in tokenizer (128: 2.6 %);
//   - spam / spam-hard: SpamAssassin ham vs spam on the message body, easy ham or hard ham (data.SpamAssassin);
//   - tsv:PATH, csv:PATH, jsonl:PATH: a user's file read with opts.Table (data.ReadTable), split by ID into
//     train/dev/test; or a GLUE-style folder PATH holding train.<ext> and dev.<ext> (and test.<ext> if
//     labelled), used as given;
//   - conll:PATH: word/tag columns (data.ReadCoNLL), a file split by document or a folder as above.
//
// Built-in tasks split by document / message (DevFraction, TestFraction, SplitSeed), so no document crosses
// splits: data.SplitByGroup, except brown-genre, whose documents are split per genre (StratifiedSplit) because
// several genres have only 6–9 documents and a plain hash split leaves some genres out of dev or test.
func LoadTask(name string, opts TaskOptions) (*Task, error) {
	opts = opts.withDefaults()
	if prefix, path, ok := strings.Cut(name, ":"); ok {
		t, err := loadFileTask(prefix, path, opts)
		if err != nil {
			return nil, err
		}
		return t, t.Validate()
	}
	if !slices.Contains(BuiltinTasks, name) {
		return nil, fmt.Errorf("unknown task %q (built-in: %s; or tsv:PATH, csv:PATH, jsonl:PATH, conll:PATH)", name, strings.Join(BuiltinTasks, ", "))
	}
	corpus := "brown"
	if strings.HasPrefix(name, "spam") {
		corpus = "spam-assassin"
	}
	dir, err := fetchCorpus(corpus, opts.CacheDir)
	if err != nil {
		return nil, err
	}
	t := &Task{Name: name}
	switch name {
	case "brown-pos", "brown-pos-full":
		examples, err := data.BrownPOS(dir, name == "brown-pos")
		if err != nil {
			return nil, err
		}
		t.Kind = KindTagging
		t.Labels = tagSet(examples, name == "brown-pos")
		t.TrainTags, t.DevTags, t.TestTags = data.SplitByGroup(examples, func(e data.TagExample) string { return e.Group },
			opts.DevFraction, opts.TestFraction, opts.SplitSeed)
	default:
		var examples []data.ClassExample
		if examples, t.Labels, err = builtinClassExamples(name, dir, opts); err != nil {
			return nil, err
		}
		t.Kind = KindClassification
		if name == "brown-genre" {
			t.Train, t.Dev, t.Test = StratifiedSplit(examples, opts.DevFraction, opts.TestFraction, opts.SplitSeed)
		} else {
			t.Train, t.Dev, t.Test = data.SplitByGroup(examples, func(e data.ClassExample) string { return e.Group },
				opts.DevFraction, opts.TestFraction, opts.SplitSeed)
		}
	}
	return t, t.Validate()
}

// builtinClassExamples reads the examples and labels of a built-in classification task.
func builtinClassExamples(name, dir string, opts TaskOptions) ([]data.ClassExample, []string, error) {
	switch name {
	case "brown-genre":
		examples, err := data.BrownGenre(dir, opts.SentencesPerPassage)
		return examples, data.BrownGenres(), err
	case "brown-next":
		splitOf := func(doc string) string {
			return data.AssignSplit(doc, opts.DevFraction, opts.TestFraction, opts.SplitSeed)
		}
		examples, err := data.BrownNextSentence(dir, opts.SplitSeed, splitOf)
		return examples, data.NextLabels(), err
	}
	examples, err := data.SpamAssassin(dir, name == "spam-hard")
	return examples, data.SpamLabels(), err
}

// tagSet is the universal tagset, or the sorted tags seen in the examples.
func tagSet(examples []data.TagExample, universal bool) []string {
	if universal {
		return data.UniversalTags()
	}
	return labelSet(examples, func(e data.TagExample) []string { return e.Tags })
}

// labelSet is the sorted set of the labels of the examples.
func labelSet[E any](examples []E, labels func(E) []string) []string {
	seen := map[string]bool{}
	for _, e := range examples {
		for _, l := range labels(e) {
			seen[l] = true
		}
	}
	out := make([]string, 0, len(seen))
	for l := range seen {
		out = append(out, l)
	}
	slices.Sort(out)
	return out
}

// loadFileTask reads tsv:/csv:/jsonl:/conll: tasks.
func loadFileTask(prefix, path string, opts TaskOptions) (*Task, error) {
	if path == "" {
		return nil, fmt.Errorf("task %s: empty path", prefix+":")
	}
	t := &Task{Name: prefix + ":" + path}
	files, err := splitFiles(path, prefix)
	if err != nil {
		return nil, err
	}
	if prefix == "conll" {
		t.Kind = KindTagging
		read := func(p string) ([]data.TagExample, error) { return data.ReadCoNLL(p, opts.WordColumn, opts.TagColumn) }
		var all []data.TagExample
		if t.TrainTags, t.DevTags, t.TestTags, all, err = readSplits(files, read, func(e data.TagExample) string { return e.Group }, opts); err != nil {
			return nil, err
		}
		t.Labels = tagSet(all, false)
		return t, nil
	}
	switch prefix {
	case "tsv", "csv", "jsonl":
	default:
		return nil, fmt.Errorf("unknown task file type %q (want tsv:, csv:, jsonl: or conll:)", prefix)
	}
	table := opts.Table
	table.Format = prefix
	read := func(p string) ([]data.ClassExample, error) { return data.ReadTable(p, table) }
	var all []data.ClassExample
	if t.Train, t.Dev, t.Test, all, err = readSplits(files, read, func(e data.ClassExample) string { return e.Group }, opts); err != nil {
		return nil, err
	}
	switch {
	case table.Regression:
		t.Kind = KindRegression
	case table.LabelSeparator != "":
		t.Kind = KindMultiLabel
	default:
		t.Kind = KindClassification
	}
	if t.Kind != KindRegression {
		t.Labels = labelSet(all, func(e data.ClassExample) []string { return e.Labels })
	}
	return t, nil
}

// splitFiles returns [path] for a file, or [train, dev, test?] of a GLUE-style folder.
func splitFiles(path, ext string) ([]string, error) {
	if !isDir(path) {
		return []string{path}, nil
	}
	files := []string{filepath.Join(path, "train."+ext), filepath.Join(path, "dev."+ext)}
	for _, f := range files {
		if !isFile(f) {
			return nil, fmt.Errorf("task folder %s: missing %s (a folder needs train.%s and dev.%s)", path, filepath.Base(f), ext, ext)
		}
	}
	if test := filepath.Join(path, "test."+ext); isFile(test) {
		files = append(files, test)
	}
	return files, nil
}

// readSplits reads one file and splits it by group, or reads train/dev[/test] files as given; all is every
// example read.
func readSplits[E any](files []string, read func(string) ([]E, error), group func(E) string, opts TaskOptions) (train, dev, test, all []E, err error) {
	var splits [][]E
	for _, f := range files {
		examples, err := read(f)
		if err != nil {
			return nil, nil, nil, nil, err
		}
		splits = append(splits, examples)
		all = append(all, examples...)
	}
	if len(files) == 1 {
		train, dev, test = data.SplitByGroup(splits[0], group, opts.DevFraction, opts.TestFraction, opts.SplitSeed)
		return train, dev, test, all, nil
	}
	train, dev = splits[0], splits[1]
	if len(splits) > 2 {
		test = splits[2]
	}
	return train, dev, test, all, nil
}

// StratifiedSplit splits single-label examples by group within each label: the groups (documents) of a label
// are ordered by a seeded hash, the first max(1, round(testFrac·n)) go to test, the next max(1,
// round(devFrac·n)) to dev, the rest to train (a label with fewer than 3 groups keeps them all in train).
// Every group must have one label (its first example's); examples keep their order.
func StratifiedSplit(examples []data.ClassExample, devFrac, testFrac float64, seed uint64) (train, dev, test []data.ClassExample) {
	groupsOf := map[string][]string{}
	labelOf := map[string]string{}
	for _, e := range examples {
		if _, seen := labelOf[e.Group]; !seen && len(e.Labels) > 0 {
			labelOf[e.Group] = e.Labels[0]
			groupsOf[e.Labels[0]] = append(groupsOf[e.Labels[0]], e.Group)
		}
	}
	split := map[string]int{} // 0 train, 1 dev, 2 test
	for _, groups := range groupsOf {
		if len(groups) < 3 {
			continue
		}
		key := func(g string) uint64 {
			h := fnv.New64a()
			fmt.Fprintf(h, "%d/%s", seed, g)
			return h.Sum64()
		}
		slices.SortFunc(groups, func(a, b string) int { return cmp.Compare(key(a), key(b)) })
		nTest := max(1, int(math.Round(testFrac*float64(len(groups)))))
		nDev := max(1, int(math.Round(devFrac*float64(len(groups)))))
		for i, g := range groups {
			switch {
			case i < nTest:
				split[g] = 2
			case i < nTest+nDev:
				split[g] = 1
			}
		}
	}
	for _, e := range examples {
		switch split[e.Group] {
		case 2:
			test = append(test, e)
		case 1:
			dev = append(dev, e)
		default:
			train = append(train, e)
		}
	}
	return train, dev, test
}
