package main

import (
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"

	"github.com/deberta-go/lab/debertav3"
	"github.com/deberta-go/lab/layers"
	"github.com/deberta-go/lab/losses"
	"github.com/deberta-go/lab/optim"
)

// The training step timed by `deberta bench --mode train`, defined as the PyTorch reference's train_step
// (bench/baselines/torch_cpu.json): a DebertaV2ForMaskedLM-shaped model (backbone + MLM head over every
// position, tied decoder), dropout as configured (0.1) active, cross-entropy on 15% of the positions, backward,
// and one AdamW update (lr 1e-4, weight decay 0.01, no clipping).
const (
	benchTrainLR          = 1e-4
	benchTrainWeightDecay = 0.01
	benchLabelledFraction = 0.15
)

// newMLMTrainStep compiles nothing yet: it returns the step, whose first call builds the graph and initialises
// the variables (seeded).
func newMLMTrainStep(cfg *debertav3.Config, batch, seq int) (func() error, error) {
	layers.InstallDotGeneralGradient()
	layers.InstallGatherGradient()
	backend, err := debertav3.Backend()
	if err != nil {
		return nil, err
	}
	ctx := context.New().Checked(false)
	ctx.SetParam(initializers.ParamInitialSeed, int64(1))
	if err := ctx.SetRNGStateFromSeed(1); err != nil {
		return nil, err
	}
	opt := optim.AdamW{WeightDecay: benchTrainWeightDecay}
	exec, err := context.NewExec(backend, ctx, func(ctx *context.Context, ids, mask, labels, weights *Node) *Node {
		g := ids.Graph()
		ctx.SetTraining(g, true)
		bb := debertav3.Backbone(ctx, cfg, ids, mask, nil, nil)
		logits := debertav3.MaskedLMHead(ctx, cfg, debertav3.MLMLegacy, bb.LastHiddenState, bb.WordEmbeddings)
		loss := losses.MaskedLM(logits, labels, weights)
		opt.Minimize(ctx, loss, optim.TrainableVariables(ctx, g), Scalar(g, dtypes.Float32, benchTrainLR))
		return loss
	})
	if err != nil {
		return nil, err
	}
	in := randomInputs(batch, seq, cfg.VocabSize)
	weights := make([]float32, batch*seq)
	labelled := max(1, int(benchLabelledFraction*float64(seq)+0.5)) // 19 of 128, spread evenly after [CLS]
	for b := range batch {
		for i := range labelled {
			weights[b*seq+1+i*(seq-1)/labelled] = 1
		}
	}
	w := tensors.FromFlatDataAndDimensions(weights, batch, seq)
	return func() error {
		_, err := exec.Exec(in.InputIDs, in.AttentionMask, in.InputIDs, w)
		return err
	}, nil
}
