package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/deberta-go/lab/checkpoints"
	"github.com/deberta-go/lab/debertav3"
	"github.com/deberta-go/lab/internal/atomicdir"
)

func init() {
	register("convert", "rewrite a checkpoint folder as config.json + model.safetensors in F32, F16 or BF16", runConvert)
}

func runConvert(args []string, stdout io.Writer) error {
	fs := newFlags("convert", "--model DIR|owner/name[@rev] --out DIR [--dtype F16] [--generator [--emd]] [--overwrite]")
	ref := fs.String("model", "", modelRefUsage+" (safetensors, sharded or pytorch_model.bin)")
	out := fs.String("out", "", "output folder (created whole; an existing non-empty one needs --overwrite)")
	dtype := fs.String("dtype", "F16", "storage dtype: F32, F16 or BF16")
	generator := fs.Bool("generator", false, "read the folder's generator (generator_config.json, generator weight names or plain names) and write it as a standalone masked-LM folder (config.json)")
	emd := fs.Bool("emd", false, "with --generator: the generator was trained with the Enhanced Mask Decoder (Microsoft's are; `deberta pretrain` exports are not unless --emd was used)")
	overwrite := fs.Bool("overwrite", false, "replace an existing non-empty --out folder whole")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case *ref == "" || *out == "":
		return errors.New("--model and --out are required")
	case *emd && !*generator:
		return errors.New("--emd only applies with --generator")
	}
	if err := checkpoints.CheckSaveDType(*dtype); err != nil {
		return fmt.Errorf("--dtype: %w", err)
	}
	if err := atomicdir.Check(*out, *overwrite); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	dir, err := modelDir(*ref, *generator)
	if err != nil {
		return err
	}
	cfg, sd, cfgPath, err := checkpoints.ReadCheckpoint(dir, *generator, nil)
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
	err = atomicdir.Write(*out, *overwrite, func(tmp string) error {
		if err := checkpoints.Save(m, tmp, *dtype); err != nil {
			return err
		}
		return checkpoints.CopyTokenizerFiles(dir, tmp)
	})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%s: %d tensors (%d parameters, heads %v) written as %s\n", *out, report.Loaded, report.Parameters, opts.Heads, *dtype)
	return err
}
