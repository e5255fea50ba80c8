package pretrain

import (
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

// freshInts copies an int32 tensor: a batch's tensors are bound to the trainer's backend instance.
func freshInts(x *tensors.Tensor) *tensors.Tensor {
	return tensors.FromFlatDataAndDimensions(tensors.MustCopyFlatData[int32](x), x.Shape().Dimensions...)
}
