// Package pipeline runs DeBERTa-v3 models on text, as HuggingFace's pipelines do: a Pipeline holds a model, its
// tokenizer and options (batch size, maximum length), tokenizes the inputs, runs them in batches padded to the
// longest input of each batch, and decodes the outputs of the head the task needs:
//
//   - FillMask: the top-k tokens for each [MASK] (masked-LM head; with DeBERTa-v3 the generator checkpoint — the
//     discriminators have no trained MLM head and are refused);
//   - Detect: per-token probability of having been replaced (the discriminator's replaced-token-detection head);
//   - Classify, ClassifyPairs: sequence classification with id2label, softmax or per-label sigmoid;
//   - ZeroShot: NLI-based zero-shot classification (entailment/contradiction found in id2label);
//   - TokenClassify: per-token labels, or word-level entity spans ("first" aggregation) with byte offsets;
//   - QA: extractive question answering with n-best span decoding;
//   - Embed: mask-weighted mean of the last hidden state, optionally L2-normalised;
//   - Dissect: attention maps and the share of the c2c, c2p and p2c terms in the scores, per layer and head.
//
// Load opens a checkpoint folder or a hub reference (owner/name[@revision]) with package checkpoints and the
// tokenizer from the same folder; New wraps a model and tokenizer already in memory. Inputs longer than
// Options.MaxLength (512 by default) are truncated, with a warning written to Options.Warnings. Errors are
// returned, never panics. Results carry byte offsets into the caller's texts. A Pipeline is not safe for
// concurrent use. Subpackage tinymodels writes tiny random-weight checkpoints for tests and offline demos.
//
// Shapes: the model's inputs are int32 [batch, seq]; seq is the longest encoding of the batch, at most MaxLength.
package pipeline
