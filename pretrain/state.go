package pretrain

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/checkpoints"
)

// StateScope holds the trainer's bookkeeping variables saved with the checkpoint: "data_position" (int64,
// what the caller passes to SaveState: e.g. the number of batches consumed).
const StateScope = "/pretrain_state"

// CheckpointsKept is the number of most recent checkpoints SaveState keeps in the run folder.
const CheckpointsKept = 2

// SaveState writes the complete trainer state into runDir/checkpoint with GoMLX's context checkpoints: every
// context variable — parameters, the AdamW moments and step counter (OptimizerScope, or both decoupled
// optimisers' scopes), the context RNG state
// ("#rngState") — and dataPosition (StateScope). The number of updates done is the optimiser's step counter.
// The first SaveState of a trainer that was not made by Resume(runDir) removes older checkpoints of the folder.
// config.json of the run folder (RunInfo, see CreateRun) must be written separately for Resume.
func (t *Trainer) SaveState(runDir string, dataPosition int64) error {
	dir := filepath.Join(runDir, CheckpointDir)
	if t.ckpt == nil || t.ckptDir != dir {
		if err := os.RemoveAll(dir); err != nil {
			return err
		}
		h, err := checkpoints.Build(t.ctx).Dir(dir).Keep(CheckpointsKept).Done()
		if err != nil {
			return fmt.Errorf("pretrain: checkpoints in %s: %w", dir, err)
		}
		t.ckpt, t.ckptDir = h, dir
	}
	pos := t.ctx.InAbsPath(StateScope).Checked(false).VariableWithValue("data_position", int64(0)).SetTrainable(false)
	if err := pos.SetValue(tensors.FromScalar(dataPosition)); err != nil {
		return err
	}
	if err := t.ckpt.Save(); err != nil {
		return fmt.Errorf("pretrain: saving the trainer state to %s: %w", dir, err)
	}
	return nil
}

// TrainState is what Resume restored besides the variables.
type TrainState struct {
	// Step is the number of updates done.
	Step int
	// DataPosition is the value given to the SaveState that wrote the checkpoint.
	DataPosition int64
	// Info is the run's config.json.
	Info RunInfo
}

// Resume rebuilds a Trainer from a run folder: the Config and TrainOptions of config.json (backend: nil for
// debertav3.Backend()) and the latest checkpoint of SaveState, so that continuing with the same batches gives
// bit-identical results to a run that never stopped. Later SaveState calls add checkpoints to the same folder.
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
	dir := filepath.Join(runDir, CheckpointDir)
	if _, err := os.Stat(dir); err != nil {
		return nil, st, fmt.Errorf("pretrain: no checkpoint to resume from: %w", err)
	}
	h, err := checkpoints.Build(t.ctx).Dir(dir).Keep(CheckpointsKept).Immediate().Done()
	if err != nil {
		return nil, st, fmt.Errorf("pretrain: loading %s: %w", dir, err)
	}
	t.ckpt, t.ckptDir = h, dir
	step := t.ctx.GetVariableByScopeAndName(t.opts.stepScope(), "step")
	pos := t.ctx.GetVariableByScopeAndName(StateScope, "data_position")
	rng := t.ctx.GetVariableByScopeAndName(context.RootScope, context.RNGStateVariableName)
	if step == nil || pos == nil || rng == nil {
		return nil, st, fmt.Errorf("pretrain: %s holds no complete trainer state (optimizer step %v, data position %v, RNG %v)",
			dir, step != nil, pos != nil, rng != nil)
	}
	t.step = int(tensors.ToScalar[int64](step.MustValue()))
	st = TrainState{Step: t.step, DataPosition: tensors.ToScalar[int64](pos.MustValue()), Info: info}
	return t, st, nil
}
