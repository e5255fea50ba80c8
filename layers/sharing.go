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
// puts ES's table at "/pretrain/word_embeddings".
//
// Every table it creates must reach the graph's outputs: SimpleGo (GoMLX v0.26) crashes when a variable created
// after the last output node is left unused, so a generator-only graph under NES/GDES should read E_G directly
// (EmbeddingTable at the same scope) rather than call SharedEmbeddings and drop the discriminator table.
func SharedEmbeddings(ctx *context.Context, g *Graph, mode SharingMode, vocab, dim int, initStd float64) (generatorTable, discriminatorTable *Node) {
	mode.valid()
	table := func(scope string, init initializers.VariableInitializer) *Node {
		return inScopePath(ctx, scope).WithInitializer(init).
			VariableWithShape(WeightName, shapes.Make(dtypes.Float32, vocab, dim)).ValueGraph(g)
	}
	normal := initializers.RandomNormalFn(ctx, initStd)
	switch mode {
	case ES:
		e := table(SharedEmbeddingsScope, normal)
		return e, e
	case NES:
		return table(GeneratorEmbeddingsScope, normal), table(DiscriminatorEmbeddingsScope, normal)
	default: // GDES
		eG := table(SharedEmbeddingsScope, normal)
		eDelta := table(DeltaEmbeddingsScope, initializers.Zero)
		return eG, Add(StopGradient(eG), eDelta)
	}
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
	if !eG.Shape().Equal(eDelta.Shape()) || eG.DType() != dtypes.Float32 {
		return nil, fmt.Errorf("layers.MergedDiscriminatorTable(gdes): E_G %s and E_Δ %s must be equal float32 shapes",
			eG.Shape(), eDelta.Shape())
	}
	a := tensors.MustCopyFlatData[float32](eG)
	b := tensors.MustCopyFlatData[float32](eDelta)
	for i := range a {
		a[i] += b[i]
	}
	return tensors.FromFlatDataAndDimensions(a, eG.Shape().Dimensions...), nil
}

// inScopePath enters a relative scope path "a/b" (context.In takes one element at a time).
func inScopePath(ctx *context.Context, path string) *context.Context {
	for _, part := range strings.Split(path, "/") {
		ctx = ctx.In(part)
	}
	return ctx
}
