package nbkit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/deberta-go/lab/defaultmodel"
	"github.com/deberta-go/lab/finetune"
	"github.com/deberta-go/lab/internal/atomicdir"
)

// FinetuneRun is a fine-tuning started from a notebook — what `deberta finetune` runs, through the same
// finetune.Trainer.Train — and the folder that keeps it.
type FinetuneRun struct {
	Task    string           `json:"task"`  // a finetune.LoadTask name: built-in, or tsv:/csv:/jsonl:/conll:PATH
	Model   string           `json:"model"` // a model reference (folder or hub id); "": the built-in discriminator
	Options finetune.Options `json:"options"`
	// Dir holds the run: run.json (these settings) with results.json (and model/ with SaveModel) once it
	// finished, or with checkpoint/ (the trainer state) while it is stopped.
	Dir       string `json:"-"`
	SaveModel bool   `json:"-"`
}

// Files of a FinetuneRun's folder.
const (
	runSettingsFile = "run.json"
	runResultsFile  = "results.json"
	runCheckpoint   = "checkpoint"
	runModelDir     = "model"
)

// settings is the run.json of r.
func (r FinetuneRun) settings() ([]byte, error) { return json.MarshalIndent(r, "", "  ") }

// state reports what r.Dir holds for r's settings: "finished", "stopped", or "" (nothing, or another run's).
func (r FinetuneRun) state() (string, error) {
	want, err := r.settings()
	if err != nil {
		return "", err
	}
	got, err := os.ReadFile(filepath.Join(r.Dir, runSettingsFile))
	if errors.Is(err, os.ErrNotExist) || (err == nil && !bytes.Equal(got, want)) {
		return "", nil
	} else if err != nil {
		return "", err
	}
	if _, err := os.Stat(filepath.Join(r.Dir, runResultsFile)); err == nil {
		return "finished", nil
	}
	if _, err := os.Stat(filepath.Join(r.Dir, runCheckpoint)); err == nil {
		return "stopped", nil
	}
	return "", nil
}

// Result reads the result of r when r.Dir holds it finished with r's settings (nil, nil otherwise).
func (r FinetuneRun) Result() (*finetune.Result, error) {
	if st, err := r.state(); err != nil || st != "finished" {
		return nil, err
	}
	return finetune.ReadResult(filepath.Join(r.Dir, runResultsFile))
}

// Train runs r shown on l (l.OnStep and l.Stopped become Options.OnStep and Options.Stop): from the state a
// stopped run of the same settings left in r.Dir, else from scratch. Finished, it replaces r.Dir whole with
// run.json, results.json (and model/) and returns the result; stopped by l.Stop at a step boundary, it replaces
// r.Dir with run.json and checkpoint/ (finetune.Trainer.SaveState) and returns a nil result. note says what
// happened, for the display.
func (r FinetuneRun) Train(l *LiveFinetune) (res *finetune.Result, note string, err error) {
	if r.Dir == "" {
		return nil, "", errors.New("nbkit: FinetuneRun needs a folder (Dir)")
	}
	settings, err := r.settings()
	if err != nil {
		return nil, "", err
	}
	st, err := r.state()
	if err != nil {
		return nil, "", err
	}
	tr, err := r.trainer(l)
	if err != nil {
		return nil, "", err
	}
	if st == "stopped" {
		if err := tr.LoadState(filepath.Join(r.Dir, runCheckpoint)); err != nil {
			return nil, "", err
		}
		note = fmt.Sprintf("continued from step %d (state of the stopped run in %s). ", tr.Step(), r.Dir)
	}
	res, err = tr.Train()
	stopped := errors.Is(err, finetune.ErrStopped)
	if err != nil && !stopped {
		return nil, "", err
	}
	err = atomicdir.Write(r.Dir, true, func(tmp string) error {
		if err := os.WriteFile(filepath.Join(tmp, runSettingsFile), settings, 0o644); err != nil {
			return err
		}
		switch {
		case stopped:
			dir := filepath.Join(tmp, runCheckpoint)
			if err := os.Mkdir(dir, 0o755); err != nil {
				return err
			}
			return tr.SaveState(dir)
		case r.SaveModel:
			if err := tr.Save(filepath.Join(tmp, runModelDir), "F32"); err != nil {
				return err
			}
		}
		return res.WriteJSON(filepath.Join(tmp, runResultsFile))
	})
	if err != nil {
		return nil, "", err
	}
	if stopped {
		return nil, note + fmt.Sprintf("Stopped after step %d; the state is saved in %s: run the cell again to continue.", tr.Step(), filepath.Join(r.Dir, runCheckpoint)), nil
	}
	return res, note + res.Summary(), nil
}

// trainer loads r's task and model and makes its Trainer, reporting to l.
func (r FinetuneRun) trainer(l *LiveFinetune) (*finetune.Trainer, error) {
	ref := r.Model
	if ref == "" {
		dir, err := defaultmodel.Dir(defaultmodel.Discriminator)
		if err != nil {
			return nil, err
		}
		ref = dir
	}
	task, err := finetune.LoadTask(r.Task, finetune.TaskOptions{})
	if err != nil {
		return nil, err
	}
	opts := r.Options
	opts.OnStep, opts.Stop = l.OnStep, l.Stopped
	return finetune.New(ref, task, opts)
}
