package pretrain

import (
	"fmt"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/deberta-go/lab/debertav3"
	"github.com/deberta-go/lab/layers"
)

// positionTableScope is the scope of a tower's absolute position table, relative to the tower's scope
// (GeneratorScope, DiscriminatorScope) and to a debertav3.Model's root.
const positionTableScope = debertav3.BackboneScope + "/embeddings/position_embeddings"

// SharesPositions reports whether the towers share the absolute position embeddings as the official code does
// when the discriminator adds them to its input (PositionBiasedInput): with ES or GDES and the RTD objective.
// P_G is the generator's own table (generator/deberta/embeddings/position_embeddings); the discriminator uses
// P_G itself (ES) or P_D = sg(P_G) + P_Δ (GDES, P_Δ at layers.DeltaPositionsScope, zero at start) and has no
// position table of its own. NES keeps two independent tables.
func (c Config) SharesPositions() bool {
	return c.Objective == ObjectiveRTD && c.Discriminator.PositionBiasedInput && c.Sharing != layers.NES
}

// validatePositions checks that the generator has a position table to share (SharesPositions).
func (c Config) validatePositions() error {
	if !c.SharesPositions() {
		return nil
	}
	g, d := c.Generator, c.Discriminator
	if !(g.PositionBiasedInput || c.GeneratorEMD) || g.MaxPositionEmbeddings != d.MaxPositionEmbeddings {
		return fmt.Errorf("pretrain: %s shares the discriminator's absolute position embeddings (position_biased_input): the generator needs them too (position_biased_input or GeneratorEMD) with the same max_position_embeddings (%d, discriminator %d)",
			c.Sharing, g.MaxPositionEmbeddings, d.MaxPositionEmbeddings)
	}
	return nil
}

// discriminatorTables returns the discriminator's table overrides: the word table and, when SharesPositions,
// the position table derived from the generator's position variable — its current graph value, so after the
// generator's update in decoupled training. The generator must have been built in g.
func discriminatorTables(ctx *context.Context, g *Graph, cfg Config, word *Node) debertav3.EmbeddingTables {
	tables := debertav3.EmbeddingTables{Word: word}
	if cfg.SharesPositions() {
		tables.Position = layers.DerivedDiscriminatorTable(ctx, cfg.Sharing, generatorPositions(ctx).ValueGraph(g),
			layers.DeltaPositionsScope)
	}
	return tables
}

// generatorPositions is the generator's position-table variable; it panics if the generator was not built.
func generatorPositions(ctx *context.Context) *context.Variable {
	v := inScopePath(ctx, GeneratorScope+"/"+positionTableScope).GetVariable(layers.WeightName)
	if v == nil {
		panic(fmt.Sprintf("pretrain: no generator position table at %s/%s/%s", GeneratorScope, positionTableScope, layers.WeightName))
	}
	return v
}

// mergedDiscriminatorPositions is, when SharesPositions, the discriminator's position table of the trainer's
// current values (P_G, or P_G + P_Δ under GDES); nil otherwise.
func (t *Trainer) mergedDiscriminatorPositions() (*tensors.Tensor, error) {
	if !t.cfg.SharesPositions() {
		return nil, nil
	}
	read := func(scope string) (*tensors.Tensor, error) {
		v := inScopePath(t.ctx, scope).GetVariable(layers.WeightName)
		if v == nil || !v.HasValue() {
			return nil, fmt.Errorf("pretrain: export: no position table %s/%s (run a Step first)", scope, layers.WeightName)
		}
		return v.Value()
	}
	pG, err := read(GeneratorScope + "/" + positionTableScope)
	if err != nil || t.cfg.Sharing == layers.ES {
		return pG, err
	}
	pDelta, err := read(layers.DeltaPositionsScope)
	if err != nil {
		return nil, err
	}
	return layers.AddTables(pG, pDelta)
}
