package debertav3

import (
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/deberta-go/lab/layers"
)

// HeadRTDElectra is ELECTRA's replaced-token-detection head on the DeBERTa backbone (ElectraRTDHead), with the
// keys of HF ElectraForPreTraining: discriminator_predictions.dense.{weight,bias} and
// discriminator_predictions.dense_prediction.{weight,bias}. Its logits fill Outputs.RTDLogits as HeadRTD's do; a
// model carries at most one of the two.
const HeadRTDElectra Head = "rtd-electra"

// ElectraRTDScope is the scope (and key prefix) of ElectraRTDHead.
const ElectraRTDScope = "discriminator_predictions"

// ElectraRTDHead is ELECTRA's discriminator head (HF ElectraDiscriminatorPredictions), per token, with no [CLS]
// term and no LayerNorm (unlike RTDHead):
//
//	logit_i = dense_prediction(act(dense(h_i)))      dense: hidden → hidden, dense_prediction: hidden → 1
//
// built in ctx.In(ElectraRTDScope). hidden: [batch, seq, hidden] → logits [batch, seq] (positive = replaced).
func ElectraRTDHead(ctx *context.Context, cfg *Config, hidden *Node) *Node {
	ctx = ctx.In(ElectraRTDScope)
	batch, seq, d := hidden.Shape().Dimensions[0], hidden.Shape().Dimensions[1], hidden.Shape().Dimensions[2]
	h := layers.Activation(cfg.HiddenAct, layers.Linear(ctx.In("dense"), hidden, d, true, cfg.InitializerRange))
	logits := layers.Linear(ctx.In("dense_prediction"), h, 1, true, cfg.InitializerRange)
	return Reshape(logits, batch, seq)
}

// electraRTDParams adds ElectraRTDHead's variables to the table.
func electraRTDParams(t *paramTable, cfg *Config) {
	h := cfg.HiddenSize
	t.linear("/"+ElectraRTDScope+"/dense", h, h, true)
	t.linear("/"+ElectraRTDScope+"/dense_prediction", h, 1, true)
}
