package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/deberta-go/lab/finetune"
	"github.com/deberta-go/lab/internal/atomicdir"
)

// Files of an interrupted fine-tuning's --out folder: the trainer state and the flags of the run.
const (
	finetuneStateDir  = "checkpoint"
	finetuneFlagsFile = "flags.json"
)

// finetuneResumeFlags are the flags a resumed fine-tuning may set; the others come from the interrupted run.
var finetuneResumeFlags = map[string]bool{"out": true, "resume": true}

// restoreFlags sets the flags of the interrupted run in out that the command line does not set, and refuses
// the ones it sets to other values (naming them).
func restoreFlags(fs *flag.FlagSet, out string) error {
	b, err := os.ReadFile(filepath.Join(out, finetuneStateDir, finetuneFlagsFile))
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("--resume: %s holds no interrupted fine-tuning (no %s/%s)", out, finetuneStateDir, finetuneFlagsFile)
	} else if err != nil {
		return err
	}
	var recorded map[string]string
	if err := json.Unmarshal(b, &recorded); err != nil {
		return fmt.Errorf("%s: %w", filepath.Join(out, finetuneStateDir, finetuneFlagsFile), err)
	}
	if diffs := flagDiffs(fs, recorded, finetuneResumeFlags); len(diffs) > 0 {
		return settingsError(out, diffs)
	}
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	for name, value := range recorded {
		if fs.Lookup(name) != nil && !set[name] && !finetuneResumeFlags[name] {
			if err := fs.Set(name, value); err != nil {
				return fmt.Errorf("--resume: flag --%s of the run: %w", name, err)
			}
		}
	}
	return nil
}

// saveInterrupted replaces out whole with the trainer's state and the run's flags, for --resume.
func saveInterrupted(fs *flag.FlagSet, tr *finetune.Trainer, out string) (string, error) {
	flags := map[string]string{}
	fs.VisitAll(func(fl *flag.Flag) {
		if !finetuneResumeFlags[fl.Name] {
			flags[fl.Name] = flagValue(fl)
		}
	})
	b, err := json.MarshalIndent(flags, "", "  ")
	if err != nil {
		return "", err
	}
	err = atomicdir.Write(out, true, func(tmp string) error {
		dir := filepath.Join(tmp, finetuneStateDir)
		if err := os.Mkdir(dir, 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, finetuneFlagsFile), b, 0o644); err != nil {
			return err
		}
		return tr.SaveState(dir)
	})
	return filepath.Join(out, finetuneStateDir), err
}
