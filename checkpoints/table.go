package checkpoints

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/deberta-go/lab/debertav3"
)

// backbonePrefix is the prefix of backbone keys in HF task models; bare DebertaV2Model checkpoints omit it.
const backbonePrefix = debertav3.BackboneScope + "."

// NormalizeKeys returns the state dict's keys as our table spells them: backbone keys of a bare
// DebertaV2Model checkpoint ("embeddings.…", "encoder.…") get the "deberta." prefix of task models.
func NormalizeKeys(tensors map[string]*Tensor) map[string]*Tensor {
	hasPrefix := false
	for k := range tensors {
		if strings.HasPrefix(k, backbonePrefix) {
			hasPrefix = true
			break
		}
	}
	if hasPrefix {
		return tensors
	}
	out := make(map[string]*Tensor, len(tensors))
	for k, t := range tensors {
		if strings.HasPrefix(k, "embeddings.") || strings.HasPrefix(k, "encoder.") {
			k = backbonePrefix + k
		}
		out[k] = t
	}
	return out
}

// harmless explains keys that checkpoints carry and our models deliberately do not load.
func harmless(key string, cfg *debertav3.Config, opts debertav3.Options) (reason string, ok bool) {
	switch {
	case isMLMKey(key) && isDiscriminator(opts) && !opts.Has(debertav3.HeadMaskedLM):
		return UntrainedMLMReason, true
	case key == positionTableKey && !cfg.PositionBiasedInput && !opts.EnhancedMaskDecoder:
		return "absolute position embeddings unused with position_biased_input=false (Microsoft's layout keeps them; only the generator's Enhanced Mask Decoder uses them)", true
	case key == "deberta.embeddings.position_ids":
		return "position-id buffer, recomputed", true
	case key == "cls.predictions.decoder.weight" || key == "lm_predictions.lm_head.weight":
		return "MLM decoder, tied to deberta.embeddings.word_embeddings.weight", true
	case key == "cls.predictions.decoder.bias":
		return "MLM decoder bias, tied to cls.predictions.bias", true
	case strings.HasPrefix(key, "mask_predictions.") && !opts.Has(debertav3.HeadRTD):
		return "replaced-token-detection head not built (ask for the rtd head to use it)", true
	case strings.HasPrefix(key, debertav3.ElectraRTDScope+".") && !opts.Has(debertav3.HeadRTDElectra):
		return "ELECTRA replaced-token-detection head not built (ask for the rtd-electra head to use it)", true
	case (strings.HasPrefix(key, "cls.predictions.") || strings.HasPrefix(key, "lm_predictions.")) && !opts.Has(debertav3.HeadMaskedLM):
		return "masked-LM head not built", true
	}
	return "", false
}

// UntrainedMLMReason is why the masked-LM head keys of a discriminator checkpoint are not loaded.
const UntrainedMLMReason = "masked-LM head of a replaced-token-detection discriminator: never trained by its " +
	"pre-training (released DeBERTa-v3 checkpoints carry it unused); fill-mask needs the generator"

// isMLMKey reports whether key belongs to a masked-LM head (either layout).
func isMLMKey(key string) bool {
	return strings.HasPrefix(key, "lm_predictions.") || strings.HasPrefix(key, "cls.predictions.")
}

// isDiscriminator reports whether the heads include a replaced-token-detection head.
func isDiscriminator(opts debertav3.Options) bool {
	return opts.Has(debertav3.HeadRTD) || opts.Has(debertav3.HeadRTDElectra)
}

// DetectOptions decides which heads a checkpoint holds from its keys, using config.json's architectures to
// tell apart heads that share keys (sequence classification vs multiple choice). A checkpoint with a
// replaced-token-detection head is a discriminator whatever else it holds: the masked-LM head keys that the
// released DeBERTa-v3 discriminators carry beside mask_predictions.* were never trained, so no masked-LM head
// is detected for them (they are reported as ignored, with UntrainedMLMReason).
func DetectOptions(cfg *debertav3.Config, keys []string) debertav3.Options {
	has := func(prefix string) bool {
		return slices.ContainsFunc(keys, func(k string) bool { return strings.HasPrefix(k, prefix) })
	}
	arch := strings.Join(cfg.Architectures, ",")
	var opts debertav3.Options
	discriminator := has("mask_predictions.") || has(debertav3.ElectraRTDScope+".")
	switch {
	case discriminator:
	case has("lm_predictions.lm_head.dense."):
		opts.Heads = append(opts.Heads, debertav3.HeadMaskedLM)
		opts.MLMLayout = debertav3.MLMLMPredictions
	case has("cls.predictions.transform."):
		opts.Heads = append(opts.Heads, debertav3.HeadMaskedLM)
	}
	if has("mask_predictions.") {
		opts.Heads = append(opts.Heads, debertav3.HeadRTD)
	} else if has(debertav3.ElectraRTDScope + ".") {
		opts.Heads = append(opts.Heads, debertav3.HeadRTDElectra)
	}
	if has("qa_outputs.") {
		opts.Heads = append(opts.Heads, debertav3.HeadQuestionAnswering)
	}
	if has("classifier.") {
		switch {
		case strings.Contains(arch, "MultipleChoice"):
			opts.Heads = append(opts.Heads, debertav3.HeadMultipleChoice)
		case has("pooler.dense."):
			opts.Heads = append(opts.Heads, debertav3.HeadSequenceClassification)
		default:
			opts.Heads = append(opts.Heads, debertav3.HeadTokenClassification)
		}
	}
	return opts
}

// Match is the result of matching a state dict against a model's ParamSpecs.
type Match struct {
	// Params pairs each spec with its checkpoint tensor, in table order.
	Params []MatchedParam
	// Ignored are keys deliberately not loaded, with the reason.
	Ignored map[string]string
	// Unknown are keys no table entry explains (reported, not loaded).
	Unknown []string
}

// MatchedParam is one variable and the checkpoint tensor that fills it.
type MatchedParam struct {
	Spec   debertav3.ParamSpec
	Tensor *Tensor
}

// MatchStateDict pairs every variable of the model with its checkpoint tensor by key, strictly: a missing key
// or a shape other than the spec's (transposed for Linear weights) is an error naming the keys and shapes.
func MatchStateDict(cfg *debertav3.Config, opts debertav3.Options, tensors map[string]*Tensor) (*Match, error) {
	tensors = NormalizeKeys(tensors)
	m := &Match{Ignored: map[string]string{}}
	used := map[string]bool{}
	var missing, badShape []string
	for _, spec := range debertav3.ParamSpecs(cfg, opts) {
		key := spec.Key()
		t, ok := tensors[key]
		if !ok {
			missing = append(missing, key)
			continue
		}
		used[key] = true
		want := checkpointShape(spec)
		if !slices.Equal(t.Shape, want) || t.Data == nil {
			badShape = append(badShape, fmt.Sprintf("%s: checkpoint has %s%v, model needs float %v", key, t.DType, t.Shape, want))
			continue
		}
		m.Params = append(m.Params, MatchedParam{Spec: spec, Tensor: t})
	}
	for key := range tensors {
		if used[key] {
			continue
		}
		if reason, ok := harmless(key, cfg, opts); ok {
			m.Ignored[key] = reason
		} else {
			m.Unknown = append(m.Unknown, key)
		}
	}
	sort.Strings(m.Unknown)
	if len(missing) > 0 || len(badShape) > 0 {
		var msg []string
		if len(missing) > 0 {
			msg = append(msg, fmt.Sprintf("%d missing key(s): %s", len(missing), strings.Join(missing, ", ")))
		}
		if len(badShape) > 0 {
			msg = append(msg, fmt.Sprintf("%d shape mismatch(es): %s", len(badShape), strings.Join(badShape, "; ")))
		}
		return m, fmt.Errorf("checkpoint does not fit the config: %s", strings.Join(msg, "; "))
	}
	return m, nil
}

// checkpointShape is the shape of a spec's tensor in a PyTorch state dict ([out, in] for Linear weights).
func checkpointShape(spec debertav3.ParamSpec) []int {
	if spec.Transposed {
		return []int{spec.Shape[1], spec.Shape[0]}
	}
	return spec.Shape
}

// transpose2D returns the row-major transpose of a [rows, cols] matrix.
func transpose2D(data []float32, rows, cols int) []float32 {
	out := make([]float32, len(data))
	for r := range rows {
		for c := range cols {
			out[c*rows+r] = data[r*cols+c]
		}
	}
	return out
}
