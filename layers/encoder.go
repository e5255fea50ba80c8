package layers

import (
	"strconv"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// LayerConfig holds the architecture knobs of one DeBERTa transformer layer.
type LayerConfig struct {
	Attention                   AttentionConfig
	IntermediateSize            int
	HiddenAct                   string
	HiddenDropout, LayerNormEps float64
}

// TransformerLayer is one post-LN DeBERTa layer (HF DebertaV2Layer), scopes named as the checkpoint keys:
//
//	a   = LayerNorm(query + dropout(attention/output/dense(Attn(query, hidden))))      "attention/..."
//	out = LayerNorm(a + dropout(output/dense(act(intermediate/dense(a)))))            "intermediate", "output"
//
// hidden: [batch, seq, hidden] keys/values; query: [batch, seq, hidden] or nil (= hidden); mask: [batch, seq];
// rel: relative embeddings [2·AttSpan, hidden] or nil. Returns the layer output and the attention details.
func TransformerLayer(ctx *context.Context, cfg LayerConfig, hidden, query, mask, rel *Node) (*Node, AttentionOutput) {
	if query == nil {
		query = hidden
	}
	d := cfg.Attention.HiddenSize
	initStd := cfg.Attention.InitStd
	att := DisentangledSelfAttention(ctx.In("attention").In("self"), cfg.Attention, hidden, query, mask, rel)
	out := ctx.In("attention").In("output")
	a := Dropout(ctx, Linear(out.In("dense"), att.Context, d, true, initStd), cfg.HiddenDropout)
	a = LayerNorm(out.In("LayerNorm"), Add(a, query), cfg.LayerNormEps)

	h := Activation(cfg.HiddenAct, Linear(ctx.In("intermediate").In("dense"), a, cfg.IntermediateSize, true, initStd))
	h = Dropout(ctx, Linear(ctx.In("output").In("dense"), h, d, true, initStd), cfg.HiddenDropout)
	return LayerNorm(ctx.In("output").In("LayerNorm"), Add(h, a), cfg.LayerNormEps), att
}

// EncoderConfig holds the architecture knobs of the DeBERTa encoder stack.
type EncoderConfig struct {
	Layer     LayerConfig
	NumLayers int
	// RelEmbeddingLayerNorm applies encoder/LayerNorm to the relative embeddings (norm_rel_ebd "layer_norm").
	RelEmbeddingLayerNorm bool
}

// RelativeEmbeddings returns the relative-position embedding table R [2·AttSpan, hidden] of an encoder scope
// ("rel_embeddings", layer-normalised by "LayerNorm" when configured), computed once per forward pass.
// It returns nil when relative attention is off.
func RelativeEmbeddings(ctx *context.Context, g *Graph, cfg EncoderConfig) *Node {
	att := cfg.Layer.Attention
	if !att.RelativeAttention {
		return nil
	}
	rel := EmbeddingTable(ctx.In("rel_embeddings"), g, 2*att.AttSpan, att.HiddenSize, att.InitStd)
	if cfg.RelEmbeddingLayerNorm {
		rel = LayerNorm(ctx.In("LayerNorm"), rel, cfg.Layer.LayerNormEps)
	}
	return rel
}

// EncoderOutput holds every layer's output and attention details.
type EncoderOutput struct {
	// HiddenStates[i] is the output of layer i: [batch, seq, hidden]. The last is the encoder output.
	HiddenStates []*Node
	// Attentions[i] are the attention details of layer i.
	Attentions []AttentionOutput
}

// Encoder runs the DeBERTa encoder layers (HF DebertaV2Encoder) on the embedding output x [batch, seq, hidden]
// with mask [batch, seq] and the relative embeddings rel from RelativeEmbeddings (nil without relative
// attention); scopes "layer/<i>/...".
func Encoder(ctx *context.Context, cfg EncoderConfig, x, mask, rel *Node) EncoderOutput {
	var out EncoderOutput
	h := x
	for i := range cfg.NumLayers {
		var att AttentionOutput
		h, att = TransformerLayer(ctx.In("layer").In(strconv.Itoa(i)), cfg.Layer, h, nil, mask, rel)
		out.HiddenStates = append(out.HiddenStates, h)
		out.Attentions = append(out.Attentions, att)
	}
	return out
}
