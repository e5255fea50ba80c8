// Package ctxstate saves and loads every variable of a GoMLX context (weights, optimiser moments, RNG state)
// as one GoMLX checkpoint in a folder of its own, its files named by the training step they hold
// ("checkpoint-step-00000042.json" and ".bin"): the resumable state of the project's trainers.
package ctxstate

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/checkpoints"
)

// Save writes every variable of ctx into the folder dir (created; it must not hold another checkpoint) as the
// state after step steps.
func Save(ctx *context.Context, dir string, step int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	h, err := checkpoints.Build(ctx).Dir(dir).Done()
	if err != nil {
		return err
	}
	if err := h.Save(); err != nil {
		return err
	}
	// GoMLX names the files by its own counter and global step, which the trainers do not use.
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	base := fmt.Sprintf("checkpoint-step-%08d", step)
	for _, e := range entries {
		if err := os.Rename(filepath.Join(dir, e.Name()), filepath.Join(dir, base+filepath.Ext(e.Name()))); err != nil {
			return err
		}
	}
	return nil
}

// Load sets the variables of ctx (creating those it lacks) from the checkpoint in dir.
func Load(ctx *context.Context, dir string) error {
	if _, err := os.Stat(dir); err != nil {
		return err
	}
	if _, err := checkpoints.Build(ctx).Dir(dir).Immediate().Done(); err != nil {
		return fmt.Errorf("loading %s: %w", dir, err)
	}
	return nil
}
