package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/deberta-go/lab/checkpoints"
	"github.com/deberta-go/lab/defaultmodel"
	"github.com/deberta-go/lab/finetune"
	"github.com/deberta-go/lab/internal/atomicdir"
)

func init() {
	register("finetune", "fine-tune a model on a task ("+strings.Join(finetune.BuiltinTasks, ", ")+", tsv:/csv:/jsonl:/conll:PATH)", runFinetune)
	register("eval", "evaluate a fine-tuned model on a task's dev or test split", runEval)
}

// taskFlags are the flags that select and read a task (shared by finetune and eval).
type taskFlags struct {
	name                   string
	table                  finetune.TaskOptions
	textCol, pairCol       string
	labelCol, idCol        string
	labelSep               string
	noHeader, regression   bool
	maxLength, batch, seed int
	maxEval                int
}

func (f *taskFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.name, "task", "", "task: "+strings.Join(finetune.BuiltinTasks, ", ")+", or tsv:PATH, csv:PATH, jsonl:PATH, conll:PATH (a file, split by id/document, or a folder with train.* and dev.*)")
	fs.StringVar(&f.textCol, "text-column", "sentence", "file tasks: column (name, or 0-based index with --no-header) of the text")
	fs.StringVar(&f.pairCol, "pair-column", "", "file tasks: column of the second text of a pair (optional)")
	fs.StringVar(&f.labelCol, "label-column", "label", "file tasks: column of the label")
	fs.StringVar(&f.idCol, "id-column", "", "file tasks: column of a stable example id (optional; the split hashes it)")
	fs.StringVar(&f.labelSep, "label-sep", "", "file tasks: multi-label, labels separated by this string in the label column")
	fs.BoolVar(&f.noHeader, "no-header", false, "file tasks: TSV/CSV without a header row")
	fs.BoolVar(&f.regression, "regression", false, "file tasks: numeric label (regression, num_labels = 1)")
	fs.IntVar(&f.table.WordColumn, "word-column", 0, "conll: column of the words")
	fs.IntVar(&f.table.TagColumn, "tag-column", 1, "conll: column of the tags")
	fs.Float64Var(&f.table.DevFraction, "dev-frac", 0.1, "fraction of documents in dev (built-in tasks and single files)")
	fs.Float64Var(&f.table.TestFraction, "test-frac", 0.1, "fraction of documents in test")
	fs.IntVar(&f.maxLength, "max-length", 128, "tokens per example (longer inputs are truncated and counted)")
	fs.IntVar(&f.batch, "batch", 16, "examples per batch")
	fs.IntVar(&f.seed, "seed", 1, "seed of the head initialisation, dropout and example order")
	fs.IntVar(&f.maxEval, "max-eval", 0, "evaluate N dev/test examples only (a fixed random subset; 0 = all)")
}

// load reads the task.
func (f *taskFlags) load() (*finetune.Task, error) {
	if f.name == "" {
		return nil, errors.New("--task is required")
	}
	o := f.table
	o.SplitSeed = 1
	o.Table.TextColumn, o.Table.PairColumn, o.Table.LabelColumn, o.Table.IDColumn = f.textCol, f.pairCol, f.labelCol, f.idCol
	o.Table.LabelSeparator, o.Table.NoHeader, o.Table.Regression = f.labelSep, f.noHeader, f.regression
	return finetune.LoadTask(f.name, o)
}

// finetuneFlags are the flags of deberta finetune.
type finetuneFlags struct {
	task                                   taskFlags
	model, out, dtype                      string
	steps, evalEvery, maxTrain             int
	epochs, lr, warmup                     float64
	noSave, overwrite, allowUnseen, resume bool
}

func (f *finetuneFlags) register(fs *flag.FlagSet) {
	f.task.register(fs)
	fs.StringVar(&f.model, "model", "", "pre-trained model: "+modelRefUsage+"; default: the built-in "+defaultmodel.Name+" discriminator")
	fs.StringVar(&f.out, "out", "", "output folder: results.json and model/ (the best weights as a HF folder), created whole")
	fs.IntVar(&f.steps, "steps", 0, "training steps (0: --epochs passes over the training split)")
	fs.Float64Var(&f.epochs, "epochs", 3, "passes over the training split when --steps is 0")
	fs.Float64Var(&f.lr, "lr", 1e-4, "peak learning rate (10% warmup, then linear decay)")
	fs.Float64Var(&f.warmup, "warmup", 0.1, "warmup fraction of the steps")
	fs.IntVar(&f.evalEvery, "eval-every", 0, "evaluate dev every N steps and keep the best weights (0: once per epoch)")
	fs.IntVar(&f.maxTrain, "max-train", 0, "train on N training examples only (a fixed random subset; 0 = all)")
	fs.StringVar(&f.dtype, "save-dtype", "F32", "dtype of the saved model: F32, F16 or BF16")
	fs.BoolVar(&f.noSave, "no-save", false, "do not save the model, only results.json")
	fs.BoolVar(&f.overwrite, "overwrite", false, "replace an existing non-empty --out folder whole")
	fs.BoolVar(&f.allowUnseen, "allow-unseen-labels", false, "accept dev/test labels that train lacks (the head gets classes it never trains on)")
	fs.BoolVar(&f.resume, "resume", false, "continue the fine-tuning interrupted (SIGINT, SIGTERM) in --out, with its flags")
}

// options checks the flags before any work (with --resume, after restoring those of the interrupted run) and
// returns the fine-tuning options.
func (f *finetuneFlags) options(fs *flag.FlagSet) (finetune.Options, error) {
	opts := finetune.DefaultOptions()
	switch {
	case f.out == "":
		return opts, errors.New("--out is required")
	case f.resume && f.overwrite:
		return opts, errors.New("--resume continues the run in --out, --overwrite replaces it: choose one")
	case f.resume:
		if err := restoreFlags(fs, f.out); err != nil {
			return opts, err
		}
	}
	if err := checkpoints.CheckSaveDType(f.dtype); err != nil {
		return opts, fmt.Errorf("--save-dtype: %w", err)
	}
	if err := atomicdir.Check(f.out, f.overwrite || f.resume); err != nil {
		return opts, fmt.Errorf("--out: %w, or --resume to continue an interrupted run", err)
	}
	tf := f.task
	opts.MaxLength, opts.BatchSize, opts.Seed, opts.MaxEval = tf.maxLength, tf.batch, int64(tf.seed), tf.maxEval
	opts.Steps, opts.Epochs, opts.LR, opts.WarmupFraction, opts.EvalEvery, opts.MaxTrain = f.steps, f.epochs, f.lr, f.warmup, f.evalEvery, f.maxTrain
	return opts, opts.Validate()
}

func runFinetune(args []string, stdout io.Writer) error {
	fs := newFlags("finetune", "--task NAME [--model DIR|owner/name] --out DIR [--steps N | --epochs E] [--lr LR] [--seed S] [--overwrite | --resume] ...")
	var f finetuneFlags
	f.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	opts, err := f.options(fs)
	if err != nil {
		return err
	}
	if f.model == "" {
		dir, err := defaultmodel.Dir(defaultmodel.Discriminator)
		if err != nil {
			return err
		}
		f.model = dir
	}
	task, err := f.task.load()
	if err != nil {
		return err
	}
	if unseen := task.UnseenLabels(); len(unseen) > 0 && !f.allowUnseen {
		return fmt.Errorf("task %s: dev/test hold labels that train lacks: %s (the head would never train on them); fix the split or pass --allow-unseen-labels", task.Name, strings.Join(unseen, ", "))
	}
	opts.OnStep = finetune.PrintProgress(os.Stderr)
	stop := watchStop()
	defer stop.release()
	opts.Stop = func() bool { return stop.stopped() != nil }
	train, dev, test := task.Sizes()
	fmt.Fprintf(os.Stderr, "task %s (%s): %d train, %d dev, %d test examples, %d labels\n", task.Name, task.Kind, train, dev, test, len(task.Labels))
	dir, err := modelDir(f.model, false)
	if err != nil {
		return err
	}
	tr, err := finetune.New(dir, task, opts)
	if err != nil {
		return err
	}
	if f.resume {
		if err := tr.LoadState(filepath.Join(f.out, finetuneStateDir)); err != nil {
			return err
		}
	}
	res, err := tr.Train()
	if errors.Is(err, finetune.ErrStopped) {
		saved, err := saveInterrupted(fs, tr, f.out)
		if err != nil {
			return err
		}
		return &interruptedError{signal: stop.stopped(), step: tr.Step(), saved: saved, resume: "deberta finetune --out " + f.out + " --resume"}
	} else if err != nil {
		return err
	}
	return f.write(tr, res, stdout)
}

// write replaces --out with results.json and model/ and prints the result.
func (f *finetuneFlags) write(tr *finetune.Trainer, res *finetune.Result, stdout io.Writer) error {
	err := atomicdir.Write(f.out, f.overwrite || f.resume, func(tmp string) error {
		if err := res.WriteJSON(filepath.Join(tmp, "results.json")); err != nil || f.noSave {
			return err
		}
		return tr.Save(filepath.Join(tmp, "model"), f.dtype)
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(os.Stderr, res.Summary())
	return json.NewEncoder(stdout).Encode(res)
}

func runEval(args []string, stdout io.Writer) error {
	fs := newFlags("eval", "--task NAME --model DIR [--split dev|test]")
	var tf taskFlags
	tf.register(fs)
	model := fs.String("model", "", "fine-tuned model whose head fits the task's labels: "+modelRefUsage)
	split := fs.String("split", "test", "split to evaluate: dev or test")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *model == "" {
		return errors.New("--model is required")
	}
	if *split != "dev" && *split != "test" {
		return fmt.Errorf("--split %q: want dev or test", *split)
	}
	task, err := tf.load()
	if err != nil {
		return err
	}
	opts := finetune.DefaultOptions()
	opts.MaxLength, opts.BatchSize, opts.Seed, opts.MaxEval = tf.maxLength, tf.batch, int64(tf.seed), tf.maxEval
	opts.MatchLabels = true
	dir, err := modelDir(*model, false)
	if err != nil {
		return err
	}
	tr, err := finetune.New(dir, task, opts)
	if err != nil {
		return err
	}
	if heads := tr.NewHeads(); len(heads) > 0 {
		return fmt.Errorf("%s has no trained head for task %s (missing or mis-shaped: %v); fine-tune it first", *model, task.Name, heads)
	}
	rep, err := tr.Evaluate(*split)
	if err != nil {
		return err
	}
	return json.NewEncoder(stdout).Encode(rep)
}
