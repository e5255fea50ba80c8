package pretrain

import "github.com/deberta-go/lab/debertav3"

// TinyPreset is the name of TinyConfig for the CLI.
const TinyPreset = "tiny"

// TinySeqLen is the sequence length TinyConfig is meant for.
const TinySeqLen = 128

// TinyConfig is the discriminator of debertav3.Preset(TinyPreset), for quick pre-training runs on 2 CPU cores:
// width 128, 4 layers, 4 heads, FFN 512 (DefaultGeneratorConfig gives it a 2-layer generator), sequences of
// TinySeqLen; vocab is the tokenizer's.
func TinyConfig(vocab int) *debertav3.Config {
	c, err := PresetConfig(TinyPreset, vocab)
	if err != nil {
		panic(err) // a preset of ours that does not validate is a bug
	}
	return c
}

// PresetConfig returns the discriminator of a debertav3.Preset (TinyPreset, small-v3, deberta-v3-base, …; the
// list `deberta bench --shape` also uses) with the tokenizer's vocabulary size.
func PresetConfig(name string, vocab int) (*debertav3.Config, error) {
	c, err := debertav3.Preset(name)
	if err != nil {
		return nil, err
	}
	c.VocabSize = vocab
	return c, c.Validate()
}
