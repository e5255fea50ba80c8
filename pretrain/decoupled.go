package pretrain

import (
	"slices"
	"strings"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/deberta-go/lab/layers"
	"github.com/deberta-go/lab/losses"
	"github.com/deberta-go/lab/optim"
)

// Absolute scopes of the two optimisers' states with TrainOptions.Decoupled (step counters and moments, as
// OptimizerScope of the joint optimiser).
const (
	GeneratorOptimizerScope     = "/adamw_generator"
	DiscriminatorOptimizerScope = "/adamw_discriminator"
)

// DecoupledStep builds one training step with separate optimisers for the two towers, as the official
// DeBERTaV3 scripts (the discriminator is stepped after the generator), in one graph:
//
//  1. the generator's forward pass and L_MLM on E_G (layers.GeneratorEmbeddings), then genOpt.Minimize of L_MLM
//     over the variables the generator used (its tower and E_G: ES's shared table, GDES's E_G, NES's own);
//  2. replacements sampled from that same forward pass's logits;
//  3. the discriminator's word table rebuilt from the variables' updated graph values
//     (layers.DiscriminatorEmbeddings: Variable.ValueGraph returns what the generator's update set), so under
//     ES and GDES the discriminator sees E_G after the generator's step; the discriminator's forward pass and
//     L_RTD, then discOpt.Minimize of λ·L_RTD over the discriminator's variables: its tower, E_Δ (GDES), its own
//     table (NES), or ES's shared table, differentiated at its updated value. The absolute position tables
//     follow the same rules when Config.SharesPositions (P_G, P_Δ).
//
// Each optimiser clips its own gradients; the optimisers need distinct scopes. It returns the outputs of
// BuildStep (Loss = L_MLM + λ·L_RTD, L_RTD of the discriminator on the updated table) and the global norms of the
// generator's and the discriminator's gradients before clipping. lr is a float32 scalar used by both.
func DecoupledStep(ctx *context.Context, cfg Config, genOpt, discOpt optim.AdamW, batch StaticBatch, lr *Node) (out StepOutputs, genNorm, discNorm *Node) {
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	if cfg.Objective != ObjectiveRTD {
		panic("pretrain: DecoupledStep needs the rtd objective, got " + cfg.Objective.String())
	}
	if genOpt.WithDefaults().Scope == discOpt.WithDefaults().Scope {
		panic("pretrain: DecoupledStep: the two optimisers share the scope " + genOpt.WithDefaults().Scope)
	}
	g := batch.Original.Graph()
	disc := cfg.Discriminator
	eG := layers.GeneratorEmbeddings(ctx, g, cfg.Sharing, disc.VocabSize, disc.EmbeddingSize, disc.InitializerRange)
	out = buildGenerator(ctx, cfg, batch, eG)
	genVars := optim.TrainableVariables(ctx, g)
	genNorm = genOpt.Minimize(ctx, out.MLMLoss, genVars, lr)

	samples := layers.SampleTokens(ctx, out.GeneratorLogits, cfg.Temperature)
	eD := layers.DiscriminatorEmbeddings(ctx, g, cfg.Sharing, disc.VocabSize, disc.EmbeddingSize, disc.InitializerRange)
	buildDiscriminator(ctx, cfg, batch, &out, discriminatorTables(ctx, g, cfg, eD), samples)
	out.Loss = losses.Combined(out.MLMLoss, out.RTDLoss, cfg.RTDWeight)
	discVars := discriminatorVariables(ctx, g, cfg, genVars)
	discNorm = discOpt.Minimize(ctx, MulScalar(out.RTDLoss, cfg.RTDWeight), discVars, lr)
	return out, genNorm, discNorm
}

// discriminatorVariables are the trainable variables g uses that are not among genVars, plus ES's shared tables
// (the word table, and the generator's position table when Config.SharesPositions); sorted by scope and name as
// optim.TrainableVariables.
func discriminatorVariables(ctx *context.Context, g *Graph, cfg Config, genVars []*context.Variable) []*context.Variable {
	var vars []*context.Variable
	for _, v := range optim.TrainableVariables(ctx, g) {
		if !slices.Contains(genVars, v) {
			vars = append(vars, v)
		}
	}
	if cfg.Sharing == layers.ES {
		vars = append(vars, inScopePath(ctx, layers.SharedEmbeddingsScope).GetVariable(layers.WeightName))
		if cfg.SharesPositions() {
			vars = append(vars, generatorPositions(ctx))
		}
		slices.SortFunc(vars, func(a, b *context.Variable) int { return strings.Compare(a.ScopeAndName(), b.ScopeAndName()) })
	}
	return vars
}
