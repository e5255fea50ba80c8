package debertav3

import (
	"fmt"
	"sort"
	"strings"
)

// presets are named architectures: the released DeBERTa-v3 sizes (spec §1), the benchmark shapes and the
// pre-training preset; the one list behind `deberta bench --shape` and `deberta pretrain --preset`.
var presets = map[string]func(c *Config){
	// Quick pre-training runs on 2 CPU cores (pretrain.TinyConfig; pre-training sets the tokenizer's vocabulary).
	"tiny": func(c *Config) { c.size(128, 4, 4, 512, 8000) },
	// Benchmark shapes (docs/PERFORMANCE.md; the PyTorch baseline uses the same).
	"small-v3": func(c *Config) { c.size(128, 4, 4, 512, 1000) },
	"xsmall":   func(c *Config) { c.size(384, 12, 6, 1536, 8000) },
	// Released architectures, vocabulary 128100.
	"deberta-v3-xsmall": func(c *Config) { c.size(384, 12, 6, 1536, 128100) },
	"deberta-v3-small":  func(c *Config) { c.size(768, 6, 12, 3072, 128100) },
	"deberta-v3-base":   func(c *Config) { c.size(768, 12, 12, 3072, 128100) },
	"deberta-v3-large":  func(c *Config) { c.size(1024, 24, 16, 4096, 128100) },
	"mdeberta-v3-base":  func(c *Config) { c.size(768, 12, 12, 3072, 251000) },
}

func (c *Config) size(hidden, layers, heads, ffn, vocab int) {
	c.HiddenSize, c.EmbeddingSize, c.PoolerHiddenSize = hidden, hidden, hidden
	c.NumHiddenLayers, c.NumAttentionHeads, c.IntermediateSize, c.VocabSize = layers, heads, ffn, vocab
}

// Preset returns a named architecture with DeBERTa-v3 defaults (256 position buckets, c2p+p2c, shared keys).
// Names: PresetNames().
func Preset(name string) (*Config, error) {
	set, ok := presets[name]
	if !ok {
		return nil, fmt.Errorf("unknown preset %q (known: %s)", name, strings.Join(PresetNames(), ", "))
	}
	c := DefaultConfig()
	set(c)
	return c, c.Validate()
}

// PresetNames lists the preset names, sorted.
func PresetNames() []string {
	names := make([]string, 0, len(presets))
	for n := range presets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ParamCounts splits a model's parameter count into embeddings (word, absolute position and token-type
// tables, as the paper counts them: e.g. 98M of deberta-v3-base's 184M) and the rest (backbone and heads).
func ParamCounts(cfg *Config, opts Options) (embedding, other int) {
	for _, p := range ParamSpecs(cfg, opts) {
		if strings.HasPrefix(p.Scope, "/"+BackboneScope+"/embeddings/") && strings.HasSuffix(p.Scope, "_embeddings") {
			embedding += p.Size()
		} else {
			other += p.Size()
		}
	}
	return embedding, other
}
