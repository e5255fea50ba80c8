package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/deberta-go/lab/debertav3"
)

func init() {
	register("bench", "measure forward throughput of a model shape with random weights", runBench)
}

// benchResult is the JSON line bench prints last.
type benchResult struct {
	Shape       string    `json:"shape"`
	Mode        string    `json:"mode"`
	Batch       int       `json:"batch"`
	Seq         int       `json:"seq"`
	Backend     string    `json:"backend"`
	TokensPerS  float64   `json:"tokens_per_s"`
	MsPerBatch  float64   `json:"ms_per_batch"`
	MsAll       []float64 `json:"ms_all"`
	ForwardGFLO float64   `json:"forward_gflop"`
}

func runBench(args []string, stdout io.Writer) error {
	fs := newFlags("bench", "--shape small-v3|xsmall --batch 8 --seq 128 --mode forward [--iters 7 --warmup 2]")
	shape := fs.String("shape", "small-v3", "model shape, one of "+strings.Join(debertav3.PresetNames(), ", ")+" (the presets of pretrain --preset)")
	batch := fs.Int("batch", 8, "batch size")
	seq := fs.Int("seq", 128, "sequence length")
	mode := fs.String("mode", "forward", "what to time: forward (inference, no dropout)")
	iters := fs.Int("iters", 7, "timed iterations (the median is reported)")
	warmup := fs.Int("warmup", 2, "untimed iterations first (the first one compiles)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *mode != "forward" {
		return fmt.Errorf("--mode %q: only \"forward\" is measured by this command", *mode)
	}
	if *batch <= 0 || *seq <= 0 || *iters <= 0 || *warmup < 0 {
		return fmt.Errorf("--batch, --seq and --iters must be > 0 and --warmup >= 0")
	}
	cfg, err := debertav3.Preset(*shape)
	if err != nil {
		return err
	}
	if *seq > cfg.MaxPositionEmbeddings {
		return fmt.Errorf("--seq %d exceeds max_position_embeddings %d of %s", *seq, cfg.MaxPositionEmbeddings, *shape)
	}
	m, err := debertav3.New(cfg, debertav3.Options{})
	if err != nil {
		return err
	}
	in := randomInputs(*batch, *seq, cfg.VocabSize)
	var times []float64
	for i := range *warmup + *iters {
		start := time.Now()
		if _, err := m.Forward(in); err != nil {
			return err
		}
		ms := float64(time.Since(start).Microseconds()) / 1000
		if i >= *warmup {
			times = append(times, ms)
		}
		fmt.Fprintf(os.Stderr, "iteration %d/%d: %.1f ms%s\n", i+1, *warmup+*iters, ms, map[bool]string{true: " (warm-up)"}[i < *warmup])
	}
	sorted := slices.Clone(times)
	slices.Sort(sorted)
	median := sorted[len(sorted)/2]
	res := benchResult{
		Shape: *shape, Mode: *mode, Batch: *batch, Seq: *seq, Backend: m.Backend.Name() + " (" + m.Backend.Description() + ")",
		TokensPerS: float64(*batch**seq) / (median / 1000), MsPerBatch: median, MsAll: times,
		ForwardGFLO: float64(debertav3.ForwardFLOPs(cfg, *batch, *seq)) / 1e9,
	}
	line, err := json.Marshal(res)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, string(line))
	return err
}

// randomInputs returns deterministic pseudo-random ids in [4, vocab) and an all-ones mask.
func randomInputs(batch, seq, vocab int) debertav3.Inputs {
	ids := make([]int32, batch*seq)
	mask := make([]int32, batch*seq)
	x := uint32(12345)
	for i := range ids {
		x = x*1664525 + 1013904223
		ids[i] = int32(4 + int(x>>8)%(vocab-4))
		mask[i] = 1
	}
	return debertav3.Inputs{
		InputIDs:      tensors.FromFlatDataAndDimensions(ids, batch, seq),
		AttentionMask: tensors.FromFlatDataAndDimensions(mask, batch, seq),
	}
}
