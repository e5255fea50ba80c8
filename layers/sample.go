package layers

import (
	"fmt"
	"math"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// SampleTokens draws one token id per row of logits [..., vocab] from softmax(logits/temperature) with the
// Gumbel-max trick: argmax(logits/temperature + G), G = −log(−log U), U ~ Uniform(0, 1) from the context RNG
// (ctx.RandomUniform, so it is reproducible once the context is seeded and advances the RNG state).
// Returns Int32 ids [...]. This is how ELECTRA/DeBERTaV3 build the discriminator's input from the generator's
// MLM logits at the masked positions.
//
// No gradient flows through sampling: logits and the returned ids go through StopGradient, so the generator is trained by L_MLM only, as in the paper. temperature must be > 0; as it goes to
// 0 the result is argmax(logits).
func SampleTokens(ctx *context.Context, logits *Node, temperature float64) *Node {
	if !(temperature > 0) || math.IsInf(temperature, 0) {
		panic(fmt.Sprintf("layers.SampleTokens: temperature must be finite and > 0, got %g", temperature))
	}
	g := logits.Graph()
	x := ConvertDType(StopGradient(logits), dtypes.Float32)
	u := ctx.RandomUniform(g, shapes.Make(dtypes.Float32, x.Shape().Dimensions...))
	// U is in [0, 1): clamp away from 0 so that G stays finite (its largest value is then ≈ 4.5).
	u = Max(u, Scalar(g, dtypes.Float32, 1e-20))
	gumbel := Neg(Log(Neg(Log(u))))
	// StopGradient on the ids too: ArgMax (NodeTypeArgMinMax) has no VJP in GoMLX v0.26, so a loss that
	// converts the ids to floats would otherwise make graph.Gradient panic instead of returning zeros.
	return StopGradient(ArgMax(Add(MulScalar(x, 1/temperature), gumbel), -1, dtypes.Int32))
}
