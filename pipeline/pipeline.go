package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"

	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/deberta-go/lab/checkpoints"
	"github.com/deberta-go/lab/debertav3"
	"github.com/deberta-go/lab/hub"
	"github.com/deberta-go/lab/tokenizer"
)

// DefaultBatchSize is the number of inputs per forward pass when Options.BatchSize is 0.
const DefaultBatchSize = 8

// DefaultMaxLength is the truncation length (tokens, [CLS]/[SEP] included) when Options.MaxLength is 0: the
// position-embedding size of every released DeBERTa-v3 model.
const DefaultMaxLength = 512

// Options configure a Pipeline. The zero value is usable.
type Options struct {
	// BatchSize is the number of inputs per forward pass (0: DefaultBatchSize). Each batch is padded to its
	// longest input only.
	BatchSize int
	// MaxLength is the maximum number of tokens of one input, special tokens included (0: DefaultMaxLength, or
	// less when the tokenizer's model_max_length or, for a model using absolute positions, its
	// max_position_embeddings is smaller). Longer inputs are truncated, with a warning.
	MaxLength int
	// Warnings receives one line per truncated input; nil writes them to the standard logger (package log).
	Warnings io.Writer

	// The fields below are used by Load only.

	// Generator loads Microsoft's generator checkpoint of the folder (generator_config.json and
	// pytorch_model.generator.bin / model.generator.safetensors) instead of the main model: the model
	// FillMask needs with DeBERTa-v3, whose discriminators have no trained masked-LM head.
	Generator bool
	// Heads overrides the heads detected from the checkpoint's keys (nil: detect).
	Heads *debertav3.Options
	// OutputAttentions and OutputScores make the model return attention probabilities and the c2c/c2p/p2c
	// score terms (needed by Dissect).
	OutputAttentions, OutputScores bool
	// Hub configures downloads for hub references; zero fields take the environment's values
	// (hub.OptionsFromEnv), Hub.Progress receives download progress.
	Hub hub.Options
}

// Pipeline runs one model and its tokenizer on batches of texts. It is not safe for concurrent use.
type Pipeline struct {
	Model     *debertav3.Model
	Tokenizer *tokenizer.Tokenizer
	// Options are the options given, with BatchSize and MaxLength resolved.
	Options Options
	// Dir is the folder the model was loaded from ("" for New).
	Dir string
}

// New returns a pipeline over a model and its tokenizer. The tokenizer's ids must fit the model's vocabulary.
func New(m *debertav3.Model, tok *tokenizer.Tokenizer, opts Options) (*Pipeline, error) {
	if m == nil || tok == nil {
		return nil, errors.New("pipeline: New needs a model and a tokenizer")
	}
	if tok.VocabSize() > m.Config.VocabSize {
		return nil, fmt.Errorf("pipeline: the tokenizer produces ids up to %d but the model's vocab_size is %d: "+
			"they do not belong together", tok.VocabSize()-1, m.Config.VocabSize)
	}
	return newPipeline(m, tok, opts)
}

// newPipeline resolves the options; it does not check the vocabularies (tests feed hand-built encodings).
func newPipeline(m *debertav3.Model, tok *tokenizer.Tokenizer, opts Options) (*Pipeline, error) {
	if opts.BatchSize < 0 || opts.MaxLength < 0 {
		return nil, fmt.Errorf("pipeline: BatchSize (%d) and MaxLength (%d) must not be negative", opts.BatchSize, opts.MaxLength)
	}
	if opts.BatchSize == 0 {
		opts.BatchSize = DefaultBatchSize
	}
	absolute := m.Config.PositionBiasedInput || m.Options.EnhancedMaskDecoder
	if opts.MaxLength == 0 {
		opts.MaxLength = min(DefaultMaxLength, tok.MaxLength())
		if absolute {
			opts.MaxLength = min(opts.MaxLength, m.Config.MaxPositionEmbeddings)
		}
	}
	if absolute && opts.MaxLength > m.Config.MaxPositionEmbeddings {
		return nil, fmt.Errorf("pipeline: MaxLength %d exceeds the model's max_position_embeddings %d (it uses "+
			"absolute positions)", opts.MaxLength, m.Config.MaxPositionEmbeddings)
	}
	if opts.MaxLength < 3 {
		return nil, fmt.Errorf("pipeline: MaxLength %d leaves no room for a text between [CLS] and [SEP]", opts.MaxLength)
	}
	return &Pipeline{Model: m, Tokenizer: tok, Options: opts}, nil
}

// Load loads a model and its tokenizer from a checkpoint folder or a hub reference ("owner/name",
// "owner/name@revision"; see checkpoints.ResolvePretrained). The tokenizer files (spm.model and the optional
// tokenizer_config.json, special_tokens_map.json, added_tokens.json) must be in the same folder.
func Load(ref string, opts Options) (*Pipeline, error) {
	open := checkpoints.OpenOptions{Options: opts.Heads, Generator: opts.Generator,
		OutputAttentions: opts.OutputAttentions, OutputScores: opts.OutputScores}
	snap, err := checkpoints.ResolvePretrained(context.Background(), ref, open, opts.Hub)
	if err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	if _, err := os.Stat(filepath.Join(snap.Dir, "spm.model")); err != nil {
		return nil, fmt.Errorf("pipeline: %s has no spm.model: the tokenizer must be in the model's folder", snap.Dir)
	}
	tok, err := tokenizer.Load(snap.Dir)
	if err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	m, _, err := checkpoints.Open(snap.Dir, open)
	if err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	p, err := New(m, tok, opts)
	if err != nil {
		return nil, err
	}
	p.Dir = snap.Dir
	return p, nil
}

// warnf writes one warning line to Options.Warnings, or to the standard logger.
func (p *Pipeline) warnf(format string, args ...any) {
	if p.Options.Warnings == nil {
		log.Printf(format, args...)
		return
	}
	fmt.Fprintf(p.Options.Warnings, format+"\n", args...)
}

// encode tokenizes texts as `[CLS] text [SEP]`, truncating to MaxLength with a warning.
func (p *Pipeline) encode(what string, texts []string) ([]*tokenizer.Encoding, error) {
	return p.encodeAll(what, len(texts), tokenizer.TruncateLongestFirst,
		func(o tokenizer.EncodeOptions) ([]*tokenizer.Encoding, error) {
			return p.Tokenizer.EncodeBatch(texts, o)
		},
		func(i int, o tokenizer.EncodeOptions) (*tokenizer.Encoding, error) {
			return p.Tokenizer.Encode(texts[i], o)
		})
}

// encodePairs tokenizes pairs as `[CLS] a [SEP] b [SEP]`, truncating with strategy (and a warning).
func (p *Pipeline) encodePairs(what string, pairs [][2]string, strategy tokenizer.Truncation) ([]*tokenizer.Encoding, error) {
	return p.encodeAll(what, len(pairs), strategy,
		func(o tokenizer.EncodeOptions) ([]*tokenizer.Encoding, error) {
			return p.Tokenizer.EncodePairBatch(pairs, o)
		},
		func(i int, o tokenizer.EncodeOptions) (*tokenizer.Encoding, error) {
			return p.Tokenizer.EncodePair(pairs[i][0], pairs[i][1], o)
		})
}

// encodeAll encodes n inputs without truncation (all), then re-encodes (one) those longer than MaxLength with
// the truncation strategy, warning about each.
func (p *Pipeline) encodeAll(what string, n int, strategy tokenizer.Truncation,
	all func(o tokenizer.EncodeOptions) ([]*tokenizer.Encoding, error),
	one func(i int, o tokenizer.EncodeOptions) (*tokenizer.Encoding, error)) ([]*tokenizer.Encoding, error) {
	if n == 0 {
		return nil, fmt.Errorf("%s: no inputs", what)
	}
	maxLen := p.Options.MaxLength
	out, err := all(tokenizer.EncodeOptions{MaxLength: maxLen, Truncation: tokenizer.DoNotTruncate})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	for i, e := range out {
		if e.Len() <= maxLen {
			continue
		}
		length := e.Len()
		if out[i], err = one(i, tokenizer.EncodeOptions{MaxLength: maxLen, Truncation: strategy}); err != nil {
			return nil, fmt.Errorf("%s: input %d has %d tokens, more than MaxLength %d, and cannot be truncated: %w",
				what, i, length, maxLen, err)
		}
		p.warnf("%s: input %d has %d tokens ([CLS]/[SEP] included): truncated to MaxLength %d", what, i, length, maxLen)
	}
	return out, nil
}

// Batch is a padded batch of encodings, ready for Model.Forward.
type Batch struct {
	Encodings []*tokenizer.Encoding
	// Inputs are int32 [batch, seq] tensors, seq being the longest encoding; shorter ones are right-padded
	// with [PAD] (attention mask 0, token type 0).
	Inputs debertav3.Inputs
	// Mask is the attention mask as [batch][seq] (1 = real token).
	Mask [][]int32
}

// Encode tokenizes texts (truncated to MaxLength) into one padded batch, for direct use of p.Model.
func (p *Pipeline) Encode(texts []string) (*Batch, error) {
	encs, err := p.encode("encode", texts)
	if err != nil {
		return nil, err
	}
	return p.pad(encs), nil
}

// pad builds the padded [batch, seq] input tensors of encs.
func (p *Pipeline) pad(encs []*tokenizer.Encoding) *Batch {
	seq := 0
	for _, e := range encs {
		seq = max(seq, e.Len())
	}
	padID := p.Tokenizer.SpecialIDs().Pad
	ids := make([]int32, len(encs)*seq)
	mask := make([]int32, len(encs)*seq)
	types := make([]int32, len(encs)*seq)
	rows := make([][]int32, len(encs))
	for b, e := range encs {
		row := ids[b*seq : (b+1)*seq]
		for j := range row {
			row[j] = padID
		}
		copy(row, e.InputIDs)
		copy(mask[b*seq:], e.AttentionMask)
		copy(types[b*seq:], e.TokenTypeIDs)
		rows[b] = mask[b*seq : (b+1)*seq]
	}
	return &Batch{Encodings: encs, Mask: rows, Inputs: debertav3.Inputs{
		InputIDs:      tensors.FromFlatDataAndDimensions(ids, len(encs), seq),
		AttentionMask: tensors.FromFlatDataAndDimensions(mask, len(encs), seq),
		TokenTypeIDs:  tensors.FromFlatDataAndDimensions(types, len(encs), seq),
	}}
}

// forEachBatch runs the model on encs in batches of BatchSize, each padded to its longest encoding, and calls fn
// with the index of the batch's first encoding, the batch and the model's outputs.
func (p *Pipeline) forEachBatch(what string, encs []*tokenizer.Encoding, fn func(first int, b *Batch, out *debertav3.Outputs) error) error {
	for first := 0; first < len(encs); first += p.Options.BatchSize {
		b := p.pad(encs[first:min(first+p.Options.BatchSize, len(encs))])
		out, err := p.Model.Forward(b.Inputs)
		if err != nil {
			return fmt.Errorf("%s: inputs %d..%d: %w", what, first, first+len(b.Encodings)-1, err)
		}
		if err := fn(first, b, out); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
	return nil
}

// floats copies a float32 output tensor of the given rank; name is used in errors.
func floats(name string, t *tensors.Tensor, rank int) ([]float32, []int, error) {
	if t == nil {
		return nil, nil, fmt.Errorf("the model returned no %s", name)
	}
	dims := t.Shape().Dimensions
	if len(dims) != rank {
		return nil, nil, fmt.Errorf("%s has shape %v, want rank %d", name, dims, rank)
	}
	data, err := tensors.CopyFlatData[float32](t)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	return data, dims, nil
}

// requireHead returns an error naming the pipeline and the head when the model lacks it.
func (p *Pipeline) requireHead(what string, h debertav3.Head, hint string) error {
	if p.Model.Options.Has(h) {
		return nil
	}
	return fmt.Errorf("%s: the model has no %s head (its heads: %v)%s", what, h, p.Model.Options.Heads, hint)
}

// labelName is id2label[i], or HF's default "LABEL_i".
func (p *Pipeline) labelName(i int) string {
	if name, ok := p.Model.Config.ID2Label[i]; ok {
		return name
	}
	return fmt.Sprintf("LABEL_%d", i)
}

// token returns the piece or literal of an id ("" when unknown).
func (p *Pipeline) token(id int32) string {
	s, _ := p.Tokenizer.IDToToken(id)
	return s
}
