package debertav3

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/deberta-go/lab/internal/testutil"
)

func TestParseConfigFixtures(t *testing.T) {
	cases := []struct {
		path                   string
		buckets, span, maxRel  int
		posAtt                 []string
		share, biased, normRel bool
		types                  int
	}{
		{"tiny-v3/base/config.json", 16, 16, 128, []string{"p2c", "c2p"}, true, false, true, 0},
		{"tiny-v3-long/base/config.json", 32, 32, 512, []string{"p2c", "c2p"}, true, false, true, 0},
		{"tiny-v2-style/base/config.json", -1, 64, 64, []string{"p2c", "c2p"}, false, true, false, 2},
		// Hub style: "pos_att_type": "p2c|c2p" as a string, no dtype, no architectures.
		{"official-tiny/discriminator/config.json", 16, 16, 128, []string{"p2c", "c2p"}, true, false, true, 0},
	}
	for _, c := range cases {
		cfg, err := LoadConfig(testutil.Fixture(c.path))
		if err != nil {
			t.Fatalf("%s: %v", c.path, err)
		}
		if cfg.PositionBuckets != c.buckets || cfg.AttSpan() != c.span || cfg.EffectiveMaxRelativePositions() != c.maxRel ||
			!slices.Equal(cfg.PosAttType, c.posAtt) || cfg.ShareAttKey != c.share || cfg.PositionBiasedInput != c.biased ||
			cfg.RelEmbeddingLayerNorm() != c.normRel || cfg.TypeVocabSize != c.types || cfg.LayerNormEps != 1e-7 {
			t.Errorf("%s: parsed %+v", c.path, cfg)
		}
	}
}

func TestParseConfigDefaultsAndVariants(t *testing.T) {
	cfg, err := ParseConfig([]byte(`{"model_type":"deberta-v2","torch_dtype":"float16","vocab_size":100,
		"pos_att_type":"c2p","norm_rel_ebd":"none","id2label":{"0":"neg","1":"pos"},"label2id":{"neg":0,"pos":1}}`))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HiddenSize != 768 || cfg.PositionBuckets != 256 || cfg.LayerNormEps != 1e-7 || cfg.DType != "float16" ||
		!slices.Equal(cfg.PosAttType, []string{"c2p"}) || cfg.RelEmbeddingLayerNorm() || cfg.NumLabels != 2 || cfg.ID2Label[1] != "pos" {
		t.Errorf("defaults/variants: %+v", cfg)
	}
	cfg, err = ParseConfig([]byte(`{"dtype":"bfloat16","num_labels":5,"embedding_size":128}`))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DType != "bfloat16" || cfg.NumLabels != 5 || cfg.EmbeddingSize != 128 {
		t.Errorf("dtype/num_labels/embedding_size: %+v", cfg)
	}
}

func TestParseConfigErrors(t *testing.T) {
	cases := []struct{ json, wantField string }{
		{`not json`, "not a JSON object"},
		{`{"conv_kernel_size": 3}`, `"conv_kernel_size"`},
		{`{"pos_att_type": "p2c|p2p"}`, `"pos_att_type"`},
		{`{"pos_att_type": 7}`, `"pos_att_type"`},
		{`{"hidden_act": "mish"}`, `"hidden_act"`},
		{`{"hidden_size": "768"}`, `"hidden_size"`},
		{`{"hidden_size": 768.5}`, `"hidden_size"`},
		{`{"hidden_size": 100, "num_attention_heads": 12}`, `"hidden_size"`},
		{`{"num_hidden_layers": 0}`, `"num_hidden_layers"`},
		{`{"num_hidden_layers": 1000000}`, `"num_hidden_layers" is 1000000: more than`},
		{`{"vocab_size": 1000000000}`, `"vocab_size"`},
		{`{"max_position_embeddings": 99999999}`, `"max_position_embeddings"`},
		{`{"num_hidden_layers": 1000, "hidden_size": 16384, "num_attention_heads": 16}`, "parameters"},
		{`{"model_type": "bert"}`, `"model_type"`},
		{`{"layer_norm_eps": -1}`, `"layer_norm_eps"`},
		{`{"norm_rel_ebd": "batch_norm"}`, `"norm_rel_ebd"`},
		{`{"id2label": {"x": "a"}}`, `"id2label"`},
		{`{"id2label": {"0": "a", "5": "b"}}`, `"id2label"`},
		{`{"id2label": {"0": "a"}, "num_labels": 3}`, `"num_labels"`},
		{`{"id2label": {"0": "a"}, "label2id": {"b": 0}}`, `"label2id"`},
		{`{"share_att_key": "yes"}`, `"share_att_key"`},
		{`{"hidden_dropout_prob": 1.5}`, `"hidden_dropout_prob"`},
		{`{"max_relative_positions": -1, "max_position_embeddings": 0}`, `"max_position_embeddings"`},
	}
	for _, c := range cases {
		_, err := ParseConfig([]byte(c.json))
		if err == nil || !strings.Contains(err.Error(), c.wantField) {
			t.Errorf("ParseConfig(%s): error %v, want one naming %s", c.json, err, c.wantField)
		}
	}
}

func TestLoadConfigNamesFile(t *testing.T) {
	path := t.TempDir() + "/config.json"
	if err := os.WriteFile(path, []byte(`{"hidden_act": "mish"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadConfig(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("LoadConfig error %v does not name %s", err, path)
	}
}

func TestPresetsAndParamCounts(t *testing.T) {
	for _, name := range PresetNames() {
		if _, err := Preset(name); err != nil {
			t.Errorf("preset %s: %v", name, err)
		}
	}
	if _, err := Preset("huge"); err == nil || !strings.Contains(err.Error(), "deberta-v3-base") {
		t.Errorf("unknown preset error %v should list the known names", err)
	}
	// The paper: deberta-v3-base has 86M backbone and 98M embedding parameters.
	cfg, _ := Preset("deberta-v3-base")
	emb, other := ParamCounts(cfg, Options{})
	if emb != 128100*768 || other < 85_000_000 || other > 87_000_000 {
		t.Errorf("deberta-v3-base: %d embedding, %d other parameters", emb, other)
	}
	// The PyTorch baseline counts 987136 parameters for the small-v3 base model.
	cfg, _ = Preset("small-v3")
	if emb, other := ParamCounts(cfg, Options{}); emb+other != 987136 {
		t.Errorf("small-v3: %d parameters, PyTorch counts 987136", emb+other)
	}
}

func TestBadBackendIsAnError(t *testing.T) {
	if _, err := newQuietBackend("no-such-backend"); err == nil {
		t.Error("unknown backend: no error")
	}
}
