// Package losses holds the training objectives of DeBERTaV3 as GoMLX graph functions (paper §2, eq. 1–3):
// the masked-language-model cross-entropy over the masked positions (the generator's loss), the
// replaced-token-detection binary cross-entropy over every real token (the discriminator's loss), and their
// weighted sum L = L_MLM + λ·L_RTD (λ = 50 in the paper).
//
// Shapes follow ELECTRA's static-shape discipline: a fixed number of masked slots per sequence with weights
// (1 = a real masked position, 0 = an unused slot), so graphs compile once per batch shape. Every loss is
// computed in float32 with log-sum-exp / softplus forms that are stable for large logits.
package losses
