package finetune

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/deberta-go/lab/checkpoints"
	"github.com/deberta-go/lab/internal/ctxstate"
)

// ErrStopped is returned by Train when Options.Stop asked it to stop.
var ErrStopped = errors.New("finetune: training stopped")

// loop is Train's state between two steps; SaveState writes it and LoadState reads it back.
type loop struct {
	Step    int     `json:"step"`
	Order   []int   `json:"order"` // example order left in the current pass
	PCG     []byte  `json:"pcg"`   // the order generator's state
	LossSum float64 `json:"loss_sum"`
	LossN   int     `json:"loss_n"`
	Result  *Result `json:"result"` // so far: history, best step and its dev report
	// TrainSeconds is the time of the Result's TimedExamples (steps but the first of each Train call).
	TrainSeconds float64 `json:"train_seconds"`

	pcg  *rand.PCG
	best map[string]*tensors.Tensor // the weights of the best dev evaluation (nil before the first)
}

// Files of a SaveState folder.
const (
	stateFile    = "train_state.json"
	variablesDir = "variables" // GoMLX checkpoint of every context variable: weights, AdamW moments, RNG
	bestFile     = "best.safetensors"
)

// SaveState writes into the empty folder dir what LoadState needs to continue an interrupted Train exactly:
// every context variable (weights, AdamW moments and step, the RNG state), the example order and its
// generator, the running loss, the result so far and the best weights.
func (t *Trainer) SaveState(dir string) error {
	l := t.loop
	if l == nil {
		return errors.New("finetune: SaveState before Train")
	}
	var err error
	l.Step = t.step
	if l.PCG, err = l.pcg.MarshalBinary(); err != nil {
		return err
	}
	b, err := json.Marshal(l)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, stateFile), b, 0o644); err != nil {
		return err
	}
	if err := ctxstate.Save(t.model.Context, filepath.Join(dir, variablesDir), t.step); err != nil {
		return err
	}
	if l.best == nil {
		return nil
	}
	var best []*checkpoints.Tensor
	for name, v := range l.best {
		data, err := tensors.CopyFlatData[float32](v)
		if err != nil {
			return err
		}
		best = append(best, &checkpoints.Tensor{Name: name, DType: "F32", Shape: v.Shape().Dimensions, Data: data})
	}
	return checkpoints.WriteSafetensors(filepath.Join(dir, bestFile), best, nil, "F32")
}

// LoadState restores the state SaveState wrote into dir: the next Train continues from there. The Trainer must
// be made by New with the same model, task and options.
func (t *Trainer) LoadState(dir string) error {
	b, err := os.ReadFile(filepath.Join(dir, stateFile))
	if err != nil {
		return fmt.Errorf("finetune: no saved state: %w", err)
	}
	l := &loop{pcg: &rand.PCG{}}
	if err := json.Unmarshal(b, l); err != nil {
		return fmt.Errorf("%s: %w", filepath.Join(dir, stateFile), err)
	}
	if err := l.pcg.UnmarshalBinary(l.PCG); err != nil {
		return fmt.Errorf("%s: %w", filepath.Join(dir, stateFile), err)
	}
	if l.Result == nil || l.Step <= 0 || l.Step > t.totalSteps() || l.Result.Steps != t.totalSteps() {
		return fmt.Errorf("%s: step %d does not fit a run of %d steps", filepath.Join(dir, stateFile), l.Step, t.totalSteps())
	}
	if err := ctxstate.Load(t.model.Context, filepath.Join(dir, variablesDir)); err != nil {
		return fmt.Errorf("finetune: %w", err)
	}
	if l.best, err = readBest(filepath.Join(dir, bestFile)); err != nil {
		return err
	}
	t.step, t.loop = l.Step, l
	return nil
}

// readBest reads the best weights (nil when the file does not exist: no evaluation yet).
func readBest(path string) (map[string]*tensors.Tensor, error) {
	ts, _, err := checkpoints.ReadSafetensors(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	out := make(map[string]*tensors.Tensor, len(ts))
	for name, v := range ts {
		out[name] = tensors.FromFlatDataAndDimensions(v.Data, v.Shape...)
	}
	return out, nil
}
