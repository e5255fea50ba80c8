package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/deberta-go/lab/pretrain"
)

// resumeFlags are the flags a resumed run may set; the others must agree with the run's config.json.
var resumeFlags = map[string]bool{"out": true, "resume": true, "log-every": true, "save-every": true,
	"analyze-every": true, "stop-at": true, "no-export": true}

// resumeInfo reads the config.json of the run being resumed, refuses flags that differ from it (naming them)
// and restores the data settings.
func (f *pretrainFlags) resumeInfo(fs *flag.FlagSet) (pretrain.RunInfo, error) {
	info, err := pretrain.ReadRunInfo(f.out)
	if errors.Is(err, os.ErrNotExist) || (err == nil && (info.Sharing == "" || len(info.Discriminator) == 0)) {
		return info, fmt.Errorf("--resume: %s is not a run folder (no %s of `deberta pretrain`)", f.out, pretrain.RunConfigFile)
	} else if err != nil {
		return info, err
	}
	recorded, err := recordedFlags(info)
	if err != nil {
		return info, fmt.Errorf("%s: %w", filepath.Join(f.out, pretrain.RunConfigFile), err)
	}
	if diffs := flagDiffs(fs, recorded, resumeFlags); len(diffs) > 0 {
		return info, settingsError(f.out, diffs)
	}
	return info, f.fromInfo(info)
}

// flagDiffs lists the flags set on the command line, other than the free ones, whose value differs from
// recorded (by name), as "--name value (run: recorded value)".
func flagDiffs(fs *flag.FlagSet, recorded map[string]string, free map[string]bool) []string {
	var diffs []string
	fs.Visit(func(fl *flag.Flag) {
		if got := flagValue(fl); !free[fl.Name] && got != recorded[fl.Name] {
			diffs = append(diffs, fmt.Sprintf("--%s %s (run: %s)", fl.Name, got, recorded[fl.Name]))
		}
	})
	return diffs
}

// flagValue is the flag's value as recorded: fmt.Sprint of its typed value (e.g. 0.0005 for --lr 5e-4).
func flagValue(fl *flag.Flag) string { return fmt.Sprint(fl.Value.(flag.Getter).Get()) }

// settingsError refuses to resume the run in out with flags that differ from its settings.
func settingsError(out string, diffs []string) error {
	return fmt.Errorf("--resume: the run in %s has other settings: %s; drop these flags to continue it, or start again (--overwrite)",
		out, strings.Join(diffs, ", "))
}

// recordedFlags are the flag values a run's config.json records, by flag name.
func recordedFlags(info pretrain.RunInfo) (map[string]string, error) {
	cfg, err := info.Config()
	if err != nil {
		return nil, err
	}
	d, g, t := cfg.Discriminator, cfg.Generator, info.Train
	values := map[string]any{"sharing": cfg.Sharing.String(), "objective": cfg.Objective.String(), "rtd-head": cfg.RTDHead.String(),
		"decoupled": t.Decoupled, "lr": t.LR, "warmup": t.WarmupSteps, "seed": t.Seed, "steps": t.TotalSteps,
		"hidden": d.HiddenSize, "layers": d.NumHiddenLayers, "heads": d.NumAttentionHeads, "ffn": d.IntermediateSize,
		"gen-layers": g.NumHiddenLayers, "gen-hidden": g.HiddenSize, "temperature": cfg.Temperature, "rtd-weight": cfg.RTDWeight, "batch": info.Data["batch"], "seq": info.Data["seq"], "spm": info.Data["spm"],
		"preset": info.Data["preset"], "corpus": info.Data["corpus"]}
	out := make(map[string]string, len(values))
	for name, v := range values {
		out[name] = fmt.Sprint(v)
	}
	return out, nil
}

// fromInfo restores the data settings of a run being resumed.
func (f *pretrainFlags) fromInfo(info pretrain.RunInfo) error {
	d := info.Data
	num := func(key string) (int, error) {
		v, ok := d[key].(float64)
		if !ok {
			return 0, fmt.Errorf("run config.json: data.%s missing", key)
		}
		return int(v), nil
	}
	var err error
	if f.batch, err = num("batch"); err != nil {
		return err
	}
	if f.seq, err = num("seq"); err != nil {
		return err
	}
	seed, err := num("seed")
	if err != nil {
		return err
	}
	f.seed = int64(seed)
	f.steps = info.Train.TotalSteps
	if f.spm, _ = d["spm"].(string); f.spm == "" {
		return errors.New("run config.json: data.spm missing")
	}
	f.corpus = nil
	if list, ok := d["corpus"].([]any); ok {
		for _, c := range list {
			if s, ok := c.(string); ok {
				f.corpus = append(f.corpus, s)
			}
		}
	}
	return nil
}
