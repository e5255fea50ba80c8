// Package layers holds DeBERTa's building blocks as GoMLX graph functions: log-bucketed relative positions,
// disentangled self-attention (content-to-content, content-to-position, position-to-content), the post-LN
// transformer layer, the encoder stack, and the input embeddings.
//
// Each layer is a function F(ctx, cfg, x, ...) *Node whose context scopes and variable names ("weight",
// "bias") mirror PyTorch's module paths in HuggingFace checkpoints, so a scope plus a variable name spells a
// checkpoint key. Linear weights are stored [in, out] (the transpose of PyTorch's [out, in]).
//
// For RTD pre-training it also holds the embedding-sharing variants of the paper (SharedEmbeddings: ES, NES and
// GDES, E_D = sg(E_G) + E_Δ), Gumbel-max sampling of replacement tokens without gradient (SampleTokens), and two
// gradient fixes for GoMLX v0.26 that training code installs before building graphs: InstallDotGeneralGradient
// (one DotGeneral per operand instead of a materialised broadcast product: ~40× faster backward) and
// InstallGatherGradient (the strided gather of the c2p/p2c terms has no built-in gradient).
//
// Paper: He, Gao, Chen, "DeBERTaV3: Improving DeBERTa using ELECTRA-Style Pre-Training with
// Gradient-Disentangled Embedding Sharing" (arXiv 2111.09543), building on He et al., "DeBERTa:
// Decoding-enhanced BERT with Disentangled Attention" (arXiv 2006.03654), §3.1 eq. 2–4 for the attention.
//
// Numerics follow HF transformers' DebertaV2 exactly (parity ≤ 2e-6 on the project's fixtures): float32
// LayerNorm with an explicit epsilon (DeBERTa: 1e-7), exact-erf GELU, masked softmax with the dtype's lowest
// value, and scale 1/sqrt(d_head·(1+#position terms)).
package layers
