package nbkit

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/deberta-go/lab/defaultmodel"
	"github.com/deberta-go/lab/pipeline"
	"github.com/deberta-go/lab/pipeline/tinymodels"
)

// Report prints a non-nil err as one "Error: …" line on stderr (the line the notebook checks look for) and
// reports whether there was one, so that a cell stops with `if nbkit.Report(err) { return }`.
func Report(err error) bool {
	if err == nil {
		return false
	}
	fmt.Fprintln(os.Stderr, "Error:", err)
	return true
}

// Load opens a model and its tokenizer: ref "" is the built-in model (defaultmodel, written into the cache on
// first use); else a checkpoint folder or a hub reference owner/name[@revision] (pipeline.Load). With
// opts.Generator, the built-in model gives its generator folder (a plain masked-LM checkpoint) and a folder or
// hub reference the generator Microsoft ships beside the discriminator.
func Load(ref string, opts pipeline.Options) (*pipeline.Pipeline, error) {
	if ref != "" {
		return pipeline.Load(ref, opts)
	}
	kind := defaultmodel.Discriminator
	if opts.Generator {
		kind, opts.Generator = defaultmodel.Generator, false
	}
	dir, err := defaultmodel.Dir(kind)
	if err != nil {
		return nil, err
	}
	return pipeline.Load(dir, opts)
}

// LoadTiny loads a tiny RANDOM-WEIGHT checkpoint of the given kind with the SentencePiece tokenizer of spmDir,
// written on first use into a folder of the temporary directory (always with the same seed, so with the same
// weights). Its predictions mean nothing: it shows calls and shapes offline.
func LoadTiny(kind tinymodels.Kind, spmDir string) (*pipeline.Pipeline, error) {
	dir := filepath.Join(os.TempDir(), "deberta-nbkit-tiny", string(kind))
	if _, err := os.Stat(filepath.Join(dir, "spm.model")); err != nil {
		if err := tinymodels.Write(dir, kind, spmDir, 2024); err != nil {
			return nil, err
		}
	}
	return pipeline.Load(dir, pipeline.Options{})
}

// Describe is a Markdown summary of a loaded pipeline: its folder and files, heads, sizes and batching.
func Describe(p *pipeline.Pipeline) (string, error) {
	entries, err := os.ReadDir(p.Dir)
	if err != nil {
		return "", err
	}
	var files []string
	for _, e := range entries {
		if !e.IsDir() {
			files = append(files, e.Name())
		}
	}
	c := p.Model.Config
	var b strings.Builder
	fmt.Fprintf(&b, "**%s** (folder `%s`): `%s`\n\n", filepath.Base(p.Dir), p.Dir, strings.Join(files, "`, `"))
	fmt.Fprintf(&b, "| | |\n|---|---|\n")
	fmt.Fprintf(&b, "| heads | %v |\n| hidden / layers / attention heads | %d / %d / %d |\n",
		p.Model.Options.Heads, c.HiddenSize, c.NumHiddenLayers, c.NumAttentionHeads)
	fmt.Fprintf(&b, "| vocabulary rows / tokenizer ids | %d / %d ([MASK] = %d) |\n",
		c.VocabSize, p.Tokenizer.VocabSize(), p.Tokenizer.SpecialIDs().Mask)
	fmt.Fprintf(&b, "| batch size / max length | %d / %d |\n", p.Options.BatchSize, p.Options.MaxLength)
	return b.String(), nil
}
