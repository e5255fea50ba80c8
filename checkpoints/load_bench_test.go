package checkpoints_test

import (
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/deberta-go/lab/checkpoints"
	"github.com/deberta-go/lab/debertav3"
)

// writeRandomCheckpoint writes a deberta-v3-base-shaped checkpoint (184M parameters) with deterministic
// pseudo-random weights stored as F16, as Microsoft's released files are, and its config.json.
func writeRandomCheckpoint(b *testing.B, dir string) int64 {
	b.Helper()
	cfg, err := debertav3.Preset("deberta-v3-base")
	if err != nil {
		b.Fatal(err)
	}
	var state []*checkpoints.Tensor
	x := uint32(1)
	for _, spec := range debertav3.ParamSpecs(cfg, debertav3.Options{}) {
		data := make([]float32, spec.Size())
		for i := range data {
			x = x*1664525 + 1013904223
			data[i] = (float32(x>>8)/(1<<24) - 0.5) * 0.04
		}
		shape := spec.Shape
		if spec.Transposed {
			shape = []int{shape[1], shape[0]}
		}
		state = append(state, &checkpoints.Tensor{Name: spec.Key(), DType: "F32", Shape: shape, Data: data})
	}
	if err := checkpoints.WriteSafetensors(filepath.Join(dir, "model.safetensors"), state, nil, "F16"); err != nil {
		b.Fatal(err)
	}
	cfgJSON, err := cfg.MarshalHF(debertav3.Options{})
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), cfgJSON, 0o644); err != nil {
		b.Fatal(err)
	}
	info, err := os.Stat(filepath.Join(dir, "model.safetensors"))
	if err != nil {
		b.Fatal(err)
	}
	return info.Size()
}

// peakRSSMiB reads the process's peak resident set size (VmHWM) from /proc; 0 where unavailable.
func peakRSSMiB() float64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return float64(kb) / 1024
		}
	}
	return 0
}

// BenchmarkOpenBaseF16 measures checkpoints.Open of a base-sized (184M parameters) F16 safetensors folder:
// mmap, F16 → F32 conversion, strict matching, transposes and setting the variables. Reports the peak RSS of
// the benchmark process (an upper bound: the process also generated the file), the allocations per load (B/op)
// and the file size.
func BenchmarkOpenBaseF16(b *testing.B) {
	dir := b.TempDir()
	size := writeRandomCheckpoint(b, dir)
	runtime.GC()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		m, report, err := checkpoints.Open(dir, checkpoints.OpenOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if report.Parameters < 180_000_000 {
			b.Fatalf("loaded %d parameters", report.Parameters)
		}
		m.Context.Finalize() // free the variables before the next iteration
	}
	b.StopTimer()
	b.ReportMetric(peakRSSMiB(), "peak-RSS-MiB")
	b.ReportMetric(float64(size)/(1<<20), "file-MiB")
}
