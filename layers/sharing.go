package layers

import (
	"fmt"
	"strings"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
)

// SharingMode is how the ELECTRA-style generator and discriminator of DeBERTaV3 pre-training share their token
// embeddings (DeBERTaV3 paper, arXiv 2111.09543, §3.2).
type SharingMode int

const (
	// ES (embedding sharing, ELECTRA's choice): one table E used by both; it is updated by the sum of the MLM
	// and RTD gradients, g_E = ∂L_MLM/∂E + λ·∂L_RTD/∂E, so the two losses pull it in opposite directions
	// ("tug-of-war", §3.2).
	ES SharingMode = iota
	// NES (no embedding sharing): independent tables E_G and E_D; ∂L_RTD/∂E_G = 0 and ∂L_MLM/∂E_D = 0.
	NES
	// GDES (gradient-disentangled embedding sharing, the paper's contribution, §3.2):
	//
	//	E_D = sg(E_G) + E_Δ
	//
	// where sg is stop-gradient and E_Δ is initialised to zero. E_G is trained by L_MLM only, E_Δ by L_RTD only;
	// after pre-training the discriminator's table is E_G + E_Δ (see MergedDiscriminatorTable).
	GDES
)

// Scopes (relative to the context passed to SharedEmbeddings) of the tables, each a variable named "weight"
// [vocab, dim] (WeightName), like an Embedding layer.
const (
	// SharedEmbeddingsScope holds ES's single table and GDES's E_G.
	SharedEmbeddingsScope = "word_embeddings"
	// GeneratorEmbeddingsScope and DiscriminatorEmbeddingsScope hold NES's two tables.
	GeneratorEmbeddingsScope     = "generator/word_embeddings"
	DiscriminatorEmbeddingsScope = "discriminator/word_embeddings"
	// DeltaEmbeddingsScope holds GDES's E_Δ (initialised to zero).
	DeltaEmbeddingsScope = "word_embeddings_delta"
	// DeltaPositionsScope holds GDES's P_Δ of the absolute position embeddings (DerivedDiscriminatorTable).
	DeltaPositionsScope = "position_embeddings_delta"
)

var sharingModeNames = [...]string{ES: "es", NES: "nes", GDES: "gdes"}

// String returns "es", "nes" or "gdes".
func (m SharingMode) String() string {
	if m >= 0 && int(m) < len(sharingModeNames) {
		return sharingModeNames[m]
	}
	return fmt.Sprintf("SharingMode(%d)", int(m))
}

// ParseSharingMode parses "es", "nes" or "gdes" (case-insensitive, surrounding spaces ignored).
func ParseSharingMode(s string) (SharingMode, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	for m, n := range sharingModeNames {
		if n == name {
			return SharingMode(m), nil
		}
	}
	return 0, fmt.Errorf("unknown embedding sharing mode %q (want es, nes or gdes)", s)
}

// valid panics on an out-of-range mode.
func (m SharingMode) valid() {
	if m < ES || m > GDES {
		panic(fmt.Sprintf("layers: invalid %s", m))
	}
}

// SharedEmbeddings returns the word-embedding tables [vocab, dim] (float32) the generator and the
// discriminator use, following mode (see SharingMode for the gradient each table receives):
//
//   - ES: one table at SharedEmbeddingsScope, returned twice (the same node).
//   - NES: two independent tables at GeneratorEmbeddingsScope and DiscriminatorEmbeddingsScope.
//   - GDES: E_G at SharedEmbeddingsScope and E_D = StopGradient(E_G) + E_Δ, E_Δ at DeltaEmbeddingsScope
//     initialised to zero (so E_D = E_G at initialisation) — DeBERTaV3 §3.2.
//
// Non-zero tables are initialised N(0, initStd). Pass the tables to Embeddings (its wordEmbeddings override)
// and to the generator's tied MLM decoder. ctx scopes are relative: SharedEmbeddings(ctx.In("pretrain"), …)
// puts ES's table at "/pretrain/word_embeddings". It is GeneratorEmbeddings followed by DiscriminatorEmbeddings.
//
// Every table it creates must reach the graph's outputs: SimpleGo (GoMLX v0.26) crashes when a variable created
// after the last output node is left unused, so a generator-only graph under NES/GDES should call
// GeneratorEmbeddings alone rather than call SharedEmbeddings and drop the discriminator table.
func SharedEmbeddings(ctx *context.Context, g *Graph, mode SharingMode, vocab, dim int, initStd float64) (generatorTable, discriminatorTable *Node) {
	generatorTable = GeneratorEmbeddings(ctx, g, mode, vocab, dim, initStd)
	return generatorTable, DiscriminatorEmbeddings(ctx, g, mode, vocab, dim, initStd)
}

// GeneratorEmbeddings returns the generator's table E_G [vocab, dim] of mode (SharedEmbeddings' first result):
// the variable at SharedEmbeddingsScope (ES, GDES) or GeneratorEmbeddingsScope (NES), created N(0, initStd)
// if it does not exist yet. It creates no discriminator variable.
func GeneratorEmbeddings(ctx *context.Context, g *Graph, mode SharingMode, vocab, dim int, initStd float64) *Node {
	mode.valid()
	scope := SharedEmbeddingsScope
	if mode == NES {
		scope = GeneratorEmbeddingsScope
	}
	return sharedTable(ctx, g, scope, vocab, dim, initializers.RandomNormalFn(ctx, initStd))
}

// DiscriminatorEmbeddings returns the discriminator's table E_D [vocab, dim] of mode (SharedEmbeddings' second
// result), creating missing variables as SharedEmbeddings does: ES the shared table, NES the table at
// DiscriminatorEmbeddingsScope, GDES StopGradient(E_G) + E_Δ. The tables are the variables' current graph
// values (context.Variable.ValueGraph): called after an optimiser updated E_G in the same graph
// (Variable.SetValueGraph), it returns the table built from the updated values — decoupled training, where the
// discriminator is stepped after the generator.
func DiscriminatorEmbeddings(ctx *context.Context, g *Graph, mode SharingMode, vocab, dim int, initStd float64) *Node {
	mode.valid()
	normal := initializers.RandomNormalFn(ctx, initStd)
	switch mode {
	case ES:
		return sharedTable(ctx, g, SharedEmbeddingsScope, vocab, dim, normal)
	case NES:
		return sharedTable(ctx, g, DiscriminatorEmbeddingsScope, vocab, dim, normal)
	default: // GDES
		eG := sharedTable(ctx, g, SharedEmbeddingsScope, vocab, dim, normal)
		eDelta := sharedTable(ctx, g, DeltaEmbeddingsScope, vocab, dim, initializers.Zero)
		return Add(StopGradient(eG), eDelta)
	}
}

// sharedTable returns the graph value of the float32 [vocab, dim] variable WeightName at the relative scope,
// created with init if it does not exist (so a checked context may read it twice in one graph); it panics on a
// shape mismatch.
func sharedTable(ctx *context.Context, g *Graph, scope string, vocab, dim int, init initializers.VariableInitializer) *Node {
	c := inScopePath(ctx, scope)
	shape := shapes.Make(dtypes.Float32, vocab, dim)
	if v := c.GetVariable(WeightName); v != nil {
		if !v.Shape().Equal(shape) {
			panic(fmt.Sprintf("layers: %s/%s has shape %s, want %s", c.Scope(), WeightName, v.Shape(), shape))
		}
		return v.ValueGraph(g)
	}
	return c.WithInitializer(init).VariableWithShape(WeightName, shape).ValueGraph(g)
}

// DerivedDiscriminatorTable returns the discriminator's version of a table that lives in the generator (the
// official code shares the absolute position embeddings this way, P_G being the generator's own table):
// ES the generator's table itself (one table, both gradients); GDES StopGradient(generatorTable) + Δ, Δ the
// variable WeightName at the relative scope deltaScope, shaped as generatorTable and initialised to zero. NES
// has nothing to derive (the discriminator keeps its own table): it panics.
func DerivedDiscriminatorTable(ctx *context.Context, mode SharingMode, generatorTable *Node, deltaScope string) *Node {
	mode.valid()
	switch mode {
	case ES:
		return generatorTable
	case GDES:
		dims := generatorTable.Shape().Dimensions
		delta := sharedTable(ctx, generatorTable.Graph(), deltaScope, dims[0], dims[1], initializers.Zero)
		return Add(StopGradient(generatorTable), delta)
	}
	panic("layers.DerivedDiscriminatorTable: NES derives no table")
}

// MergedDiscriminatorTable returns, as a Go tensor, the discriminator's word-embedding table stored in ctx
// (relative scopes as in SharedEmbeddings): ES the shared table, NES the discriminator's table, GDES the
// merged E_G + E_Δ — the single table a fine-tuning checkpoint ("deberta.embeddings.word_embeddings.weight"
// in HF) carries. It fails when a variable is missing, has no value or the shapes disagree.
func MergedDiscriminatorTable(ctx *context.Context, mode SharingMode) (*tensors.Tensor, error) {
	if mode < ES || mode > GDES {
		return nil, fmt.Errorf("layers.MergedDiscriminatorTable: invalid %s", mode)
	}
	read := func(scope string) (*tensors.Tensor, error) {
		c := inScopePath(ctx, scope)
		v := c.GetVariable(WeightName)
		if v == nil {
			return nil, fmt.Errorf("layers.MergedDiscriminatorTable(%s): no variable %q in scope %q", mode, WeightName, c.Scope())
		}
		t, err := v.Value()
		if err != nil {
			return nil, fmt.Errorf("layers.MergedDiscriminatorTable(%s): %s/%s: %w", mode, c.Scope(), WeightName, err)
		}
		if t == nil {
			return nil, fmt.Errorf("layers.MergedDiscriminatorTable(%s): %s/%s has no value", mode, c.Scope(), WeightName)
		}
		return t, nil
	}
	switch mode {
	case ES:
		return read(SharedEmbeddingsScope)
	case NES:
		return read(DiscriminatorEmbeddingsScope)
	}
	eG, err := read(SharedEmbeddingsScope)
	if err != nil {
		return nil, err
	}
	eDelta, err := read(DeltaEmbeddingsScope)
	if err != nil {
		return nil, err
	}
	return AddTables(eG, eDelta)
}

// AddTables returns a + b for two float32 tensors of equal shape (GDES's merged E_G + E_Δ).
func AddTables(a, b *tensors.Tensor) (*tensors.Tensor, error) {
	if !a.Shape().Equal(b.Shape()) || a.DType() != dtypes.Float32 {
		return nil, fmt.Errorf("layers.AddTables: %s and %s must be equal float32 shapes", a.Shape(), b.Shape())
	}
	x := tensors.MustCopyFlatData[float32](a)
	y := tensors.MustCopyFlatData[float32](b)
	for i := range x {
		x[i] += y[i]
	}
	return tensors.FromFlatDataAndDimensions(x, a.Shape().Dimensions...), nil
}

// inScopePath enters a relative scope path "a/b" (context.In takes one element at a time).
func inScopePath(ctx *context.Context, path string) *context.Context {
	for _, part := range strings.Split(path, "/") {
		ctx = ctx.In(part)
	}
	return ctx
}
