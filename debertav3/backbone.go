package debertav3

import (
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/deberta-go/lab/layers"
)

// BackboneScope is the context scope of the backbone: checkpoint keys "deberta.<...>" (keys of a bare
// DebertaV2Model checkpoint have no prefix; the loader adds it).
const BackboneScope = "deberta"

// BackboneOutput is what Backbone returns.
type BackboneOutput struct {
	// LastHiddenState: [batch, seq, hidden].
	LastHiddenState *Node
	// HiddenStates: embedding output then every layer's output, num_hidden_layers+1 nodes [batch, seq, hidden].
	HiddenStates []*Node
	// Attentions: per layer, probabilities and score terms, head-major (see layers.AttentionOutput).
	Attentions []layers.AttentionOutput
	// WordEmbeddings is the word embedding table [vocab, embedding_size] (tied to MLM decoders).
	WordEmbeddings *Node
	// RelEmbeddings is the (normalised) relative-position table [2·AttSpan, hidden], or nil.
	RelEmbeddings *Node
}

// EmbeddingsConfig returns the embedding block's knobs.
func (c *Config) EmbeddingsConfig() layers.EmbeddingsConfig {
	return layers.EmbeddingsConfig{
		VocabSize: c.VocabSize, EmbeddingSize: c.EmbeddingSize, HiddenSize: c.HiddenSize,
		MaxPositionEmbeddings: c.MaxPositionEmbeddings, PositionBiasedInput: c.PositionBiasedInput,
		TypeVocabSize: c.TypeVocabSize, LayerNormEps: c.LayerNormEps, DropoutRate: c.HiddenDropoutProb,
		InitStd: c.InitializerRange,
	}
}

// EncoderConfig returns the encoder stack's knobs.
func (c *Config) EncoderConfig() layers.EncoderConfig {
	return layers.EncoderConfig{
		NumLayers:             c.NumHiddenLayers,
		RelEmbeddingLayerNorm: c.RelativeAttention && c.RelEmbeddingLayerNorm(),
		Layer: layers.LayerConfig{
			IntermediateSize: c.IntermediateSize, HiddenAct: c.HiddenAct,
			HiddenDropout: c.HiddenDropoutProb, LayerNormEps: c.LayerNormEps,
			Attention: layers.AttentionConfig{
				HiddenSize: c.HiddenSize, NumHeads: c.NumAttentionHeads,
				C2P: c.HasPosAtt("c2p"), P2C: c.HasPosAtt("p2c"), RelativeAttention: c.RelativeAttention,
				ShareAttKey: c.ShareAttKey, PositionBuckets: c.PositionBuckets,
				MaxRelativePositions: c.EffectiveMaxRelativePositions(), AttSpan: c.AttSpan(),
				AttentionDropout: c.AttentionDropoutProb, PosDropout: c.HiddenDropoutProb,
				InitStd: c.InitializerRange,
			},
		},
	}
}

// Backbone is the DeBERTa-v2/v3 encoder (HF DebertaV2Model), built in ctx.In(BackboneScope).
//
// ids, mask: [batch, seq] integers (mask 1 = real token); typeIDs: [batch, seq] or nil.
// wordEmbeddings replaces the word table when not nil (embedding sharing in pre-training); pass nil otherwise.
func Backbone(ctx *context.Context, cfg *Config, ids, mask, typeIDs, wordEmbeddings *Node) BackboneOutput {
	return BackboneWithTables(ctx, cfg, ids, mask, typeIDs, EmbeddingTables{Word: wordEmbeddings})
}

// EmbeddingTables replace a backbone's own embedding tables (embedding sharing in pre-training); a nil field
// keeps the backbone's variable.
type EmbeddingTables struct {
	// Word [vocab, embedding_size] replaces embeddings/word_embeddings.
	Word *Node
	// Position [max_position_embeddings, embedding_size] replaces embeddings/position_embeddings (used only
	// with PositionBiasedInput).
	Position *Node
}

// BackboneWithTables is Backbone with the embedding tables of tables.
func BackboneWithTables(ctx *context.Context, cfg *Config, ids, mask, typeIDs *Node, tables EmbeddingTables) BackboneOutput {
	ctx = ctx.In(BackboneScope)
	embCtx := ctx.In("embeddings")
	var out BackboneOutput
	out.WordEmbeddings = tables.Word
	if out.WordEmbeddings == nil {
		out.WordEmbeddings = layers.EmbeddingTable(embCtx.In("word_embeddings"), ids.Graph(), cfg.VocabSize, cfg.EmbeddingSize, cfg.InitializerRange)
	}
	x := layers.Embeddings(embCtx, cfg.EmbeddingsConfig(), ids, mask, typeIDs, nil, out.WordEmbeddings, tables.Position)
	encCfg := cfg.EncoderConfig()
	encCtx := ctx.In("encoder")
	out.RelEmbeddings = layers.RelativeEmbeddings(encCtx, ids.Graph(), encCfg)
	enc := layers.Encoder(encCtx, encCfg, x, mask, out.RelEmbeddings)
	out.HiddenStates = append([]*Node{x}, enc.HiddenStates...)
	out.Attentions = enc.Attentions
	out.LastHiddenState = enc.HiddenStates[len(enc.HiddenStates)-1]
	return out
}
