package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/deberta-go/lab/checkpoints"
	"github.com/deberta-go/lab/debertav3"
)

func init() {
	register("info", "summarise a HuggingFace DeBERTa checkpoint folder: config, parameters, heads, keys", runInfo)
}

// newFlags returns a flag set that reports errors instead of exiting, with usage on stderr.
func newFlags(name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet("deberta "+name, flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: deberta %s %s\n\nflags:\n", name, usage)
		fs.PrintDefaults()
	}
	return fs
}

func runInfo(args []string, stdout io.Writer) error {
	fs := newFlags("info", "--model DIR|owner/name[@rev] [--generator]")
	ref := fs.String("model", "", modelRefUsage)
	generator := fs.Bool("generator", false, "describe the generator checkpoint (generator_config.json + pytorch_model.generator.bin)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *ref == "" {
		fs.Usage()
		return fmt.Errorf("--model is required")
	}
	dir, err := modelDir(*ref, *generator)
	if err != nil {
		return err
	}
	m, report, err := checkpoints.Open(dir, checkpoints.OpenOptions{Generator: *generator})
	if err != nil {
		return err
	}
	c := m.Config
	emb, other := debertav3.ParamCounts(c, m.Options)
	w := func(format string, a ...any) { fmt.Fprintf(stdout, format, a...) }
	w("model:        %s\n", dir)
	w("config:       %s\n", report.ConfigPath)
	w("weights:      %s (%s, %s)\n", report.Source.Path, report.Source.Format, dtypeSummary(report.DTypes))
	arch := strings.Join(c.Architectures, ",")
	if arch == "" {
		arch = "(no architectures in config)"
	}
	w("architecture: %s; hidden %d, layers %d, heads %d, FFN %d, vocab %d, act %s\n",
		arch, c.HiddenSize, c.NumHiddenLayers, c.NumAttentionHeads, c.IntermediateSize, c.VocabSize, c.HiddenAct)
	w("attention:    relative %v, pos_att_type %v, position_buckets %d, max_relative_positions %d (effective %d), share_att_key %v, norm_rel_ebd %v\n",
		c.RelativeAttention, c.PosAttType, c.PositionBuckets, c.MaxRelativePositions, c.EffectiveMaxRelativePositions(), c.ShareAttKey, c.NormRelEbd)
	w("embeddings:   position_biased_input %v, type_vocab_size %d, max_position_embeddings %d, layer_norm_eps %g\n",
		c.PositionBiasedInput, c.TypeVocabSize, c.MaxPositionEmbeddings, c.LayerNormEps)
	w("parameters:   %s total = %s embedding + %s non-embedding (backbone and heads)\n", human(emb+other), human(emb), human(other))
	heads := make([]string, len(m.Options.Heads))
	for i, h := range m.Options.Heads {
		heads[i] = string(h)
	}
	if len(heads) == 0 {
		heads = []string{"none (backbone only)"}
	}
	w("heads:        %s\n", strings.Join(heads, ", "))
	if c.ID2Label != nil {
		w("labels:       %v\n", c.ID2Label)
	}
	w("loaded:       %d tensors\n", report.Loaded)
	ignored := make([]string, 0, len(report.Ignored))
	for k := range report.Ignored {
		ignored = append(ignored, k)
	}
	sort.Strings(ignored)
	for _, k := range ignored {
		if report.Ignored[k] == checkpoints.UntrainedMLMReason {
			w("unused head:  %s — %s\n", k, report.Ignored[k])
		} else {
			w("ignored:      %s — %s\n", k, report.Ignored[k])
		}
	}
	for _, k := range report.Unknown {
		w("unknown key:  %s (not loaded)\n", k)
	}
	return nil
}

func dtypeSummary(counts map[string]int) string {
	var parts []string
	for dt, n := range counts {
		parts = append(parts, fmt.Sprintf("%d×%s", n, dt))
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

// human formats a count as 184.4M / 987.1K.
func human(n int) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.2fB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.1fM", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.1fK", float64(n)/1e3)
	}
	return fmt.Sprint(n)
}
