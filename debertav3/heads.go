package debertav3

import (
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"

	"github.com/deberta-go/lab/layers"
)

// MLMLayout selects the checkpoint key layout of the masked-LM head.
type MLMLayout int

const (
	// MLMLegacy is HF's DebertaV2ForMaskedLM default: cls.predictions.{transform.dense, transform.LayerNorm, bias}.
	MLMLegacy MLMLayout = iota
	// MLMLMPredictions is Microsoft's layout (and HF legacy=false): lm_predictions.lm_head.{dense, LayerNorm, bias}.
	MLMLMPredictions
)

// mlmScopes returns the scope of the transform (dense + LayerNorm) and of the output bias of a layout.
func (l MLMLayout) mlmScopes(ctx *context.Context) (transform, bias *context.Context) {
	if l == MLMLMPredictions {
		head := ctx.In("lm_predictions").In("lm_head")
		return head, head
	}
	pred := ctx.In("cls").In("predictions")
	return pred.In("transform"), pred
}

// MaskedLMHead computes MLM logits (paper §2.1; HF DebertaV2OnlyMLMHead / lm_predictions.lm_head):
//
//	logits = LayerNorm(act(dense(h))) · E_wordᵀ + bias
//
// hidden: [batch, seq, hidden]; wordEmbeddings: the tied decoder [vocab, embedding]. Returns [batch, seq, vocab].
func MaskedLMHead(ctx *context.Context, cfg *Config, layout MLMLayout, hidden, wordEmbeddings *Node) *Node {
	transform, biasCtx := layout.mlmScopes(ctx)
	h := layers.Linear(transform.In("dense"), hidden, cfg.EmbeddingSize, true, cfg.InitializerRange)
	h = layers.Activation(cfg.HiddenAct, h)
	h = layers.LayerNorm(transform.In("LayerNorm"), h, cfg.LayerNormEps)
	logits := Einsum("bse,ve->bsv", h, wordEmbeddings)
	bias := biasCtx.WithInitializer(initializers.Zero).
		VariableWithShape(layers.BiasName, shapes.Make(hidden.DType(), cfg.VocabSize)).ValueGraph(hidden.Graph())
	return Add(logits, ExpandLeftToRank(bias, 3))
}

// RTDHead is the replaced-token-detection head of the official discriminator (paper §2.2; official
// LMMaskPredictionHead, keys mask_predictions.{dense,LayerNorm,classifier}):
//
//	logit_i = classifier(act(dense(LayerNorm(h_0 + h_i))))
//
// where h_0 is the [CLS] state at index 0. hidden: [batch, seq, hidden] → logits [batch, seq]
// (positive = replaced).
func RTDHead(ctx *context.Context, cfg *Config, hidden *Node) *Node {
	ctx = ctx.In("mask_predictions")
	batch, seq, d := hidden.Shape().Dimensions[0], hidden.Shape().Dimensions[1], hidden.Shape().Dimensions[2]
	cls := Reshape(pick(hidden, 1, 0), batch, 1, d)
	h := layers.LayerNorm(ctx.In("LayerNorm"), Add(hidden, BroadcastToDims(cls, batch, seq, d)), cfg.LayerNormEps)
	h = layers.Activation(cfg.HiddenAct, layers.Linear(ctx.In("dense"), h, d, true, cfg.InitializerRange))
	logits := layers.Linear(ctx.In("classifier"), h, 1, true, cfg.InitializerRange)
	return Reshape(logits, batch, seq)
}

// Pooler is HF's ContextPooler ("pooler/dense"): act(dense(dropout(h[:, 0]))). hidden: [batch, seq, hidden] →
// [batch, pooler_hidden_size].
func Pooler(ctx *context.Context, cfg *Config, hidden *Node) *Node {
	cls := layers.Dropout(ctx, pick(hidden, 1, 0), cfg.PoolerDropout)
	pooled := layers.Linear(ctx.In("pooler").In("dense"), cls, cfg.PoolerHiddenSize, true, cfg.InitializerRange)
	return layers.Activation(cfg.PoolerHiddenAct, pooled)
}

// SequenceClassificationHead is HF DebertaV2ForSequenceClassification's head: classifier(dropout(Pooler(h))).
// hidden: [batch, seq, hidden] → logits [batch, num_labels].
func SequenceClassificationHead(ctx *context.Context, cfg *Config, hidden *Node) *Node {
	pooled := layers.Dropout(ctx, Pooler(ctx, cfg, hidden), cfg.HiddenDropoutProb)
	return layers.Linear(ctx.In("classifier"), pooled, cfg.NumLabels, true, cfg.InitializerRange)
}

// TokenClassificationHead is classifier(dropout(h)): [batch, seq, hidden] → [batch, seq, num_labels].
func TokenClassificationHead(ctx *context.Context, cfg *Config, hidden *Node) *Node {
	h := layers.Dropout(ctx, hidden, cfg.HiddenDropoutProb)
	return layers.Linear(ctx.In("classifier"), h, cfg.NumLabels, true, cfg.InitializerRange)
}

// QuestionAnsweringHead is "qa_outputs": [batch, seq, hidden] → start and end logits, each [batch, seq].
func QuestionAnsweringHead(ctx *context.Context, cfg *Config, hidden *Node) (start, end *Node) {
	logits := layers.Linear(ctx.In("qa_outputs"), hidden, 2, true, cfg.InitializerRange) // [b, s, 2]
	return pick(logits, 2, 0), pick(logits, 2, 1)
}

// MultipleChoiceHead scores each choice: classifier(dropout(Pooler(h))) with one output. hidden holds the
// encoded choices flattened, [batch·choices, seq, hidden]; returns [batch, choices].
func MultipleChoiceHead(ctx *context.Context, cfg *Config, hidden *Node, choices int) *Node {
	pooled := layers.Dropout(ctx, Pooler(ctx, cfg, hidden), cfg.HiddenDropoutProb)
	scores := layers.Linear(ctx.In("classifier"), pooled, 1, true, cfg.InitializerRange)
	return Reshape(scores, -1, choices)
}

// pick selects index i of axis (removing the axis) with a one-hot contraction rather than Slice, whose
// gradient needs Pad (missing in the pure-Go backend).
func pick(x *Node, axis, i int) *Node {
	n := x.Shape().Dimensions[axis]
	oneHot := OneHot(Const(x.Graph(), int32(i)), n, x.DType()) // [n]
	letters := []byte("abcdefgh")[:x.Rank()]
	out := append(append([]byte{}, letters[:axis]...), letters[axis+1:]...)
	return Einsum(string(letters)+","+string(letters[axis])+"->"+string(out), x, oneHot)
}
