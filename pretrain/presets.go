package pretrain

import "github.com/deberta-go/lab/debertav3"

// TinyPreset is the name of TinyConfig for the CLI.
const TinyPreset = "tiny"

// TinySeqLen is the sequence length TinyConfig is meant for.
const TinySeqLen = 128

// TinyConfig is a discriminator for quick pre-training runs on 2 CPU cores: width 128, 4 layers, 4 heads,
// FFN 512 (DefaultGeneratorConfig gives it a 2-layer generator), sequences of TinySeqLen; vocab is the
// tokenizer's.
func TinyConfig(vocab int) *debertav3.Config {
	c := debertav3.DefaultConfig()
	c.VocabSize = vocab
	c.HiddenSize, c.EmbeddingSize, c.PoolerHiddenSize = 128, 128, 128
	c.NumHiddenLayers, c.NumAttentionHeads, c.IntermediateSize = 4, 4, 512
	return c
}

// PresetConfig returns the discriminator of a named preset (TinyPreset or a debertav3.Preset name) with the
// tokenizer's vocabulary size.
func PresetConfig(name string, vocab int) (*debertav3.Config, error) {
	if name == TinyPreset {
		c := TinyConfig(vocab)
		return c, c.Validate()
	}
	c, err := debertav3.Preset(name)
	if err != nil {
		return nil, err
	}
	c.VocabSize = vocab
	return c, c.Validate()
}
