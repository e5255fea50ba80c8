// Package pretrain is the core of ELECTRA-style replaced-token-detection (RTD) pre-training of DeBERTaV3
// (He, Gao, Chen, arXiv 2111.09543, §2.2 and §3; project spec docs/deberta-v3-spec.md §3).
//
// A generator (same width as the discriminator, half the layers: DefaultGeneratorConfig) is trained with masked
// language modelling on the masked input; replacements are sampled from its softmax at the masked slots (no
// gradient through sampling); a discriminator reads the corrupted sequence and predicts, for every real token,
// whether it was replaced (a sample equal to the original counts as original). Both are trained jointly on
//
//	L = L_MLM + λ·L_RTD        (λ = 50 in the paper, losses.DefaultRTDWeight)
//
// The word embeddings are shared according to Config.Sharing (layers.SharedEmbeddings): ES (one table, both
// gradients: the "tug-of-war"), NES (independent tables), or GDES, the paper's gradient-disentangled sharing
// E_D = sg(E_G) + E_Δ: E_G is trained by L_MLM only, E_Δ (zero at start) by L_RTD only; the discriminator's
// fine-tuning table is E_G + E_Δ (layers.MergedDiscriminatorTable). When the discriminator adds absolute
// position embeddings to its input (position_biased_input), ES and GDES share them the same way, as the official
// code does (Config.SharesPositions): P_G is the generator's own table, the discriminator uses P_G (ES) or
// sg(P_G) + P_Δ (GDES, P_Δ zero at start), and the export writes the merged table.
//
// Config.Objective = ObjectiveMLM is the masked-language-modelling baseline of the paper's RTD-vs-MLM comparison:
// only the model of Config.Generator is built and trained on L_MLM (no sampling, no discriminator, one word table
// at layers.SharedEmbeddingsScope; the CLI's --objective mlm gives it the discriminator's depth); it exports with
// ExportGenerator only, and the RTD metrics are 0. Config.RTDHead = RTDHeadELECTRA replaces the official
// discriminator head (mask_predictions) with ELECTRA's (discriminator_predictions: dense, activation,
// dense_prediction; debertav3.ElectraRTDHead), exported with HF ElectraForPreTraining's key names and loaded
// by checkpoints.Open as debertav3.HeadRTDElectra.
//
// BuildStep is the graph function (static shapes: a fixed number of masked slots per sequence with weights;
// Config.GeneratorEMD adds the official generator's Enhanced Mask Decoder); Trainer.Step wraps it with one
// AdamW optimiser on the summed loss (β 0.9/0.98, ε 1e-6, decoupled weight decay excluding biases and LayerNorm,
// written here because GoMLX v0.26's AdamW decays every variable), global-norm gradient clipping and a warmup +
// linear-decay schedule (neither exists in GoMLX v0.26), all seeded and deterministic; Trainer.Evaluate runs the
// same forward pass without dropout or update. TrainOptions.Decoupled uses two optimisers instead, as the official
// scripts (DecoupledStep, one graph): the generator steps on L_MLM (state under GeneratorOptimizerScope), then the
// discriminator, whose word table is rebuilt from the updated variables (GoMLX's Variable.ValueGraph returns what
// SetValueGraph set earlier in the same graph), steps on λ·L_RTD (DiscriminatorOptimizerScope); ES's shared table
// thus gets two updates per step, each with its own moments; each optimiser clips its own gradients, and
// Metrics.GradNorm / DiscGradNorm report both norms.
//
// RTD diagnostics (rtdstats.go, diagnostics.go). Accuracy at threshold 0.5 cannot see early learning: with
// ~14 % of the tokens replaced, a ranker needs odds 6× above the base rate before a prediction flips, and a
// bias-only discriminator already takes L_RTD from ln 2 to H(p). Every Step and Evaluate therefore fills
// Metrics.RTD (RTDStats) from the discriminator's logits over the batch's scored tokens (HostBatch.Scored: the
// real tokens other than [CLS], [SEP], [PAD], [MASK], see ScoredMask and NewTextBatch): RankAUC, the exact ROC AUC
// of the replaced class (rank-based, ties averaged); the gain H(p) − loss in nats over those tokens (p their
// replaced fraction, H the binary entropy: > 0 only when the logits beat the best constant); precision and
// recall at 0.5. A discriminator stuck at the prior has AUC 0.5 and gain ≤ 0. Trainer.EvaluateSet evaluates a
// fixed set of batches (ValidationBatches: the corpus's validation split, fixed masks) with the RNG reset to a
// seed and restored, so held-out numbers are comparable across steps, runs and arms and training is unchanged;
// metrics.jsonl records both (Record.RTDAUC, RTDGain, ... and Record.Eval). The tests hold every RTD path (both
// heads, the three sharing modes, GDES with EMD, shared positions, decoupled optimisers) to held-out AUC ≥ 0.8 and
// gain ≥ 0.05 nats on a learnable synthetic task, and show that a constant or untrained discriminator fails that.
//
// Speed on the pure-Go backend with package cpukernels (2 cores; docs/PERFORMANCE.md): ~6 ms per step for the
// tests' tiny config (width 16, batch 4 × 16), ~0.6 s for preset small-v3 (width 128, 4 + 2 layers, batch
// 8 × 128) (BenchmarkStepTiny, BenchmarkStepSmallV3).
//
// Scopes: the generator in "generator/deberta/...", "generator/lm_predictions/lm_head/..."; the discriminator in
// "discriminator/deberta/...", "discriminator/mask_predictions/..." (or "discriminator/discriminator_predictions/...");
// the word tables at layers.SharedEmbeddings' scopes, P_Δ at layers.DeltaPositionsScope; the optimiser state under
// OptimizerScope, or GeneratorOptimizerScope and DiscriminatorOptimizerScope when decoupled.
//
// Analyses (analysis.go): AverageCosine / Trainer.TableSimilarities (the paper's average cosine similarity of
// E_G and E_D, E_D merged under GDES) and GradientNodes / Trainer.GradientCosines (the tug-of-war: cosine of
// ∂L_MLM/∂E_G and ∂L_RTD/∂E on the table RTD trains, see GradientAnalysis; the context RNG is restored so
// training is unchanged). Run folders (metrics.go): CreateRun writes config.json (RunInfo) and metrics.jsonl
// (Record per logged step), whole; ReopenRun continues them, ReadMetrics / ReadRunInfo read them back.
// Trainer.SaveState / Resume (state.go) checkpoint every context variable (parameters, AdamW moments and step,
// the RNG state) and a data position into checkpoint/step-NNNNNNNN, each written whole (internal/atomicdir,
// internal/ctxstate): resuming gives bit-identical results. ExportDiscriminator / ExportGenerator
// (export.go) write HF folders that checkpoints.Open loads. TinyConfig / PresetConfig (presets.go) and the CLI
// `deberta pretrain` (cmd/deberta/pretrain.go; --eval-every N for the held-out evaluation) drive it all, and
// `deberta eval-rtd` measures an exported discriminator against its generator's replacements on any text; preset tiny with vocabulary 8000, batch 8 × 128:
// 0.55–0.75 s per step on 2 cores shared with other jobs (1400–1850 tokens/s, 2026-12-03).
//
// Not done yet:
//   - a check of Config.GeneratorEMD (off by default) against the official generator's logits;
//   - gradient accumulation, mixed precision, dropout settings separate from the configs (the configs'
//     hidden/attention dropout are used as they are);
//   - decoupled ES with shared position tables learns RTD more slowly than every other path in the tests
//     (held-out AUC 0.58 after 300 tiny steps, 0.79 after 400; by 600 its generator has solved the synthetic
//     task and nothing is replaced): not asserted there, not yet understood (decoupled ES without shared
//     positions and joint ES with them do learn).
package pretrain
