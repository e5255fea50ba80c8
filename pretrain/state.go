package pretrain

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/deberta-go/lab/internal/atomicdir"
	"github.com/deberta-go/lab/internal/ctxstate"
)

// StateScope holds the trainer's bookkeeping variables saved with the checkpoint: "data_position" (int64,
// what the caller passes to SaveState: e.g. the number of batches consumed).
const StateScope = "/pretrain_state"

// CheckpointsKept is the number of most recent checkpoints SaveState keeps in the run folder.
const CheckpointsKept = 2

// ErrNoCheckpoint is returned (wrapped) by Resume for a run folder without a checkpoint yet.
var ErrNoCheckpoint = errors.New("no checkpoint to resume from")

// stepDirPrefix starts the name of a checkpoint folder: "step-00000042" holds the state after 42 updates.
const stepDirPrefix = "step-"

// SaveState writes the complete trainer state into runDir/checkpoint/step-NNNNNNNN (the number of updates done),
// whole (atomicdir.Write), with GoMLX's context checkpoints: every context variable — parameters, the AdamW
// moments and step counter (OptimizerScope, or both decoupled optimisers' scopes), the context RNG state
// ("#rngState") — and dataPosition (StateScope); it keeps the CheckpointsKept latest and returns the folder
// written. The first SaveState of a trainer that was not made by Resume(runDir) removes older checkpoints.
// config.json of the run folder (RunInfo, see CreateRun) must be written separately for Resume.
func (t *Trainer) SaveState(runDir string, dataPosition int64) (string, error) {
	dir := filepath.Join(runDir, CheckpointDir)
	if t.ckptDir != dir {
		if err := os.RemoveAll(dir); err != nil {
			return "", err
		}
		t.ckptDir = dir
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	pos := t.ctx.InAbsPath(StateScope).Checked(false).VariableWithValue("data_position", int64(0)).SetTrainable(false)
	if err := pos.SetValue(tensors.FromScalar(dataPosition)); err != nil {
		return "", err
	}
	step := filepath.Join(dir, fmt.Sprintf("%s%08d", stepDirPrefix, t.step))
	err := atomicdir.Write(step, true, func(tmp string) error { return ctxstate.Save(t.ctx, tmp, t.step) })
	if err != nil {
		return "", fmt.Errorf("pretrain: saving the trainer state to %s: %w", step, err)
	}
	steps, err := stepDirs(dir)
	if err != nil {
		return "", err
	}
	for _, old := range steps[:max(0, len(steps)-CheckpointsKept)] {
		if err := os.RemoveAll(old); err != nil {
			return "", err
		}
	}
	return step, nil
}

// stepDirs lists the checkpoint folders of dir, oldest first.
func stepDirs(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), stepDirPrefix) {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	slices.Sort(out) // zero-padded step numbers
	return out, nil
}

// latestCheckpoint returns the folder of the latest checkpoint of runDir: its last step-* folder, or
// checkpoint/ itself in run folders of older versions (GoMLX files directly inside).
func latestCheckpoint(runDir string) (string, error) {
	dir := filepath.Join(runDir, CheckpointDir)
	steps, err := stepDirs(dir)
	if errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("pretrain: %s: %w", runDir, ErrNoCheckpoint)
	} else if err != nil {
		return "", err
	}
	if len(steps) > 0 {
		return steps[len(steps)-1], nil
	}
	if legacy, _ := filepath.Glob(filepath.Join(dir, "checkpoint-*.json")); len(legacy) > 0 {
		return dir, nil
	}
	return "", fmt.Errorf("pretrain: %s: %w", runDir, ErrNoCheckpoint)
}

// TrainState is what Resume restored besides the variables.
type TrainState struct {
	// Step is the number of updates done.
	Step int
	// DataPosition is the value given to the SaveState that wrote the checkpoint.
	DataPosition int64
	// Info is the run's config.json.
	Info RunInfo
	// Checkpoint is the folder the state was read from.
	Checkpoint string
}

// Resume rebuilds a Trainer from a run folder: the Config and TrainOptions of config.json (backend: nil for
// debertav3.Backend()) and the latest checkpoint of SaveState, so that continuing with the same batches gives
// bit-identical results to a run that never stopped. Later SaveState calls add checkpoints to the same folder.
// A run folder without a checkpoint gives ErrNoCheckpoint.
func Resume(runDir string, backend backends.Backend) (*Trainer, TrainState, error) {
	var st TrainState
	info, err := ReadRunInfo(runDir)
	if err != nil {
		return nil, st, err
	}
	cfg, err := info.Config()
	if err != nil {
		return nil, st, fmt.Errorf("%s: %w", filepath.Join(runDir, RunConfigFile), err)
	}
	opts := info.TrainOptions()
	opts.Backend = backend
	t, err := NewTrainer(cfg, opts)
	if err != nil {
		return nil, st, err
	}
	dir, err := latestCheckpoint(runDir)
	if err != nil {
		return nil, st, err
	}
	if err := ctxstate.Load(t.ctx, dir); err != nil {
		return nil, st, fmt.Errorf("pretrain: %w", err)
	}
	t.ckptDir = filepath.Join(runDir, CheckpointDir)
	step := t.ctx.GetVariableByScopeAndName(t.opts.stepScope(), "step")
	pos := t.ctx.GetVariableByScopeAndName(StateScope, "data_position")
	rng := t.ctx.GetVariableByScopeAndName(context.RootScope, context.RNGStateVariableName)
	if step == nil || pos == nil || rng == nil {
		return nil, st, fmt.Errorf("pretrain: %s holds no complete trainer state (optimizer step %v, data position %v, RNG %v)",
			dir, step != nil, pos != nil, rng != nil)
	}
	t.step = int(tensors.ToScalar[int64](step.MustValue()))
	st = TrainState{Step: t.step, DataPosition: tensors.ToScalar[int64](pos.MustValue()), Info: info, Checkpoint: dir}
	return t, st, nil
}
