package pretrain

import (
	"fmt"
	"slices"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/deberta-go/lab/debertav3"
	"github.com/deberta-go/lab/layers"
	"github.com/deberta-go/lab/losses"
)

// Context scopes (relative to the context given to BuildStep) of the two towers. The shared word tables live at
// the scopes of layers.SharedEmbeddings (e.g. "word_embeddings/weight" for ES's table and GDES's E_G).
const (
	GeneratorScope     = "generator"
	DiscriminatorScope = "discriminator"
)

// Config is an ELECTRA-style (RTD) pre-training setup: a generator, a discriminator and how they share the
// word embeddings.
type Config struct {
	// Generator and Discriminator architectures. They must agree on VocabSize and EmbeddingSize (the word table
	// is shared or derived, see layers.SharedEmbeddings).
	Generator, Discriminator *debertav3.Config
	// Sharing is ES, NES or GDES (paper §3.2).
	Sharing layers.SharingMode
	// RTDWeight is λ of L = L_MLM + λ·L_RTD (paper: 50, losses.DefaultRTDWeight).
	RTDWeight float64
	// Temperature of the generator's sampling softmax (paper: 1).
	Temperature float64
	// GeneratorEMD puts the official generator's Enhanced Mask Decoder (debertav3.EnhancedMaskDecoder, spec §3)
	// between the generator backbone and its MLM head: the last layer runs twice on H_{L−1} with the absolute
	// position embeddings added to the query. False: the MLM head reads the backbone's last hidden state.
	GeneratorEMD bool
	// Objective is ObjectiveRTD (zero value) or the ObjectiveMLM baseline. With ObjectiveMLM only the model of
	// Generator is built (give it the discriminator's architecture for the paper's comparison) with one word
	// table at layers.SharedEmbeddingsScope; Sharing, RTDWeight and Temperature are unused (still validated).
	Objective Objective
	// RTDHead is the discriminator's head: RTDHeadDeBERTa (zero value, "discriminator/mask_predictions/...") or
	// RTDHeadELECTRA ("discriminator/discriminator_predictions/{dense,dense_prediction}").
	RTDHead RTDHeadKind
}

// DefaultConfig returns GDES pre-training of disc with DefaultGeneratorConfig(disc), λ = 50 and T = 1.
func DefaultConfig(disc *debertav3.Config) Config {
	return Config{
		Generator: DefaultGeneratorConfig(disc), Discriminator: disc,
		Sharing: layers.GDES, RTDWeight: losses.DefaultRTDWeight, Temperature: 1,
	}
}

// DefaultGeneratorConfig returns the paper's generator for disc: the same width, half the layers (at least 1).
func DefaultGeneratorConfig(disc *debertav3.Config) *debertav3.Config {
	g := *disc
	g.NumHiddenLayers = max(1, disc.NumHiddenLayers/2)
	g.PosAttType = append([]string(nil), disc.PosAttType...)
	g.NormRelEbd = append([]string(nil), disc.NormRelEbd...)
	g.Architectures = append([]string(nil), disc.Architectures...)
	return &g
}

// Validate checks both architectures and that they can share a word table.
func (c Config) Validate() error {
	if c.Generator == nil || c.Discriminator == nil {
		return fmt.Errorf("pretrain: Config needs both a Generator and a Discriminator")
	}
	if err := c.Generator.Validate(); err != nil {
		return fmt.Errorf("pretrain: generator: %w", err)
	}
	if err := c.Discriminator.Validate(); err != nil {
		return fmt.Errorf("pretrain: discriminator: %w", err)
	}
	if c.Generator.VocabSize != c.Discriminator.VocabSize || c.Generator.EmbeddingSize != c.Discriminator.EmbeddingSize {
		return fmt.Errorf("pretrain: generator (vocab %d, embedding %d) and discriminator (vocab %d, embedding %d) must share the word-table shape",
			c.Generator.VocabSize, c.Generator.EmbeddingSize, c.Discriminator.VocabSize, c.Discriminator.EmbeddingSize)
	}
	if c.Sharing < layers.ES || c.Sharing > layers.GDES {
		return fmt.Errorf("pretrain: invalid %s", c.Sharing)
	}
	if !(c.RTDWeight >= 0) {
		return fmt.Errorf("pretrain: RTDWeight must be >= 0, got %g", c.RTDWeight)
	}
	if !(c.Temperature > 0) {
		return fmt.Errorf("pretrain: Temperature must be > 0, got %g", c.Temperature)
	}
	if c.Objective < ObjectiveRTD || c.Objective > ObjectiveMLM {
		return fmt.Errorf("pretrain: invalid %s", c.Objective)
	}
	if c.RTDHead < RTDHeadDeBERTa || c.RTDHead > RTDHeadELECTRA {
		return fmt.Errorf("pretrain: invalid %s", c.RTDHead)
	}
	return c.validatePositions()
}

// tableMode is the sharing mode that places the generator's word table: Sharing, or ES (one table at
// layers.SharedEmbeddingsScope) for ObjectiveMLM.
func (c Config) tableMode() layers.SharingMode {
	if c.Objective == ObjectiveMLM {
		return layers.ES
	}
	return c.Sharing
}

// StaticBatch is one pre-training batch as graph nodes, with static shapes (ELECTRA style: a fixed number of
// masked slots per sequence, unused slots have weight 0).
type StaticBatch struct {
	// MaskedIDs [b, L] int32: the generator's input (the original ids with [MASK] at the masked positions).
	MaskedIDs *Node
	// Original [b, L] int32: the uncorrupted ids.
	Original *Node
	// Positions [b, slots] int32: the masked positions (unused slots: any valid position, weight 0).
	// Positions of used slots must be distinct within a row.
	Positions *Node
	// Weights [b, slots] float32: 1 for a used slot, 0 for padding.
	Weights *Node
	// Mask [b, L] int32: attention mask, 1 = real token (RTD is averaged over these).
	Mask *Node
}

// StepOutputs are the nodes BuildStep returns. All metrics are float32 scalars. With ObjectiveMLM the RTD
// metrics are constant zeros and RTDLogits, CorruptedIDs, RTDLabels and DiscriminatorTable are nil.
type StepOutputs struct {
	// Loss = MLMLoss + λ·RTDLoss (MLMLoss for ObjectiveMLM).
	Loss, MLMLoss, RTDLoss *Node
	// RTDAccuracy: fraction of real tokens whose RTD prediction (logit > 0) matches the label.
	RTDAccuracy *Node
	// ReplacedFraction: fraction of real tokens whose discriminator input differs from the original.
	ReplacedFraction *Node
	// SampledAccuracy: fraction of used masked slots where the sampled token equals the original.
	SampledAccuracy *Node
	// GeneratorLogits [b, slots, vocab], RTDLogits [b, L], CorruptedIDs [b, L] int32, RTDLabels [b, L] float32.
	GeneratorLogits, RTDLogits, CorruptedIDs, RTDLabels *Node
	// GeneratorTable and DiscriminatorTable are the word tables E_G and E_D (see layers.SharedEmbeddings).
	GeneratorTable, DiscriminatorTable *Node
}

// Metrics returns the scalar outputs in a fixed order: Loss, MLMLoss, RTDLoss, RTDAccuracy, ReplacedFraction,
// SampledAccuracy.
func (o StepOutputs) Metrics() []*Node {
	return []*Node{o.Loss, o.MLMLoss, o.RTDLoss, o.RTDAccuracy, o.ReplacedFraction, o.SampledAccuracy}
}

// BuildStep builds the forward pass and the losses of one ELECTRA-style pre-training step (DeBERTaV3 §2.2):
//
//  1. generator = debertav3.Backbone in ctx.In(GeneratorScope) on MaskedIDs with the word table E_G; its hidden
//     states are gathered at Positions and go through the tied MLM head (lm_predictions layout);
//     L_MLM = losses.MaskedLM(logits, Original at Positions, Weights);
//  2. replacements are sampled from softmax(logits/T) (layers.SampleTokens: no gradient) and written into
//     Original at the used slots (CorruptInputs); RTD label = 1 iff the token differs from the original;
//  3. discriminator = debertav3.Backbone in ctx.In(DiscriminatorScope) with E_D, then debertav3.RTDHead
//     (debertav3.ElectraRTDHead with RTDHeadELECTRA);
//     L_RTD = losses.RTD over the real tokens (Mask).
//
// With cfg.GeneratorEMD the generator's MLM head reads the Enhanced Mask Decoder's output instead of the last
// hidden state (as the official generator). With ObjectiveMLM only step 1 is built (Loss = L_MLM).
// Dropout follows the configs and is active when ctx.IsTraining(g).
func BuildStep(ctx *context.Context, cfg Config, batch StaticBatch) StepOutputs {
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	g := batch.Original.Graph()
	disc := cfg.Discriminator
	if cfg.Objective == ObjectiveMLM {
		table := layers.GeneratorEmbeddings(ctx, g, layers.ES, cfg.Generator.VocabSize, cfg.Generator.EmbeddingSize,
			cfg.Generator.InitializerRange)
		out := buildGenerator(ctx, cfg, batch, table)
		zero := Scalar(g, dtypes.Float32, 0)
		out.Loss = out.MLMLoss
		out.RTDLoss, out.RTDAccuracy, out.ReplacedFraction, out.SampledAccuracy = zero, zero, zero, zero
		return out
	}
	eG, eD := layers.SharedEmbeddings(ctx, g, cfg.Sharing, disc.VocabSize, disc.EmbeddingSize, disc.InitializerRange)
	out := buildGenerator(ctx, cfg, batch, eG)
	samples := layers.SampleTokens(ctx, out.GeneratorLogits, cfg.Temperature) // [b, slots] int32
	buildDiscriminator(ctx, cfg, batch, &out, discriminatorTables(ctx, g, cfg, eD), samples)
	out.Loss = losses.Combined(out.MLMLoss, out.RTDLoss, cfg.RTDWeight)
	return out
}

// buildGenerator is step 1 of BuildStep on the word table: it fills GeneratorTable, GeneratorLogits and MLMLoss.
func buildGenerator(ctx *context.Context, cfg Config, batch StaticBatch, table *Node) StepOutputs {
	gen := cfg.Generator
	out := StepOutputs{GeneratorTable: table}
	genCtx := ctx.In(GeneratorScope)
	genOut := debertav3.Backbone(genCtx, gen, batch.MaskedIDs, batch.Mask, nil, table)
	genHidden := genOut.LastHiddenState
	if cfg.GeneratorEMD {
		genHidden = debertav3.EnhancedMaskDecoder(genCtx, gen, genOut, batch.Mask)[1]
	}
	atSlots := GatherPositions(genHidden, batch.Positions) // [b, slots, hidden]
	out.GeneratorLogits = debertav3.MaskedLMHead(genCtx, gen, debertav3.MLMLMPredictions, atSlots, table)
	out.MLMLoss = losses.MaskedLM(out.GeneratorLogits, maskedTargets(batch), slotWeights(batch))
	return out
}

// buildDiscriminator is steps 2 and 3 of BuildStep given the generator's samples [b, slots] int32: the
// discriminator's input, the discriminator on its tables (discriminatorTables), L_RTD and the RTD metrics (not
// Loss).
func buildDiscriminator(ctx *context.Context, cfg Config, batch StaticBatch, out *StepOutputs, tables debertav3.EmbeddingTables, samples *Node) {
	disc := cfg.Discriminator
	weights, targets := slotWeights(batch), maskedTargets(batch)
	out.DiscriminatorTable = tables.Word
	out.CorruptedIDs, out.RTDLabels = CorruptInputs(batch.Original, batch.Positions, weights, samples)

	discCtx := ctx.In(DiscriminatorScope)
	discOut := debertav3.BackboneWithTables(discCtx, disc, out.CorruptedIDs, batch.Mask, nil, tables)
	out.RTDLogits = rtdHead(discCtx, cfg, discOut.LastHiddenState) // [b, seq]
	mask := ConvertDType(batch.Mask, dtypes.Float32)
	out.RTDLoss = losses.RTD(out.RTDLogits, out.RTDLabels, mask)

	// Metrics (no gradient needed).
	predicted := ConvertDType(GreaterThan(StopGradient(out.RTDLogits), ZerosLike(out.RTDLogits)), dtypes.Float32)
	correct := ConvertDType(Equal(predicted, out.RTDLabels), dtypes.Float32)
	out.RTDAccuracy = weightedMean(correct, mask)
	out.ReplacedFraction = weightedMean(out.RTDLabels, mask)
	sampledOK := ConvertDType(Equal(samples, ConvertDType(targets, dtypes.Int32)), dtypes.Float32)
	out.SampledAccuracy = weightedMean(sampledOK, weights)
}

// rtdHead applies the discriminator's head of cfg.RTDHead: hidden [b, L, hidden] → logits [b, L].
func rtdHead(ctx *context.Context, cfg Config, hidden *Node) *Node {
	if cfg.RTDHead == RTDHeadELECTRA {
		return debertav3.ElectraRTDHead(ctx, cfg.Discriminator, hidden)
	}
	return debertav3.RTDHead(ctx, cfg.Discriminator, hidden)
}

// maskedTargets [b, slots] are the original ids at the masked positions.
func maskedTargets(batch StaticBatch) *Node { return GatherPositions(batch.Original, batch.Positions) }

// slotWeights [b, slots] float32 are the masked slots' weights.
func slotWeights(batch StaticBatch) *Node { return ConvertDType(batch.Weights, dtypes.Float32) }

// GatherPositions picks x[i, positions[i, j], ...] for each row i: x [b, L, ...], positions [b, slots] integer
// → [b, slots, ...]. It is a Gather on x flattened to [b·L, ...] with indices i·L + positions[i, j], so its
// gradient is a ScatterSum (no Slice/DynamicSlice, whose gradients the pure-Go backend lacks).
func GatherPositions(x, positions *Node) *Node {
	g := x.Graph()
	dims := x.Shape().Dimensions
	b, seq := dims[0], dims[1]
	slots := positions.Shape().Dimensions[1]
	rest := dims[2:]
	// A rank-1 operand trips GoMLX v0.26's Gather ("indexVectorAxis out of range"): keep a trailing axis.
	flat := Reshape(x, append([]int{b * seq}, append(slices.Clone(rest), 1)...)...)
	rows := Iota(g, shapes.Make(dtypes.Int32, b, slots), 0) // [b, slots]: i
	idx := Add(MulScalar(rows, float64(seq)), ConvertDType(positions, dtypes.Int32))
	out := Gather(flat, InsertAxes(idx, -1)) // [b, slots, rest...]
	return Reshape(out, append([]int{b, slots}, rest...)...)
}

// CorruptInputs builds the discriminator's input and the RTD labels: original [b, L] ids with, at every used
// slot j of row i (weights[i, j] > 0), position positions[i, j] replaced by samples[i, j]. labels [b, L]
// float32 is 1 where the result differs from the original, so a sample equal to the original token is
// labelled 0 ("original"), as in ELECTRA/DeBERTaV3. It uses a one-hot [b, slots, L] contraction in float32:
// ids are exact below 2^24. No gradient flows (the ids are integers).
func CorruptInputs(original, positions, weights, samples *Node) (corrupted, labels *Node) {
	seq := original.Shape().Dimensions[1]
	used := ConvertDType(GreaterThan(weights, ZerosLike(weights)), dtypes.Float32) // [b, slots]
	oneHot := Mul(OneHot(ConvertDType(positions, dtypes.Int32), seq, dtypes.Float32), InsertAxes(used, -1))
	hit := ReduceSum(oneHot, 1)                                                                // [b, L]
	values := ReduceSum(Mul(oneHot, InsertAxes(ConvertDType(samples, dtypes.Float32), -1)), 1) // [b, L]
	sampled := ConvertDType(Round(values), original.DType())
	corrupted = StopGradient(Where(GreaterThan(hit, ZerosLike(hit)), sampled, original))
	labels = StopGradient(ConvertDType(NotEqual(corrupted, original), dtypes.Float32))
	return corrupted, labels
}

// weightedMean is Σ w·x / max(Σ w, tiny).
func weightedMean(x, w *Node) *Node {
	total := ReduceAllSum(Mul(x, w))
	return Div(total, Max(ReduceAllSum(w), Scalar(x.Graph(), dtypes.Float32, 1e-12)))
}
