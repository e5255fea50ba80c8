package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/deberta-go/lab/checkpoints"
	"github.com/deberta-go/lab/debertav3"
)

func init() {
	register("convert", "rewrite a checkpoint folder as config.json + model.safetensors in F32, F16 or BF16", runConvert)
}

// convertCopied are the tokenizer files copied beside the converted weights.
var convertCopied = []string{"spm.model", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json"}

func runConvert(args []string, stdout io.Writer) error {
	fs := newFlags("convert", "--model DIR --out DIR [--dtype F16] [--generator [--emd]]")
	dir := fs.String("model", "", "checkpoint folder (safetensors, sharded or pytorch_model.bin)")
	out := fs.String("out", "", "output folder (created)")
	dtype := fs.String("dtype", "F16", "storage dtype: F32, F16 or BF16")
	generator := fs.Bool("generator", false, "read the folder's generator (generator_config.json, generator weight names or plain names) and write it as a standalone masked-LM folder (config.json)")
	emd := fs.Bool("emd", false, "with --generator: the generator was trained with the Enhanced Mask Decoder (Microsoft's are; `deberta pretrain` exports are not unless --emd was used)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" || *out == "" {
		return errors.New("--model and --out are required")
	}
	cfgPath := filepath.Join(*dir, "config.json")
	if *generator {
		cfgPath = filepath.Join(*dir, "generator_config.json")
	}
	cfg, err := debertav3.LoadConfig(cfgPath)
	if err != nil {
		return err
	}
	sd, err := checkpoints.ReadStateDict(*dir, checkpoints.ReadOptions{Generator: *generator})
	if err != nil && *generator {
		sd, err = checkpoints.ReadStateDict(*dir, checkpoints.ReadOptions{})
	}
	if err != nil {
		return err
	}
	opts := checkpoints.DetectOptions(cfg, sd.Keys())
	opts.EnhancedMaskDecoder = *generator && *emd && opts.Has(debertav3.HeadMaskedLM)
	m, err := debertav3.New(cfg, opts)
	if err != nil {
		return fmt.Errorf("%s: %w", cfgPath, err)
	}
	report, err := checkpoints.LoadInto(m, sd)
	if err != nil {
		return err
	}
	if err := checkpoints.Save(m, *out, *dtype); err != nil {
		return err
	}
	for _, name := range convertCopied {
		b, err := os.ReadFile(filepath.Join(*dir, name))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(*out, name), b, 0o644); err != nil {
			return err
		}
	}
	_, err = fmt.Fprintf(stdout, "%s: %d tensors (%d parameters, heads %v) written as %s\n", *out, report.Loaded, report.Parameters, opts.Heads, *dtype)
	return err
}
