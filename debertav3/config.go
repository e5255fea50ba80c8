package debertav3

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
)

// Config is the architecture of a DeBERTa-v2/v3 model, parsed once from a HuggingFace config.json.
//
// Fields absent from config.json take the DeBERTa-v3 defaults (see DefaultConfig), not HF's DebertaV2Config
// defaults, which are v2-xlarge values. Every field we do not implement is rejected by Validate with an error
// naming the field.
type Config struct {
	ModelType             string
	Architectures         []string
	VocabSize             int
	HiddenSize            int
	EmbeddingSize         int // == HiddenSize unless the checkpoint has embed_proj.
	NumHiddenLayers       int
	NumAttentionHeads     int
	IntermediateSize      int
	HiddenAct             string
	HiddenDropoutProb     float64
	AttentionDropoutProb  float64
	MaxPositionEmbeddings int
	TypeVocabSize         int
	InitializerRange      float64
	LayerNormEps          float64
	RelativeAttention     bool
	MaxRelativePositions  int // -1 in config.json means MaxPositionEmbeddings; see EffectiveMaxRelativePositions.
	PositionBuckets       int // <= 0: no log-bucketing.
	PosAttType            []string
	NormRelEbd            []string // e.g. ["layer_norm"]; empty means none.
	ShareAttKey           bool
	PositionBiasedInput   bool
	PadTokenID            int
	PoolerHiddenSize      int
	PoolerHiddenAct       string
	PoolerDropout         float64
	ConvKernelSize        int
	DType                 string         // torch_dtype / dtype as written, informational.
	ID2Label              map[int]string // class index -> label name (sequence/token classification).
	Label2ID              map[string]int // label name -> class index.
	NumLabels             int            // len(ID2Label) when present, else num_labels, else 2.
}

// DefaultConfig returns the DeBERTa-v3-base architecture (the values of microsoft/deberta-v3-base).
func DefaultConfig() *Config {
	return &Config{
		ModelType:             "deberta-v2",
		VocabSize:             128100,
		HiddenSize:            768,
		NumHiddenLayers:       12,
		NumAttentionHeads:     12,
		IntermediateSize:      3072,
		HiddenAct:             "gelu",
		HiddenDropoutProb:     0.1,
		AttentionDropoutProb:  0.1,
		MaxPositionEmbeddings: 512,
		TypeVocabSize:         0,
		InitializerRange:      0.02,
		LayerNormEps:          1e-7,
		RelativeAttention:     true,
		MaxRelativePositions:  -1,
		PositionBuckets:       256,
		PosAttType:            []string{"p2c", "c2p"},
		NormRelEbd:            []string{"layer_norm"},
		ShareAttKey:           true,
		PositionBiasedInput:   false,
		PoolerHiddenAct:       "gelu",
		NumLabels:             2,
	}
}

// LoadConfig reads and validates a config.json file.
func LoadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	cfg, err := ParseConfig(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}

// ParseConfig parses the JSON of a HuggingFace deberta-v2 config.json, filling v3 defaults, and validates it.
func ParseConfig(data []byte) (*Config, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("config.json is not a JSON object: %w", err)
	}
	cfg := DefaultConfig()
	p := configParser{raw: raw}
	p.str("model_type", &cfg.ModelType)
	p.strList("architectures", &cfg.Architectures)
	p.integer("vocab_size", &cfg.VocabSize)
	p.integer("hidden_size", &cfg.HiddenSize)
	cfg.EmbeddingSize = cfg.HiddenSize
	p.integer("embedding_size", &cfg.EmbeddingSize)
	p.integer("num_hidden_layers", &cfg.NumHiddenLayers)
	p.integer("num_attention_heads", &cfg.NumAttentionHeads)
	p.integer("intermediate_size", &cfg.IntermediateSize)
	p.str("hidden_act", &cfg.HiddenAct)
	p.float("hidden_dropout_prob", &cfg.HiddenDropoutProb)
	p.float("attention_probs_dropout_prob", &cfg.AttentionDropoutProb)
	p.integer("max_position_embeddings", &cfg.MaxPositionEmbeddings)
	p.integer("type_vocab_size", &cfg.TypeVocabSize)
	p.float("initializer_range", &cfg.InitializerRange)
	p.float("layer_norm_eps", &cfg.LayerNormEps)
	p.boolean("relative_attention", &cfg.RelativeAttention)
	p.integer("max_relative_positions", &cfg.MaxRelativePositions)
	p.integer("position_buckets", &cfg.PositionBuckets)
	p.attTypes("pos_att_type", &cfg.PosAttType)
	p.attTypes("norm_rel_ebd", &cfg.NormRelEbd)
	p.boolean("share_att_key", &cfg.ShareAttKey)
	p.boolean("position_biased_input", &cfg.PositionBiasedInput)
	p.integer("pad_token_id", &cfg.PadTokenID)
	cfg.PoolerHiddenSize = cfg.HiddenSize
	p.integer("pooler_hidden_size", &cfg.PoolerHiddenSize)
	p.str("pooler_hidden_act", &cfg.PoolerHiddenAct)
	p.float("pooler_dropout", &cfg.PoolerDropout)
	p.integer("conv_kernel_size", &cfg.ConvKernelSize)
	p.str("torch_dtype", &cfg.DType)
	p.str("dtype", &cfg.DType)
	p.labels(cfg)
	if p.err != nil {
		return nil, p.err
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// supportedActivations are the hidden_act values we implement (HF ACT2FN names).
var supportedActivations = map[string]bool{
	"gelu": true, "gelu_new": true, "gelu_pytorch_tanh": true, "gelu_fast": true, "relu": true, "tanh": true,
	"silu": true, "swish": true,
}

// Validate checks the configuration is one we implement, naming the offending field.
func (c *Config) Validate() error {
	positive := []struct {
		name  string
		value int
	}{{"vocab_size", c.VocabSize}, {"hidden_size", c.HiddenSize}, {"embedding_size", c.EmbeddingSize},
		{"num_hidden_layers", c.NumHiddenLayers}, {"num_attention_heads", c.NumAttentionHeads},
		{"intermediate_size", c.IntermediateSize}, {"max_position_embeddings", c.MaxPositionEmbeddings},
		{"pooler_hidden_size", c.PoolerHiddenSize}}
	for _, f := range positive {
		if f.value <= 0 {
			return fmt.Errorf("config field %q must be > 0, got %d", f.name, f.value)
		}
	}
	if c.ModelType != "" && c.ModelType != "deberta-v2" {
		return fmt.Errorf("config field \"model_type\" is %q: only \"deberta-v2\" (DeBERTa-v2/v3) is supported", c.ModelType)
	}
	if c.HiddenSize%c.NumAttentionHeads != 0 {
		return fmt.Errorf("config field \"hidden_size\" (%d) is not a multiple of \"num_attention_heads\" (%d)",
			c.HiddenSize, c.NumAttentionHeads)
	}
	if !supportedActivations[c.HiddenAct] {
		return fmt.Errorf("config field \"hidden_act\" is %q: not implemented (supported: %s)", c.HiddenAct, keys(supportedActivations))
	}
	if !supportedActivations[c.PoolerHiddenAct] {
		return fmt.Errorf("config field \"pooler_hidden_act\" is %q: not implemented (supported: %s)", c.PoolerHiddenAct, keys(supportedActivations))
	}
	if c.ConvKernelSize > 0 {
		return fmt.Errorf("config field \"conv_kernel_size\" is %d: the convolution layer of DeBERTa-v2-xlarge is not implemented", c.ConvKernelSize)
	}
	if c.TypeVocabSize < 0 {
		return fmt.Errorf("config field \"type_vocab_size\" must be >= 0, got %d", c.TypeVocabSize)
	}
	if !(c.LayerNormEps > 0) || math.IsInf(c.LayerNormEps, 0) {
		return fmt.Errorf("config field \"layer_norm_eps\" must be a positive number, got %g", c.LayerNormEps)
	}
	for _, p := range []struct {
		name  string
		value float64
	}{{"hidden_dropout_prob", c.HiddenDropoutProb}, {"attention_probs_dropout_prob", c.AttentionDropoutProb}, {"pooler_dropout", c.PoolerDropout}} {
		if p.value < 0 || p.value >= 1 {
			return fmt.Errorf("config field %q must be in [0, 1), got %g", p.name, p.value)
		}
	}
	for _, t := range c.PosAttType {
		if t != "c2p" && t != "p2c" {
			return fmt.Errorf("config field \"pos_att_type\" has %q: only \"c2p\" and \"p2c\" are implemented", t)
		}
	}
	for _, t := range c.NormRelEbd {
		if t != "layer_norm" {
			return fmt.Errorf("config field \"norm_rel_ebd\" has %q: only \"layer_norm\" or \"none\" are implemented", t)
		}
	}
	if c.RelativeAttention && c.AttSpan() <= 0 {
		return fmt.Errorf("config fields \"max_relative_positions\" (%d) / \"position_buckets\" (%d) give no relative positions",
			c.MaxRelativePositions, c.PositionBuckets)
	}
	if c.NumLabels <= 0 {
		return fmt.Errorf("config field \"num_labels\" must be > 0, got %d", c.NumLabels)
	}
	return c.checkLimits()
}

// EffectiveMaxRelativePositions is max_relative_positions, or max_position_embeddings when it is < 1.
func (c *Config) EffectiveMaxRelativePositions() int {
	if c.MaxRelativePositions < 1 {
		return c.MaxPositionEmbeddings
	}
	return c.MaxRelativePositions
}

// AttSpan is the half-size of the relative embedding table: position_buckets when bucketing, else the
// effective max_relative_positions. The table has 2·AttSpan rows.
func (c *Config) AttSpan() int {
	if c.PositionBuckets > 0 {
		return c.PositionBuckets
	}
	return c.EffectiveMaxRelativePositions()
}

// HasPosAtt reports whether pos_att_type contains t ("c2p" or "p2c").
func (c *Config) HasPosAtt(t string) bool {
	for _, x := range c.PosAttType {
		if x == t {
			return true
		}
	}
	return false
}

// RelEmbeddingLayerNorm reports whether the relative embeddings are layer-normalised (norm_rel_ebd).
func (c *Config) RelEmbeddingLayerNorm() bool { return len(c.NormRelEbd) > 0 }

// HeadDim is hidden_size / num_attention_heads.
func (c *Config) HeadDim() int { return c.HiddenSize / c.NumAttentionHeads }

func keys(m map[string]bool) string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

// labelIndex parses an id2label key ("0", "1", ...).
func labelIndex(field, s string) (int, error) {
	i, err := strconv.Atoi(s)
	if err != nil || i < 0 {
		return 0, fmt.Errorf("config field %q has key %q: want a non-negative integer", field, s)
	}
	return i, nil
}
