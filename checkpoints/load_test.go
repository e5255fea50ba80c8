package checkpoints_test

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/deberta-go/lab/checkpoints"
	"github.com/deberta-go/lab/debertav3"
	"github.com/deberta-go/lab/internal/testutil"
)

// forwardGolden runs the model on tiny-v3's golden inputs.
func forwardGolden(t *testing.T, m *debertav3.Model) *debertav3.Outputs {
	t.Helper()
	out, err := m.Forward(debertav3.Inputs{
		InputIDs:      int32Tensor(golden(t, "tiny-v3", "input_ids")),
		AttentionMask: int32Tensor(golden(t, "tiny-v3", "attention_mask")),
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func maxAbsDiff(a, b *tensors.Tensor) float64 {
	x, y := tensors.MustCopyFlatData[float32](a), tensors.MustCopyFlatData[float32](b)
	d := 0.0
	for i := range x {
		d = math.Max(d, math.Abs(float64(x[i])-float64(y[i])))
	}
	return d
}

// TestSaveLoadRoundTrip: save → load gives identical outputs (F32) or outputs within the dtype's precision.
func TestSaveLoadRoundTrip(t *testing.T) {
	for _, dir := range []string{"mlm", "mlm-lmpred", "cls"} {
		src, _, err := checkpoints.Open(testutil.Fixture("tiny-v3", dir), checkpoints.OpenOptions{})
		if err != nil {
			t.Fatal(err)
		}
		want := forwardGolden(t, src)
		for _, c := range []struct {
			dtype string
			tol   float64
		}{{"F32", 0}, {"F16", 2e-2}, {"BF16", 2e-1}} {
			out := filepath.Join(t.TempDir(), dir)
			if err := checkpoints.Save(src, out, c.dtype); err != nil {
				t.Fatal(err)
			}
			back, report, err := checkpoints.Open(out, checkpoints.OpenOptions{})
			if err != nil {
				t.Fatalf("%s %s: %v", dir, c.dtype, err)
			}
			if len(report.Unknown) > 0 || len(report.Ignored) > 0 || report.DTypes[c.dtype] != report.Loaded {
				t.Errorf("%s %s: report %+v", dir, c.dtype, report)
			}
			got := forwardGolden(t, back)
			pairs := [][2]*tensors.Tensor{{want.LastHiddenState, got.LastHiddenState}, {want.MLMLogits, got.MLMLogits}, {want.Logits, got.Logits}}
			for _, p := range pairs {
				if p[0] == nil {
					continue
				}
				if d := maxAbsDiff(p[0], p[1]); d > c.tol || (c.dtype != "F32" && d == 0) {
					t.Errorf("%s %s: max |diff| after round trip = %g (tolerance %g)", dir, c.dtype, d, c.tol)
				}
			}
		}
	}
}

// writeCheckpoint saves a copy of tiny-v3/base with its state dict edited by edit.
func writeCheckpoint(t *testing.T, edit func(state []*checkpoints.Tensor) []*checkpoints.Tensor) string {
	t.Helper()
	m, _, err := checkpoints.Open(testutil.Fixture("tiny-v3", "base"), checkpoints.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	state, err := checkpoints.StateDictOf(m)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfg, _ := os.ReadFile(testutil.Fixture("tiny-v3", "base", "config.json"))
	if err := os.WriteFile(filepath.Join(dir, "config.json"), cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := checkpoints.WriteSafetensors(filepath.Join(dir, "model.safetensors"), edit(state), nil, "F32"); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestLoadErrors(t *testing.T) {
	drop := func(key string) func([]*checkpoints.Tensor) []*checkpoints.Tensor {
		return func(s []*checkpoints.Tensor) []*checkpoints.Tensor {
			var out []*checkpoints.Tensor
			for _, x := range s {
				if x.Name != key {
					out = append(out, x)
				}
			}
			return out
		}
	}
	reshape := func(key string) func([]*checkpoints.Tensor) []*checkpoints.Tensor {
		return func(s []*checkpoints.Tensor) []*checkpoints.Tensor {
			for _, x := range s {
				if x.Name == key {
					x.Shape = []int{x.Shape[1], x.Shape[0]} // a non-square Linear weight stored untransposed.
				}
			}
			return s
		}
	}
	extra := func(s []*checkpoints.Tensor) []*checkpoints.Tensor {
		return append(s, &checkpoints.Tensor{Name: "something.new.weight", DType: "F32", Shape: []int{2}, Data: []float32{1, 2}})
	}
	cases := []struct {
		name    string
		edit    func([]*checkpoints.Tensor) []*checkpoints.Tensor
		wantErr []string
	}{
		{"missing key", drop("deberta.encoder.layer.1.output.dense.bias"), []string{"missing", "deberta.encoder.layer.1.output.dense.bias"}},
		{"shape mismatch", reshape("deberta.encoder.layer.0.intermediate.dense.weight"), []string{"shape", "deberta.encoder.layer.0.intermediate.dense.weight", "[32 64]"}},
	}
	for _, c := range cases {
		_, _, err := checkpoints.Open(writeCheckpoint(t, c.edit), checkpoints.OpenOptions{})
		for _, want := range c.wantErr {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%s: error %v, want it to mention %q", c.name, err, want)
			}
		}
	}
	_, report, err := checkpoints.Open(writeCheckpoint(t, extra), checkpoints.OpenOptions{})
	if err != nil || len(report.Unknown) != 1 || report.Unknown[0] != "something.new.weight" {
		t.Errorf("unknown key: err %v, report %+v", err, report)
	}
}

func TestOpenBadConfig(t *testing.T) {
	dir := writeCheckpoint(t, func(s []*checkpoints.Tensor) []*checkpoints.Tensor { return s })
	for _, c := range []struct{ config, want string }{
		{`{"hidden_size": 32,`, "config.json"},
		{`{"hidden_size": 32, "num_attention_heads": 4, "conv_kernel_size": 3}`, "conv_kernel_size"},
		{`{"vocab_size": 128, "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 64, "max_position_embeddings": 128, "position_buckets": 16}`, ""},
	} {
		if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(c.config), 0o644); err != nil {
			t.Fatal(err)
		}
		_, _, err := checkpoints.Open(dir, checkpoints.OpenOptions{})
		if c.want == "" {
			if err != nil {
				t.Errorf("minimal hub-style config: %v", err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("config %s: error %v, want it to mention %q", c.config, err, c.want)
		}
	}
	if _, _, err := checkpoints.Open(t.TempDir(), checkpoints.OpenOptions{}); err == nil || !strings.Contains(err.Error(), "config.json") {
		t.Errorf("empty folder: %v", err)
	}
}
