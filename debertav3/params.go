package debertav3

import (
	"strconv"
	"strings"
)

// ParamSpec describes one model variable: its context scope and name (which together spell the HF checkpoint
// key) and its shape as stored in the context.
type ParamSpec struct {
	// Scope is the context scope, e.g. "/deberta/encoder/layer/0/attention/self/query_proj".
	Scope string
	// Name is the variable name: "weight" or "bias".
	Name string
	// Shape is the variable's shape. Linear weights are stored [in, out]: the transpose of PyTorch's [out, in].
	Shape []int
	// Transposed marks Linear weights, whose checkpoint tensor is the transpose of the variable.
	Transposed bool
}

// Key is the HF checkpoint key of the variable: the scope with "/" → "." plus the name.
func (p ParamSpec) Key() string {
	return strings.ReplaceAll(strings.TrimPrefix(p.Scope, "/"), "/", ".") + "." + p.Name
}

// Size is the number of elements.
func (p ParamSpec) Size() int {
	n := 1
	for _, d := range p.Shape {
		n *= d
	}
	return n
}

// paramTable accumulates ParamSpecs under a scope.
type paramTable struct{ specs []ParamSpec }

func (t *paramTable) add(scope, name string, transposed bool, shape ...int) {
	t.specs = append(t.specs, ParamSpec{Scope: scope, Name: name, Shape: shape, Transposed: transposed})
}

// linear adds a Linear layer's weight [in, out] and optional bias [out].
func (t *paramTable) linear(scope string, in, out int, bias bool) {
	t.add(scope, "weight", true, in, out)
	if bias {
		t.add(scope, "bias", false, out)
	}
}

func (t *paramTable) layerNorm(scope string, d int) {
	t.add(scope, "weight", false, d)
	t.add(scope, "bias", false, d)
}

// ParamSpecs lists every variable a Model with these options has, in HF state-dict order. It is the single
// table the checkpoint loader and writer work from; a test checks it against the variables the graph creates.
func ParamSpecs(cfg *Config, opts Options) []ParamSpec {
	t := &paramTable{}
	h, e := cfg.HiddenSize, cfg.EmbeddingSize
	emb := "/" + BackboneScope + "/embeddings"
	t.add(emb+"/word_embeddings", "weight", false, cfg.VocabSize, e)
	if cfg.PositionBiasedInput || opts.EnhancedMaskDecoder {
		t.add(emb+"/position_embeddings", "weight", false, cfg.MaxPositionEmbeddings, e)
	}
	if cfg.TypeVocabSize > 0 {
		t.add(emb+"/token_type_embeddings", "weight", false, cfg.TypeVocabSize, e)
	}
	if e != h {
		t.linear(emb+"/embed_proj", e, h, false)
	}
	t.layerNorm(emb+"/LayerNorm", h)
	enc := "/" + BackboneScope + "/encoder"
	for i := range cfg.NumHiddenLayers {
		layer := enc + "/layer/" + strconv.Itoa(i)
		self := layer + "/attention/self"
		for _, proj := range []string{"query_proj", "key_proj", "value_proj"} {
			t.linear(self+"/"+proj, h, h, true)
		}
		if cfg.RelativeAttention && !cfg.ShareAttKey {
			if cfg.HasPosAtt("c2p") {
				t.linear(self+"/pos_key_proj", h, h, true)
			}
			if cfg.HasPosAtt("p2c") {
				t.linear(self+"/pos_query_proj", h, h, true)
			}
		}
		t.linear(layer+"/attention/output/dense", h, h, true)
		t.layerNorm(layer+"/attention/output/LayerNorm", h)
		t.linear(layer+"/intermediate/dense", h, cfg.IntermediateSize, true)
		t.linear(layer+"/output/dense", cfg.IntermediateSize, h, true)
		t.layerNorm(layer+"/output/LayerNorm", h)
	}
	if cfg.RelativeAttention {
		t.add(enc+"/rel_embeddings", "weight", false, 2*cfg.AttSpan(), h)
		if cfg.RelEmbeddingLayerNorm() {
			t.layerNorm(enc+"/LayerNorm", h)
		}
	}
	for _, head := range opts.Heads {
		headParams(t, cfg, opts, head)
	}
	return t.specs
}

// headParams adds the variables of one head.
func headParams(t *paramTable, cfg *Config, opts Options, head Head) {
	h := cfg.HiddenSize
	switch head {
	case HeadMaskedLM:
		transform, bias := "/cls/predictions/transform", "/cls/predictions"
		if opts.MLMLayout == MLMLMPredictions {
			transform, bias = "/lm_predictions/lm_head", "/lm_predictions/lm_head"
		}
		t.linear(transform+"/dense", h, cfg.EmbeddingSize, true)
		t.layerNorm(transform+"/LayerNorm", cfg.EmbeddingSize)
		t.add(bias, "bias", false, cfg.VocabSize)
	case HeadRTD:
		t.linear("/mask_predictions/dense", h, h, true)
		t.layerNorm("/mask_predictions/LayerNorm", h)
		t.linear("/mask_predictions/classifier", h, 1, true)
	case HeadRTDElectra:
		electraRTDParams(t, cfg)
	case HeadSequenceClassification:
		t.linear("/pooler/dense", h, cfg.PoolerHiddenSize, true)
		t.linear("/classifier", cfg.PoolerHiddenSize, cfg.NumLabels, true)
	case HeadTokenClassification:
		t.linear("/classifier", h, cfg.NumLabels, true)
	case HeadQuestionAnswering:
		t.linear("/qa_outputs", h, 2, true)
	case HeadMultipleChoice:
		t.linear("/pooler/dense", h, cfg.PoolerHiddenSize, true)
		t.linear("/classifier", cfg.PoolerHiddenSize, 1, true)
	}
}
