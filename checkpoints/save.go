package checkpoints

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/deberta-go/lab/debertav3"
)

// StateDictOf returns the model's variables as a PyTorch-layout state dict (Linear weights transposed back to
// [out, in]), keyed as HF checkpoints, in ParamSpecs order. Every variable must have a value: load a checkpoint
// or run Forward (random initialisation) first.
func StateDictOf(m *debertav3.Model) ([]*Tensor, error) {
	var out []*Tensor
	for _, spec := range debertav3.ParamSpecs(m.Config, m.Options) {
		v := m.Context.InspectVariable(spec.Scope, spec.Name)
		if v == nil || !v.HasValue() {
			return nil, fmt.Errorf("variable %s has no value: load a checkpoint or run Forward first", spec.Key())
		}
		value, err := v.Value()
		if err != nil {
			return nil, fmt.Errorf("variable %s: %w", spec.Key(), err)
		}
		data, err := tensors.CopyFlatData[float32](value)
		if err != nil {
			return nil, fmt.Errorf("variable %s: %w", spec.Key(), err)
		}
		shape := spec.Shape
		if spec.Transposed {
			data = transpose2D(data, shape[0], shape[1])
			shape = checkpointShape(spec)
		}
		out = append(out, &Tensor{Name: spec.Key(), DType: "F32", Shape: append([]int{}, shape...), Data: data})
	}
	return out, nil
}

// Save writes the model as a HuggingFace checkpoint folder — config.json and model.safetensors with weights
// stored as dtype ("F32", "F16" or "BF16") — that Open and transformers' from_pretrained both load.
// Tied weights (the MLM decoder) are not duplicated, as transformers' save_pretrained does.
func Save(m *debertav3.Model, dir, dtype string) error {
	state, err := StateDictOf(m)
	if err != nil {
		return fmt.Errorf("saving to %s: %w", dir, err)
	}
	cfgJSON, err := m.Config.MarshalHF(m.Options)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), append(cfgJSON, '\n'), 0o644); err != nil {
		return err
	}
	return WriteSafetensors(filepath.Join(dir, "model.safetensors"), state, map[string]string{"format": "pt"}, dtype)
}
