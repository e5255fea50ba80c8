package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/deberta-go/lab/internal/atomicdir"
	"github.com/deberta-go/lab/repro"
)

func init() {
	register("repro-report", "tables and figures of the ES/NES/GDES/MLM reproduction runs (scripts/reproduce.sh)", runReproReport)
}

func runReproReport(args []string, stdout io.Writer) error {
	fs := newFlags("repro-report", "--runs DIR --out DIR [--arms gdes,es,nes,mlm]")
	runs := fs.String("runs", "", "the experiment folder: <arm>/pt*/metrics.jsonl and ft/<arm>/pt*/<task>/seed*/results.json (scripts/reproduce.sh), or one run per arm: <arm>/metrics.jsonl, ft/<arm>/<task>/seed*/")
	out := fs.String("out", "", "folder of report.md and the figures (created whole; an existing non-empty one needs --overwrite)")
	overwrite := fs.Bool("overwrite", false, "replace an existing non-empty --out folder whole")
	arms := fs.String("arms", strings.Join(repro.DefaultArms, ","), "arms, in table order")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *runs == "" || *out == "" {
		return errors.New("--runs and --out are required")
	}
	if err := atomicdir.Check(*out, *overwrite); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	r, err := repro.Load(*runs, strings.Split(*arms, ","))
	if err != nil {
		return err
	}
	if err := atomicdir.Write(*out, *overwrite, r.Write); err != nil {
		return err
	}
	_, err = fmt.Fprint(stdout, r.Markdown())
	return err
}
