// Package debertav3 is the DeBERTa-v2/v3 model: a typed Config parsed from HuggingFace config.json, the
// backbone (HF DebertaV2Model) and its task heads — masked LM (both key layouts), the replaced-token-detection
// head of the official discriminator, sequence and token classification, extractive QA and multiple choice —
// built from package layers with context scopes equal to HF checkpoint keys (see ParamSpecs).
//
// A Model compiles its forward pass for each input shape and runs on the process-wide GoMLX backend (Backend):
// the pure-Go backend by default, XLA (CPU or CUDA) with GOMLX_BACKEND=xla:cpu / xla:cuda. Package checkpoints
// loads weights into a Model; without weights the first Forward initialises them randomly as HF does.
//
// Shapes: inputs [batch, seq] int32/int64 (mask 1 = real token); hidden states [batch, seq, hidden]; attention
// probabilities [batch, heads, seq, seq]; MLM logits [batch, seq, vocab]; RTD logits [batch, seq].
package debertav3
