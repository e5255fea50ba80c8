package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/deberta-go/lab/debertav3"
	"github.com/deberta-go/lab/defaultmodel"
	"github.com/deberta-go/lab/pipeline"
)

// stdin is where the pipeline subcommands read their inputs when none are given as arguments (tests swap it).
var stdin io.Reader = os.Stdin

// pipelineFlags are the flags every pipeline subcommand shares.
type pipelineFlags struct {
	fs        *flag.FlagSet
	model     *string
	generator *bool // nil when the subcommand has no --generator
	// generatorModel is --generator-model (nil without --generator): a generator checkpoint to use instead.
	generatorModel *string
	// mlmFallback loads the generator checkpoint when --generator is not given and the model has no masked-LM
	// head (fill-mask on a released DeBERTa-v3 repository).
	mlmFallback bool
	// defaultModel is the built-in model used when --model is empty ("" = --model is required).
	defaultModel defaultmodel.Kind
	topK         *int // nil when the subcommand has no --top-k
	maxLength    *int
	batchSize    *int
}

// newPipelineFlags declares --model, --max-length, --batch-size and, when asked, --generator and --top-k
// (topK > 0 is its default).
func newPipelineFlags(name, usage string, generator bool, topK int) *pipelineFlags {
	fs := newFlags(name, usage+"\n\nInputs are the arguments, or one per line on stdin; output is one JSON object per input line.")
	f := &pipelineFlags{fs: fs}
	f.model = fs.String("model", "", modelRefUsage+", with spm.model")
	if generator {
		f.generator = fs.Bool("generator", false, "load the folder's generator checkpoint (generator_config.json + "+
			"pytorch_model.generator.bin): DeBERTa-v3 discriminators have no trained masked-LM head")
		f.generatorModel = fs.String("generator-model", "", "use the generator checkpoint of this folder or hub "+
			"name instead (e.g. microsoft/deberta-v3-xsmall's for the -base and -small releases, which ship none)")
	}
	if topK > 0 {
		f.topK = fs.Int("top-k", topK, "number of results per input")
	}
	f.maxLength = fs.Int("max-length", 0, fmt.Sprintf("maximum tokens per input, [CLS]/[SEP] included; longer "+
		"inputs are truncated with a warning (0: %d)", pipeline.DefaultMaxLength))
	f.batchSize = fs.Int("batch-size", pipeline.DefaultBatchSize, "inputs per forward pass")
	return f
}

// parse parses args; help is true when -h was asked (then the caller returns nil).
func (f *pipelineFlags) parse(args []string) (help bool, err error) {
	if err := f.fs.Parse(args); err != nil {
		return errors.Is(err, flag.ErrHelp), err
	}
	if *f.model == "" && f.generatorModel != nil && *f.generatorModel != "" {
		*f.model = *f.generatorModel
	}
	if *f.model == "" && f.defaultModel != "" {
		dir, err := defaultmodel.Dir(f.defaultModel)
		if err != nil {
			return false, err
		}
		fmt.Fprintf(os.Stderr, "deberta: no --model: using the built-in %s %s (%s)\n", defaultmodel.Name, f.defaultModel, dir)
		*f.model = dir
	}
	if *f.model == "" {
		f.fs.Usage()
		return false, errors.New("--model is required")
	}
	if *f.maxLength < 0 || *f.batchSize <= 0 || (f.topK != nil && *f.topK <= 0) {
		return false, errors.New("--max-length must be >= 0, --batch-size and --top-k > 0")
	}
	return false, nil
}

// load opens the pipeline of --model (or --generator-model), resolved by modelDir; warnings and download
// progress go to stderr.
func (f *pipelineFlags) load() (*pipeline.Pipeline, error) {
	opts := pipeline.Options{BatchSize: *f.batchSize, MaxLength: *f.maxLength, Warnings: os.Stderr}
	ref := *f.model
	if f.generator != nil {
		opts.Generator = *f.generator
		if *f.generatorModel != "" {
			ref, opts.Generator = *f.generatorModel, true
		}
	}
	dir, err := modelDir(ref, opts.Generator || f.mlmFallback)
	if err != nil {
		return nil, err
	}
	p, err := pipeline.Load(dir, opts)
	if err != nil || !f.mlmFallback || opts.Generator || p.Model.Options.Has(debertav3.HeadMaskedLM) {
		return p, err
	}
	// A DeBERTa-v3 discriminator has no trained masked-LM head: use the generator released beside it, if any.
	opts.Generator = true
	gen, genErr := pipeline.Load(dir, opts)
	if genErr != nil {
		return p, nil // FillMask then refuses with the explanation.
	}
	fmt.Fprintf(os.Stderr, "deberta: %s is a discriminator (no trained masked-LM head); using its generator checkpoint (Enhanced Mask Decoder)\n", ref)
	return gen, nil
}

// runPipeline parses the flags, reads the inputs, loads the model and calls run: the shared body of the
// pipeline subcommands.
func runPipeline(f *pipelineFlags, args []string, run func(p *pipeline.Pipeline, inputs []string) error) error {
	if help, err := f.parse(args); help {
		return nil
	} else if err != nil {
		return err
	}
	inputs, err := readInputs(f.fs.Args())
	if err != nil {
		return err
	}
	p, err := f.load()
	if err != nil {
		return err
	}
	return run(p, inputs)
}

// readInputs returns the arguments, or else the non-blank lines of stdin.
func readInputs(args []string) ([]string, error) {
	if len(args) > 0 {
		return args, nil
	}
	var lines []string
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<30)
	for sc.Scan() {
		if line := strings.TrimRight(sc.Text(), "\r"); strings.TrimSpace(line) != "" {
			lines = append(lines, line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading stdin: %w", err)
	}
	if len(lines) == 0 {
		return nil, errors.New("no inputs: give them as arguments or one per line on stdin")
	}
	return lines, nil
}

// decodeInputs parses each input as JSON into T (input i is named in errors).
func decodeInputs[T any](inputs []string, want string) ([]T, error) {
	out := make([]T, len(inputs))
	for i, in := range inputs {
		if err := json.Unmarshal([]byte(in), &out[i]); err != nil {
			return nil, fmt.Errorf("input %d: want %s: %w", i+1, want, err)
		}
	}
	return out, nil
}

// writeLines writes one JSON object per line, with HTML characters and pieces such as "<0xE6>" left readable.
func writeLines[T any](w io.Writer, lines []T) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for i, l := range lines {
		err := enc.Encode(l)
		if unsupported := (*json.UnsupportedValueError)(nil); errors.As(err, &unsupported) {
			bw.Flush()
			return fmt.Errorf("input %d: the model produced %s (its weights or the input give non-finite numbers); no output for this input and the ones after it", i+1, unsupported.Str)
		} else if err != nil {
			return err
		}
	}
	return bw.Flush()
}
