package debertav3

import "fmt"

// Limits on what a config may ask for: far above every released DeBERTa (v2-xxlarge: 48 layers, width 1536,
// 128k vocabulary), low enough that a corrupt or hostile config.json fails with a message naming the field
// instead of exhausting memory.
const (
	MaxLayers        = 1024
	MaxWidth         = 1 << 16 // hidden_size, embedding_size, pooler_hidden_size
	MaxIntermediate  = 1 << 18
	MaxHeads         = 1024
	MaxVocab         = 1 << 24
	MaxPositions     = 1 << 20 // max_position_embeddings, max_relative_positions, position_buckets
	MaxLabels        = 1 << 20
	MaxTypeVocabSize = 1 << 16
	// MaxParameters caps the parameter count of the backbone the config describes (2³³ ≈ 8.6e9, 32 GiB in F32).
	MaxParameters = 1 << 33
)

// checkLimits returns an error naming the first field above its limit (Validate calls it).
func (c *Config) checkLimits() error {
	for _, f := range []struct {
		name       string
		value, max int
	}{
		{"num_hidden_layers", c.NumHiddenLayers, MaxLayers}, {"hidden_size", c.HiddenSize, MaxWidth},
		{"embedding_size", c.EmbeddingSize, MaxWidth}, {"pooler_hidden_size", c.PoolerHiddenSize, MaxWidth},
		{"intermediate_size", c.IntermediateSize, MaxIntermediate}, {"num_attention_heads", c.NumAttentionHeads, MaxHeads},
		{"vocab_size", c.VocabSize, MaxVocab}, {"max_position_embeddings", c.MaxPositionEmbeddings, MaxPositions},
		{"max_relative_positions", c.MaxRelativePositions, MaxPositions}, {"position_buckets", c.PositionBuckets, MaxPositions},
		{"num_labels", c.NumLabels, MaxLabels}, {"type_vocab_size", c.TypeVocabSize, MaxTypeVocabSize},
	} {
		if f.value > f.max {
			return fmt.Errorf("config field %q is %d: more than this implementation accepts (%d)", f.name, f.value, f.max)
		}
	}
	if n := c.approxParameters(); n > MaxParameters {
		return fmt.Errorf("config describes about %.3g parameters: more than this implementation accepts (%.3g)", float64(n), float64(MaxParameters))
	}
	return nil
}

// approxParameters estimates the backbone's parameter count: embeddings plus, per layer, the attention
// projections and the feed-forward block (biases and norms ignored). Every factor is capped by checkLimits, so
// the products fit in an int64.
func (c *Config) approxParameters() int64 {
	h, e := int64(c.HiddenSize), int64(c.EmbeddingSize)
	emb := (int64(c.VocabSize) + int64(c.MaxPositionEmbeddings) + int64(c.TypeVocabSize)) * e
	layer := 4*h*h + 2*h*int64(c.IntermediateSize)
	return emb + int64(c.NumHiddenLayers)*layer
}
