package pretrain

import (
	"testing"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// gradientMaxes returns max|∂L_MLM/∂v| for each node of vars, then max|∂L_RTD/∂v| for each.
func gradientMaxes(out StepOutputs, vars []*Node) []*Node {
	var outs []*Node
	for _, gr := range append(Gradient(out.MLMLoss, vars...), Gradient(out.RTDLoss, vars...)...) {
		outs = append(outs, ReduceAllMax(Abs(gr)))
	}
	return outs
}

// checkLossesFall fails unless the mean MLM loss of the last 5 steps is 0.2 below that of the first 5 and the
// RTD loss 0.1 below.
func checkLossesFall(t *testing.T, mlm, rtd []float64) {
	t.Helper()
	steps := len(mlm)
	firstMLM, lastMLM := mean(mlm[:5]), mean(mlm[steps-5:])
	firstRTD, lastRTD := mean(rtd[:5]), mean(rtd[steps-5:])
	t.Logf("mlm %.4f → %.4f, rtd %.4f → %.4f", firstMLM, lastMLM, firstRTD, lastRTD)
	if !(lastMLM < firstMLM-0.2) || !(lastRTD < firstRTD-0.1) {
		t.Errorf("losses did not decrease: mlm %.4f → %.4f, rtd %.4f → %.4f", firstMLM, lastMLM, firstRTD, lastRTD)
	}
}

// freshInts copies an int32 tensor: a batch's tensors are bound to the trainer's backend instance.
func freshInts(x *tensors.Tensor) *tensors.Tensor {
	return tensors.FromFlatDataAndDimensions(tensors.MustCopyFlatData[int32](x), x.Shape().Dimensions...)
}
