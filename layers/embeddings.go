package layers

import (
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// EmbeddingsConfig holds the architecture knobs of DeBERTa's input embeddings.
type EmbeddingsConfig struct {
	VocabSize, EmbeddingSize, HiddenSize int
	MaxPositionEmbeddings                int
	PositionBiasedInput                  bool // add absolute position embeddings (v2), false for v3.
	TypeVocabSize                        int  // 0: no token-type embeddings (v3).
	LayerNormEps, DropoutRate, InitStd   float64
}

// Embeddings is DeBERTa's input embedding block (HF DebertaV2Embeddings), with sub-scopes named as the
// checkpoint keys (word_embeddings, position_embeddings, token_type_embeddings, embed_proj, LayerNorm):
//
//	x = word[ids] (+ position[positionIDs] if PositionBiasedInput) (+ token_type[typeIDs] if TypeVocabSize > 0)
//	x = embed_proj(x) if EmbeddingSize != HiddenSize
//	x = LayerNorm(x) · mask ; dropout(x)
//
// ids, mask: [batch, seq] (mask 1 for real tokens, any numeric dtype); typeIDs: [batch, seq] or nil (zeros);
// positionIDs: [batch, seq] or nil (0..seq−1). Returns [batch, seq, hidden].
//
// wordEmbeddings, when not nil, replaces the word_embeddings lookup table [vocab, embedding], and
// positionEmbeddings the position_embeddings table [max_position_embeddings, embedding] (PositionBiasedInput
// only): the GDES/ES embedding-sharing variants of pre-training.
func Embeddings(ctx *context.Context, cfg EmbeddingsConfig, ids, mask, typeIDs, positionIDs, wordEmbeddings, positionEmbeddings *Node) *Node {
	g := ids.Graph()
	table := wordEmbeddings
	if table == nil {
		table = EmbeddingTable(ctx.In("word_embeddings"), g, cfg.VocabSize, cfg.EmbeddingSize, cfg.InitStd)
	}
	x := Gather(table, InsertAxes(ids, -1))
	if cfg.PositionBiasedInput {
		if positionIDs == nil {
			positionIDs = DefaultPositionIDs(ids)
		}
		positions := positionEmbeddings
		if positions == nil {
			positions = EmbeddingTable(ctx.In("position_embeddings"), g, cfg.MaxPositionEmbeddings, cfg.EmbeddingSize, cfg.InitStd)
		}
		x = Add(x, Gather(positions, InsertAxes(positionIDs, -1)))
	}
	if cfg.TypeVocabSize > 0 {
		if typeIDs == nil {
			typeIDs = ZerosLike(ids)
		}
		x = Add(x, Embedding(ctx.In("token_type_embeddings"), typeIDs, cfg.TypeVocabSize, cfg.EmbeddingSize, cfg.InitStd))
	}
	if cfg.EmbeddingSize != cfg.HiddenSize {
		x = Linear(ctx.In("embed_proj"), x, cfg.HiddenSize, false, cfg.InitStd)
	}
	x = LayerNorm(ctx.In("LayerNorm"), x, cfg.LayerNormEps)
	x = Mul(x, InsertAxes(ConvertDType(mask, x.DType()), -1))
	return Dropout(ctx, x, cfg.DropoutRate)
}

// DefaultPositionIDs returns 0..seq−1 broadcast to the shape of ids [batch, seq], with the dtype of ids.
func DefaultPositionIDs(ids *Node) *Node {
	return Iota(ids.Graph(), ids.Shape(), 1)
}
