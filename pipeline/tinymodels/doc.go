// Package tinymodels writes tiny DeBERTa-v3 checkpoint folders with RANDOM weights, in the HuggingFace layout
// (config.json + model.safetensors + spm.model), for the pipeline tests and benchmarks and for notebooks that must
// run offline. The weights are untrained: what the models predict means nothing; only shapes, plumbing and
// numerics can be checked with them.
//
// Every kind has the same small architecture (Config): hidden 32, 2 layers, 4 heads, FFN 64, v3 attention
// (c2p+p2c, 256 log buckets, shared keys), 512 positions, and a vocabulary of the tokenizer's ids rounded up to a
// multiple of 64 (so, as in the released models, the last embedding rows are never produced by the tokenizer).
package tinymodels
