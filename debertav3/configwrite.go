package debertav3

import (
	"encoding/json"
	"strconv"
	"strings"
)

// Architectures returns the HF class names for a model with these heads (config.json "architectures").
func (o Options) Architectures() []string {
	for _, h := range o.Heads {
		switch h {
		case HeadMaskedLM:
			return []string{"DebertaV2ForMaskedLM"}
		case HeadSequenceClassification:
			return []string{"DebertaV2ForSequenceClassification"}
		case HeadTokenClassification:
			return []string{"DebertaV2ForTokenClassification"}
		case HeadQuestionAnswering:
			return []string{"DebertaV2ForQuestionAnswering"}
		case HeadMultipleChoice:
			return []string{"DebertaV2ForMultipleChoice"}
		}
	}
	return []string{"DebertaV2Model"}
}

// MarshalHF writes the configuration as a HuggingFace config.json that transformers' DebertaV2Config and
// ParseConfig both read back to the same architecture. opts decides "architectures" and the MLM "legacy" flag.
func (c *Config) MarshalHF(opts Options) ([]byte, error) {
	out := map[string]any{
		"model_type":                   "deberta-v2",
		"architectures":                opts.Architectures(),
		"vocab_size":                   c.VocabSize,
		"hidden_size":                  c.HiddenSize,
		"num_hidden_layers":            c.NumHiddenLayers,
		"num_attention_heads":          c.NumAttentionHeads,
		"intermediate_size":            c.IntermediateSize,
		"hidden_act":                   c.HiddenAct,
		"hidden_dropout_prob":          c.HiddenDropoutProb,
		"attention_probs_dropout_prob": c.AttentionDropoutProb,
		"max_position_embeddings":      c.MaxPositionEmbeddings,
		"type_vocab_size":              c.TypeVocabSize,
		"initializer_range":            c.InitializerRange,
		"layer_norm_eps":               c.LayerNormEps,
		"relative_attention":           c.RelativeAttention,
		"max_relative_positions":       c.MaxRelativePositions,
		"position_buckets":             c.PositionBuckets,
		"pos_att_type":                 c.PosAttType,
		"norm_rel_ebd":                 normRelString(c.NormRelEbd),
		"share_att_key":                c.ShareAttKey,
		"position_biased_input":        c.PositionBiasedInput,
		"pad_token_id":                 c.PadTokenID,
		"pooler_hidden_size":           c.PoolerHiddenSize,
		"pooler_hidden_act":            c.PoolerHiddenAct,
		"pooler_dropout":               c.PoolerDropout,
		"dtype":                        "float32",
		"legacy":                       opts.MLMLayout == MLMLegacy,
	}
	if c.EmbeddingSize != c.HiddenSize {
		out["embedding_size"] = c.EmbeddingSize
	}
	if c.ID2Label != nil {
		id2label := map[string]string{}
		label2id := map[string]int{}
		for i, name := range c.ID2Label {
			id2label[strconv.Itoa(i)] = name
			label2id[name] = i
		}
		out["id2label"], out["label2id"] = id2label, label2id
	} else {
		out["num_labels"] = c.NumLabels
	}
	return json.MarshalIndent(out, "", "  ")
}

func normRelString(parts []string) string {
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "|")
}
