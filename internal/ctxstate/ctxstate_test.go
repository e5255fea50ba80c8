package ctxstate_test

import (
	"path/filepath"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/deberta-go/lab/internal/ctxstate"
)

// TestSaveLoad: the variables come back with their values, and the files carry the step.
func TestSaveLoad(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	ctx := context.New()
	ctx.In("layer").VariableWithValue("w", []float32{1, 2, 3})
	if err := ctxstate.Save(ctx, dir, 42); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "checkpoint-step-00000042.*"))
	if len(files) != 2 {
		t.Errorf("files %v: want checkpoint-step-00000042.json and .bin", files)
	}
	back := context.New()
	if err := ctxstate.Load(back, dir); err != nil {
		t.Fatal(err)
	}
	v := back.GetVariableByScopeAndName("/layer", "w")
	if v == nil {
		t.Fatal("variable not restored")
	}
	if got := tensors.MustCopyFlatData[float32](v.MustValue()); len(got) != 3 || got[2] != 3 {
		t.Errorf("restored %v", got)
	}
	if err := ctxstate.Load(context.New(), filepath.Join(t.TempDir(), "none")); err == nil {
		t.Error("missing folder: no error")
	}
}
