package debertav3

// ForwardFLOPs counts the floating-point operations (2 per multiply-add) of the backbone's matrix products for
// one forward pass of [batch, seq] tokens, with the relative-position terms computed on the reachable rows
// only (min(2·seq−1, 2·AttSpan) rows). Element-wise work (GELU, LayerNorm, softmax) is not counted: this is the
// matmul work that bounds the forward time from below.
func ForwardFLOPs(cfg *Config, batch, seq int) int64 {
	b, l, h, f := int64(batch), int64(seq), int64(cfg.HiddenSize), int64(cfg.IntermediateSize)
	tokens := b * l
	perLayer := 2*tokens*h*h*4 + // Q, K, V, output projections
		2*tokens*h*f*2 + // FFN
		2*b*l*l*h*2 // scores Q·Kᵀ and probs·V
	if cfg.RelativeAttention {
		rows := min(2*l-1, int64(2*cfg.AttSpan()))
		terms := int64(0)
		if cfg.HasPosAtt("c2p") {
			terms++
		}
		if cfg.HasPosAtt("p2c") {
			terms++
		}
		// Each term: scores against every reachable row, plus projecting those rows (Kr or Qr).
		perLayer += terms * (2*b*l*rows*h + 2*rows*h*h)
	}
	return int64(cfg.NumHiddenLayers) * perLayer
}
