package debertav3

import (
	"strconv"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/deberta-go/lab/layers"
)

// EnhancedMaskDecoder is the official DeBERTa-v3 generator's Enhanced Mask Decoder (DeBERTa paper §3.2; the
// official EnhancedMaskDecoder, verified against microsoft/DeBERTa): absolute positions enter only here.
//
//	kv  = H_{L−1}                       (output of the second-to-last encoder layer)
//	q₁  = P[0..seq−1] + H_{L−1}         (P: deberta.embeddings.position_embeddings, raw)
//	q₁' = layer_L(query=q₁,  kv)        (the LAST encoder layer's weights, applied twice)
//	q₂  = layer_L(query=q₁', kv)
//
// It returns [q₁', q₂], each [batch, seq, hidden]; MLM logits are the lm_head applied to q₂. The backbone's own
// final output H_L never reaches the logits. bb must come from Backbone on the same ctx; mask: [batch, seq].
func EnhancedMaskDecoder(ctx *context.Context, cfg *Config, bb BackboneOutput, mask *Node) [2]*Node {
	kv := bb.HiddenStates[len(bb.HiddenStates)-2]
	g := kv.Graph()
	batch, seq := kv.Shape().Dimensions[0], kv.Shape().Dimensions[1]
	backbone := ctx.In(BackboneScope)
	positions := layers.EmbeddingTable(backbone.In("embeddings").In("position_embeddings"), g,
		cfg.MaxPositionEmbeddings, cfg.EmbeddingSize, cfg.InitializerRange)
	z := Gather(positions, Iota(g, shapes.Make(dtypes.Int32, seq, 1), 0)) // [seq, hidden]
	query := Add(BroadcastToDims(InsertAxes(z, 0), batch, seq, cfg.HiddenSize), kv)
	last := backbone.In("encoder").In("layer").In(strconv.Itoa(cfg.NumHiddenLayers - 1))
	var outs [2]*Node
	for i := range outs {
		query, _ = layers.TransformerLayer(last, cfg.EncoderConfig().Layer, kv, query, mask, bb.RelEmbeddings)
		outs[i] = query
	}
	return outs
}
