package debertav3

import (
	"fmt"
	"slices"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Head names a task head built on top of the backbone.
type Head string

// The heads a Model can carry. Sequence classification, token classification and multiple choice all own
// the HF key "classifier", so a model carries at most one of them.
const (
	HeadMaskedLM               Head = "mlm"
	HeadRTD                    Head = "rtd"
	HeadSequenceClassification Head = "sequence-classification"
	HeadTokenClassification    Head = "token-classification"
	HeadQuestionAnswering      Head = "question-answering"
	HeadMultipleChoice         Head = "multiple-choice"
)

// Options selects what a Model builds and returns. Only the heads asked for are built.
type Options struct {
	Heads []Head
	// MLMLayout is the key layout of the masked-LM head (HeadMaskedLM only).
	MLMLayout MLMLayout
	// EnhancedMaskDecoder computes the masked-LM logits through the Enhanced Mask Decoder of Microsoft's
	// generator checkpoints (HeadMaskedLM only; see EnhancedMaskDecoder).
	EnhancedMaskDecoder bool
	// OutputHiddenStates returns the embedding output and every layer's output.
	OutputHiddenStates bool
	// OutputAttentions returns every layer's attention probabilities.
	OutputAttentions bool
	// OutputScores returns every layer's scaled c2c, c2p and p2c score terms (pre-mask).
	OutputScores bool
}

// Has reports whether the options include head h.
func (o Options) Has(h Head) bool {
	for _, x := range o.Heads {
		if x == h {
			return true
		}
	}
	return false
}

func (o Options) validate(cfg *Config) error {
	if o.EnhancedMaskDecoder && (!o.Has(HeadMaskedLM) || cfg.EmbeddingSize != cfg.HiddenSize || cfg.NumHiddenLayers < 2) {
		return fmt.Errorf("the Enhanced Mask Decoder needs the masked-LM head, embedding_size == hidden_size and at least 2 layers")
	}
	owners := 0
	for _, h := range o.Heads {
		switch h {
		case HeadSequenceClassification, HeadTokenClassification, HeadMultipleChoice:
			owners++
		case HeadMaskedLM, HeadRTD, HeadRTDElectra, HeadQuestionAnswering:
		default:
			return fmt.Errorf("unknown head %q", h)
		}
	}
	if owners > 1 {
		return fmt.Errorf("heads %v: sequence classification, token classification and multiple choice share the \"classifier\" weights; build one of them", o.Heads)
	}
	if o.Has(HeadRTD) && o.Has(HeadRTDElectra) {
		return fmt.Errorf("heads %v: the two replaced-token-detection heads share the RTD logits; build one of them", o.Heads)
	}
	return nil
}

// Model is a DeBERTa backbone with its heads, its variables in a GoMLX context, and a compiled forward
// function (one compilation per input shape).
type Model struct {
	Config  *Config
	Options Options
	// Context holds the variables; scopes mirror HF checkpoint keys (see ParamSpecs).
	Context *context.Context
	Backend backends.Backend

	exec        *context.Exec
	outputNames []string // names of the graph outputs, in order; set when the graph is built.
}

// New returns a model whose variables are not yet set: load a checkpoint into Context (package checkpoints)
// or let the first Forward initialise them randomly (N(0, initializer_range), as HF).
func New(cfg *Config, opts Options) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := opts.validate(cfg); err != nil {
		return nil, err
	}
	b, err := Backend()
	if err != nil {
		return nil, err
	}
	m := &Model{Config: cfg, Options: opts, Context: context.New().Checked(false), Backend: b}
	m.exec, err = context.NewExec(b, m.Context, m.graph)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// Inputs are the integer inputs of a forward pass, [batch, seq] (or [batch, choices, seq] for multiple
// choice). TokenTypeIDs may be nil.
type Inputs struct {
	InputIDs, AttentionMask, TokenTypeIDs *tensors.Tensor
}

// Outputs are the results of a forward pass; fields not requested are nil.
type Outputs struct {
	LastHiddenState *tensors.Tensor   // [batch, seq, hidden]
	HiddenStates    []*tensors.Tensor // layers+1 × [batch, seq, hidden]
	Attentions      []*tensors.Tensor // layers × [batch, heads, seq, seq]
	// C2C, C2P, P2C: layers × [batch, heads, seq, seq], scaled score terms (nil entries for absent terms).
	C2C, C2P, P2C []*tensors.Tensor
	// EMDStates are the two Enhanced Mask Decoder passes (with EnhancedMaskDecoder and OutputHiddenStates).
	EMDStates    []*tensors.Tensor
	MLMLogits    *tensors.Tensor // [batch, seq, vocab]
	RTDLogits    *tensors.Tensor // [batch, seq]
	Logits       *tensors.Tensor // sequence classification [batch, labels] or token classification [batch, seq, labels]
	StartLogits  *tensors.Tensor // [batch, seq]
	EndLogits    *tensors.Tensor // [batch, seq]
	ChoiceLogits *tensors.Tensor // [batch, choices]
}

// Forward runs the model. It returns an error (never panics) on bad input shapes or a failed execution.
func (m *Model) Forward(in Inputs) (out *Outputs, err error) {
	if in.InputIDs == nil || in.AttentionMask == nil {
		return nil, fmt.Errorf("Forward: InputIDs and AttentionMask are required")
	}
	ids, mask := in.InputIDs.Shape(), in.AttentionMask.Shape()
	wantRank := 2
	if m.Options.Has(HeadMultipleChoice) {
		wantRank = 3
	}
	if ids.Rank() != wantRank || !slices.Equal(ids.Dimensions, mask.Dimensions) || !ids.DType.IsInt() || !mask.DType.IsInt() {
		return nil, fmt.Errorf("Forward: input_ids %s and attention_mask %s must be integer tensors of the same rank-%d shape", ids, mask, wantRank)
	}
	if slices.Contains(ids.Dimensions, 0) {
		return nil, fmt.Errorf("Forward: input_ids %s: empty batch or sequence", ids)
	}
	tt := in.TokenTypeIDs
	if tt == nil {
		tt = tensors.FromShape(ids)
	} else if !slices.Equal(tt.Shape().Dimensions, ids.Dimensions) {
		return nil, fmt.Errorf("Forward: token_type_ids %s must have the shape of input_ids %s", tt.Shape(), ids)
	}
	results, err := m.exec.Exec(in.InputIDs, in.AttentionMask, tt)
	if err != nil {
		return nil, fmt.Errorf("Forward: %w", err)
	}
	return m.collect(results), nil
}
