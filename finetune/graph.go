package finetune

import (
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/deberta-go/lab/debertav3"
	"github.com/deberta-go/lab/losses"
)

// headOf is the debertav3 head a task kind trains.
func headOf(kind Kind) debertav3.Head {
	switch kind {
	case KindTagging:
		return debertav3.HeadTokenClassification
	case KindQuestionAnswering:
		return debertav3.HeadQuestionAnswering
	case KindMultipleChoice:
		return debertav3.HeadMultipleChoice
	}
	return debertav3.HeadSequenceClassification
}

// taskLoss builds the backbone, the task's head (scopes as debertav3.Model, so the variables are the model's)
// and the mean loss over the rows with weight > 0:
//
//   - KindClassification, KindMultipleChoice: cross-entropy; targets[0] [b] int32 (class / choice);
//   - KindRegression: squared error of logit 0; targets[0] [b] float32;
//   - KindMultiLabel: binary cross-entropy per label; targets[0] [b, labels] float32 (multi-hot);
//   - KindTagging: cross-entropy over the tokens whose tag is ≥ 0; targets[0] [b, seq] int32;
//   - KindQuestionAnswering: (CE(start) + CE(end)) / 2; targets [b] int32 start and end token.
//
// ids, mask, types: [b, seq] int32 ([b, choices, seq] for KindMultipleChoice); weights [b] float32.
func taskLoss(ctx *context.Context, cfg *debertav3.Config, kind Kind, ids, mask, types, weights *Node, targets []*Node) *Node {
	b := ids.Shape().Dimensions[0]
	choices := 0
	if kind == KindMultipleChoice {
		dims := ids.Shape().Dimensions
		choices = dims[1]
		ids, mask, types = Reshape(ids, -1, dims[2]), Reshape(mask, -1, dims[2]), Reshape(types, -1, dims[2])
	}
	if cfg.TypeVocabSize == 0 {
		types = nil
	}
	h := debertav3.Backbone(ctx, cfg, ids, mask, types, nil).LastHiddenState
	rowCE := func(logits, labels *Node) *Node { // logits [b, n], labels [b]
		n := logits.Shape().Dimensions[1]
		return losses.MaskedLM(Reshape(logits, b, 1, n), Reshape(labels, b, 1), Reshape(weights, b, 1))
	}
	switch kind {
	case KindTagging:
		logits := debertav3.TokenClassificationHead(ctx, cfg, h) // [b, seq, labels]
		tags := targets[0]
		valid := ConvertDType(GreaterOrEqual(tags, ZerosLike(tags)), dtypes.Float32)
		return losses.MaskedLM(logits, Max(tags, ZerosLike(tags)), Mul(valid, InsertAxes(weights, -1)))
	case KindQuestionAnswering:
		start, end := debertav3.QuestionAnsweringHead(ctx, cfg, h)
		return DivScalar(Add(rowCE(start, targets[0]), rowCE(end, targets[1])), 2)
	case KindMultipleChoice:
		return rowCE(debertav3.MultipleChoiceHead(ctx, cfg, h, choices), targets[0])
	}
	logits := debertav3.SequenceClassificationHead(ctx, cfg, h) // [b, labels]
	switch kind {
	case KindRegression:
		diff := Sub(Reshape(logits, b), targets[0])
		return Div(ReduceAllSum(Mul(Square(diff), weights)), Max(ReduceAllSum(weights), Scalar(h.Graph(), dtypes.Float32, 1e-12)))
	case KindMultiLabel:
		return losses.RTD(logits, targets[0], BroadcastToShape(InsertAxes(weights, -1), logits.Shape()))
	}
	return rowCE(logits, targets[0])
}
