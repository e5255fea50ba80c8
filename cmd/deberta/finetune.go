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
	register("finetune", "fine-tune a model on a task (brown-pos, brown-genre, spam, spam-hard, tsv:/csv:/jsonl:/conll:PATH)", runFinetune)
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
	fs.StringVar(&f.name, "task", "", "task: brown-pos, brown-pos-full, brown-genre, spam, spam-hard, or tsv:PATH, csv:PATH, jsonl:PATH, conll:PATH (a file, split by id/document, or a folder with train.* and dev.*)")
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

func runFinetune(args []string, stdout io.Writer) error {
	fs := newFlags("finetune", "--task NAME [--model DIR|owner/name] --out DIR [--steps N | --epochs E] [--lr LR] [--seed S] ...")
	var tf taskFlags
	tf.register(fs)
	model := fs.String("model", "", "pre-trained model: a local HF folder (with spm.model) or a hub id owner/name[@revision]; default: the built-in "+defaultmodel.Name+" discriminator")
	out := fs.String("out", "", "output folder: results.json and model/ (the best weights as a HF folder)")
	steps := fs.Int("steps", 0, "training steps (0: --epochs passes over the training split)")
	epochs := fs.Float64("epochs", 3, "passes over the training split when --steps is 0")
	lr := fs.Float64("lr", 1e-4, "peak learning rate (10% warmup, then linear decay)")
	warmup := fs.Float64("warmup", 0.1, "warmup fraction of the steps")
	evalEvery := fs.Int("eval-every", 0, "evaluate dev every N steps and keep the best weights (0: once per epoch)")
	maxTrain := fs.Int("max-train", 0, "train on N training examples only (a fixed random subset; 0 = all)")
	dtype := fs.String("save-dtype", "F32", "dtype of the saved model: F32, F16 or BF16")
	noSave := fs.Bool("no-save", false, "do not save the model, only results.json")
	overwrite := fs.Bool("overwrite", false, "replace an existing non-empty --out folder whole")
	allowUnseen := fs.Bool("allow-unseen-labels", false, "accept dev/test labels that train lacks (the head gets classes it never trains on)")
	resume := fs.Bool("resume", false, "continue the fine-tuning interrupted (SIGINT, SIGTERM) in --out, with its flags")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case *out == "":
		return errors.New("--out is required")
	case *resume && *overwrite:
		return errors.New("--resume continues the run in --out, --overwrite replaces it: choose one")
	case *resume:
		if err := restoreFlags(fs, *out); err != nil {
			return err
		}
	}
	if err := checkpoints.CheckSaveDType(*dtype); err != nil {
		return fmt.Errorf("--save-dtype: %w", err)
	}
	if err := atomicdir.Check(*out, *overwrite || *resume); err != nil {
		return fmt.Errorf("--out: %w, or --resume to continue an interrupted run", err)
	}
	if *model == "" {
		dir, err := defaultmodel.Dir(defaultmodel.Discriminator)
		if err != nil {
			return err
		}
		*model = dir
	}
	opts := finetune.DefaultOptions()
	opts.MaxLength, opts.BatchSize, opts.Seed, opts.MaxEval = tf.maxLength, tf.batch, int64(tf.seed), tf.maxEval
	opts.Steps, opts.Epochs, opts.LR, opts.WarmupFraction, opts.EvalEvery, opts.MaxTrain = *steps, *epochs, *lr, *warmup, *evalEvery, *maxTrain
	if err := opts.Validate(); err != nil {
		return err
	}
	task, err := tf.load()
	if err != nil {
		return err
	}
	if unseen := task.UnseenLabels(); len(unseen) > 0 && !*allowUnseen {
		return fmt.Errorf("task %s: dev/test hold labels that train lacks: %s (the head would never train on them); fix the split or pass --allow-unseen-labels", task.Name, strings.Join(unseen, ", "))
	}
	opts.Progress = os.Stderr
	stop := watchStop()
	defer stop.release()
	opts.Stop = func() bool { return stop.stopped() != nil }
	train, dev, test := task.Sizes()
	fmt.Fprintf(os.Stderr, "task %s (%s): %d train, %d dev, %d test examples, %d labels\n", task.Name, task.Kind, train, dev, test, len(task.Labels))
	tr, err := finetune.New(*model, task, opts)
	if err != nil {
		return err
	}
	if *resume {
		if err := tr.LoadState(filepath.Join(*out, finetuneStateDir)); err != nil {
			return err
		}
	}
	res, err := tr.Train()
	if errors.Is(err, finetune.ErrStopped) {
		saved, err := saveInterrupted(fs, tr, *out)
		if err != nil {
			return err
		}
		return &interruptedError{signal: stop.stopped(), step: tr.Step(), saved: saved, resume: "deberta finetune --out " + *out + " --resume"}
	} else if err != nil {
		return err
	}
	err = atomicdir.Write(*out, *overwrite || *resume, func(tmp string) error {
		if err := res.WriteJSON(filepath.Join(tmp, "results.json")); err != nil || *noSave {
			return err
		}
		return tr.Save(filepath.Join(tmp, "model"), *dtype)
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
	model := fs.String("model", "", "fine-tuned model folder (or hub id) whose head fits the task's labels")
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
	tr, err := finetune.New(*model, task, opts)
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
