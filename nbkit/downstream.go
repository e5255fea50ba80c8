package nbkit

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/deberta-go/lab/finetune"
)

// TaskTable loads the tasks (finetune.LoadTask: built-in corpora are fetched on first use) and returns a
// Markdown table of their kind, labels, split sizes and first training example.
func TaskTable(tasks []string) (string, error) {
	var b strings.Builder
	b.WriteString("| task | kind | labels | train | dev | test | one training example |\n|---|---|---:|---:|---:|---:|---|\n")
	for _, name := range tasks {
		t, err := finetune.LoadTask(name, finetune.TaskOptions{})
		if err != nil {
			return "", err
		}
		train, dev, test := t.Sizes()
		example := strings.ReplaceAll(firstExample(t), "|", "\\|")
		fmt.Fprintf(&b, "| %s | %s | %d | %d | %d | %d | %s |\n", name, t.Kind, len(t.Labels), train, dev, test, example)
	}
	return b.String(), nil
}

// firstExample is the first training example: word/TAG pairs of a tagging task, else its text (cut at 90 bytes,
// on a character boundary) → its labels.
func firstExample(t *finetune.Task) string {
	if t.Kind == finetune.KindTagging {
		if len(t.TrainTags) == 0 {
			return ""
		}
		e := t.TrainTags[0]
		var pairs []string
		for i := range min(8, len(e.Words)) {
			pairs = append(pairs, e.Words[i]+"/"+e.Tags[i])
		}
		return strings.Join(pairs, " ") + " …"
	}
	if len(t.Train) == 0 {
		return ""
	}
	e := t.Train[0]
	text := strings.Join(strings.Fields(e.Text), " ")
	if len(text) > 90 {
		cut := 90
		for cut > 0 && text[cut]&0xC0 == 0x80 {
			cut--
		}
		text = text[:cut] + "…"
	}
	if e.Labels == nil {
		return fmt.Sprintf("%s → **%g**", text, e.Value)
	}
	return fmt.Sprintf("%s → **%s**", text, strings.Join(e.Labels, ", "))
}

// FinetuneResult reads the result of task's run finished in dir by FineTuneTasks.
func FinetuneResult(dir, task string) (*finetune.Result, error) {
	return finetune.ReadResult(filepath.Join(taskDir(dir, task), runResultsFile))
}

// taskDir is the folder of task's run in dir: dir/<task>, a file task's path separators and colon made "_".
func taskDir(dir, task string) string {
	return filepath.Join(dir, strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == ':' {
			return '_'
		}
		return r
	}, task))
}

// ClassReport is the Markdown per-class report (finetune.ClassReport) of the test split of task's run finished
// in dir.
func ClassReport(dir, task string) (string, error) {
	res, err := FinetuneResult(dir, task)
	if err != nil {
		return "", err
	}
	if res.Test == nil || res.Test.Class == nil {
		return "", fmt.Errorf("nbkit: %s: no per-class test report (a %s task, or no test split)", task, res.Kind)
	}
	return res.Test.Class.Markdown(), nil
}

// ReloadCheck loads the model FineTuneTasks saved for task in dir (its run folder's model/) as finetune.New does for
// any checkpoint, evaluates it on task's test split with opts and compares with the score recorded at the end
// of training. It returns the model's files with their sizes and the two scores; a newly initialised head or a
// different score is an error.
func ReloadCheck(dir, task string, opts finetune.Options) (string, error) {
	model := filepath.Join(taskDir(dir, task), runModelDir)
	entries, err := os.ReadDir(model)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "%-28s %9d bytes\n", e.Name(), info.Size())
	}
	before, err := FinetuneResult(dir, task)
	if err != nil {
		return "", err
	}
	t, err := finetune.LoadTask(task, finetune.TaskOptions{})
	if err != nil {
		return "", err
	}
	tr, err := finetune.New(model, t, opts)
	if err != nil {
		return "", err
	}
	rep, err := tr.Evaluate("test")
	if err != nil {
		return "", err
	}
	if before.Test == nil {
		return "", fmt.Errorf("nbkit: %s: the run recorded no test score", task)
	}
	fmt.Fprintf(&b, "newly initialised after reload: %v\ntest %s after reload %.4f, at the end of training %.4f\n", tr.NewHeads(), rep.Metric, rep.Score, before.Test.Score)
	if len(tr.NewHeads()) > 0 || rep.Score != before.Test.Score {
		return b.String(), fmt.Errorf("nbkit: the reloaded %s model differs from the trained one", task)
	}
	return b.String(), nil
}
