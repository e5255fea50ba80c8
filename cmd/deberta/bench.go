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

	"github.com/deberta-go/lab/cpukernels"
	"github.com/deberta-go/lab/debertav3"
)

func init() {
	register("bench", "measure forward or training-step throughput of a model shape with random weights", runBench)
}

// benchResult is the JSON line bench prints last.
type benchResult struct {
	Shape       string              `json:"shape"`
	Mode        string              `json:"mode"`
	Batch       int                 `json:"batch"`
	Seq         int                 `json:"seq"`
	Backend     string              `json:"backend"`
	BLAS        string              `json:"blas"`
	TokensPerS  float64             `json:"tokens_per_s"`
	MsPerBatch  float64             `json:"ms_per_batch"`
	MsAll       []float64           `json:"ms_all"`
	ForwardGFLO float64             `json:"forward_gflop"`
	Counters    cpukernels.Counters `json:"cpu_kernels"`
	OpProfile   []cpukernels.OpTime `json:"op_profile,omitempty"`
}

func runBench(args []string, stdout io.Writer) error {
	fs := newFlags("bench", "--shape small-v3|xsmall --batch 8 --seq 128 --mode forward|train [--iters 7 --warmup 2 --op-profile]")
	shape := fs.String("shape", "small-v3", "model shape, one of "+strings.Join(debertav3.PresetNames(), ", ")+" (the presets of pretrain --preset)")
	batch := fs.Int("batch", 8, "batch size")
	seq := fs.Int("seq", 128, "sequence length")
	mode := fs.String("mode", "forward", "what to time: forward (inference, no dropout) or train (masked-LM step as bench/baselines/torch_cpu.json: dropout, 15% labelled, backward, AdamW)")
	iters := fs.Int("iters", 7, "timed iterations (the median is reported)")
	warmup := fs.Int("warmup", 2, "untimed iterations first (the first one compiles)")
	opProfile := fs.Bool("op-profile", false, "time each op type of the pure-Go backend during the timed iterations (table on stderr, op_profile in the JSON)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *mode != "forward" && *mode != "train" {
		return fmt.Errorf("--mode %q: want forward or train", *mode)
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
	backend, err := debertav3.Backend()
	if err != nil {
		return err
	}
	status, err := cpukernels.Install(backend)
	if err != nil {
		return err
	}
	step, err := benchStep(*mode, cfg, *batch, *seq)
	if err != nil {
		return err
	}
	times, err := timeSteps(step, *warmup, *iters, *opProfile)
	if err != nil {
		return err
	}
	sorted := slices.Clone(times)
	slices.Sort(sorted)
	median := sorted[len(sorted)/2]
	res := benchResult{
		Shape: *shape, Mode: *mode, Batch: *batch, Seq: *seq, Backend: backend.Name() + " (" + backend.Description() + ")",
		BLAS: status.BLAS, TokensPerS: float64(*batch**seq) / (median / 1000), MsPerBatch: median, MsAll: times,
		ForwardGFLO: float64(debertav3.ForwardFLOPs(cfg, *batch, *seq)) / 1e9, Counters: cpukernels.ReadCounters(),
	}
	if *opProfile {
		res.OpProfile = cpukernels.OpProfile()
		cpukernels.WriteOpProfile(os.Stderr, res.OpProfile)
	}
	line, err := json.Marshal(res)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, string(line))
	return err
}

// benchStep returns one iteration of the mode: a forward pass or a training step.
func benchStep(mode string, cfg *debertav3.Config, batch, seq int) (func() error, error) {
	if mode == "train" {
		return newMLMTrainStep(cfg, batch, seq)
	}
	m, err := debertav3.New(cfg, debertav3.Options{})
	if err != nil {
		return nil, err
	}
	in := randomInputs(batch, seq, cfg.VocabSize)
	return func() error { _, err := m.Forward(in); return err }, nil
}

// timeSteps runs warmup untimed and iters timed steps, with progress on stderr; it returns the times in ms.
// With opProfile, the op profile covers the timed steps only.
func timeSteps(step func() error, warmup, iters int, opProfile bool) ([]float64, error) {
	var times []float64
	for i := range warmup + iters {
		if opProfile && i == warmup {
			if err := cpukernels.StartOpProfile(); err != nil {
				return nil, err
			}
		}
		start := time.Now()
		if err := step(); err != nil {
			return nil, err
		}
		ms := float64(time.Since(start).Microseconds()) / 1000
		if i >= warmup {
			times = append(times, ms)
		}
		fmt.Fprintf(os.Stderr, "iteration %d/%d: %.1f ms%s\n", i+1, warmup+iters, ms, map[bool]string{true: " (warm-up)"}[i < warmup])
	}
	return times, nil
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
