package losses

import (
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
)

// DefaultRTDWeight is λ of the paper's L = L_MLM + λ·L_RTD.
const DefaultRTDWeight = 50.0

// MaskedLMPerToken is the cross-entropy −log softmax(logits)[label] of each slot.
// logits: [..., vocab]; labels: [...] integer ids. Returns [...] float32.
func MaskedLMPerToken(logits, labels *Node) *Node {
	logits = ConvertDType(logits, dtypes.Float32)
	vocab := logits.Shape().Dimensions[logits.Rank()-1]
	logProbs := LogSoftmax(logits, -1)
	return Neg(ReduceSum(Mul(logProbs, OneHot(labels, vocab, dtypes.Float32)), -1))
}

// MaskedLM is the generator's loss: the mean cross-entropy over the masked slots whose weight is > 0.
// logits: [batch, slots, vocab] (the generator's logits gathered at the masked positions); labels: [batch,
// slots] original ids; weights: [batch, slots] (1 = real masked position, 0 = unused slot). Returns a scalar;
// 0 when no slot has weight.
func MaskedLM(logits, labels, weights *Node) *Node {
	return weightedMean(MaskedLMPerToken(logits, labels), weights)
}

// RTDPerToken is the binary cross-entropy with logits of each token:
// max(x, 0) − x·y + log(1 + exp(−|x|)), y = 1 for a replaced token. logits, labels: same shape.
func RTDPerToken(logits, labels *Node) *Node {
	x := ConvertDType(logits, dtypes.Float32)
	y := ConvertDType(labels, dtypes.Float32)
	return Add(Sub(Max(x, ZerosLike(x)), Mul(x, y)), Log1p(Exp(Neg(Abs(x)))))
}

// RTD is the discriminator's loss: the mean binary cross-entropy over the tokens whose mask is > 0 (every
// real token, [CLS] and [SEP] included; paper §2.2). logits: [batch, seq] (positive = replaced); labels:
// [batch, seq] 1 where the token was replaced by a different one; mask: [batch, seq]. Returns a scalar.
func RTD(logits, labels, mask *Node) *Node {
	return weightedMean(RTDPerToken(logits, labels), mask)
}

// Combined is L_MLM + λ·L_RTD (paper eq. 3).
func Combined(mlm, rtd *Node, lambda float64) *Node {
	return Add(mlm, MulScalar(rtd, lambda))
}

// weightedMean is Σ w·x / max(Σ w, tiny) with w > 0 counted as weights (any numeric dtype).
func weightedMean(x, weights *Node) *Node {
	w := ConvertDType(weights, dtypes.Float32)
	total := ReduceAllSum(Mul(x, w))
	count := Max(ReduceAllSum(w), Scalar(x.Graph(), dtypes.Float32, 1e-12))
	return Div(total, count)
}
