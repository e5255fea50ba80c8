package cpukernels

import (
	gi "github.com/deberta-go/lab/internal/gomlxinternals"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
)

// binaryOps are the float32 binary ops with a fast executor (vec.c), with simplego's semantics (Go's max and
// min propagate NaN).
var binaryOps = map[backends.OpType]int{
	backends.OpTypeAdd: vecAdd, backends.OpTypeSub: vecSub, backends.OpTypeMul: vecMul,
	backends.OpTypeDiv: vecDiv, backends.OpTypeMax: vecMax, backends.OpTypeMin: vecMin,
}

// binaryExecutor returns the executor of one float32 binary op; other dtypes and shapes go to original.
func binaryExecutor(op int, original gi.Executor) gi.Executor {
	return func(backend *gi.Backend, node *gi.Node, inputs []*gi.Buffer, owned []bool) (*gi.Buffer, error) {
		lhs, rhs := inputs[0], inputs[1]
		outShape := node.Shape()
		ls, lok := operandStrides(lhs, outShape.Dimensions)
		rs, rok := operandStrides(rhs, outShape.Dimensions)
		if !lok || !rok || outShape.DType != dtypes.Float32 {
			return fallback(original, backend, node, inputs, owned)
		}
		a, b := lhs.Flat().([]float32), rhs.Flat().([]float32)
		out := outputBuffer(backend, inputs, owned, node, 0, 1)
		d := out.Flat().([]float32)
		loop := newStridedLoop(outShape.Dimensions, ls, rs)
		ais, bis, ars, brs := loop.stride(0), loop.stride(1), loop.rowStride(0), loop.rowStride(1)
		loop.runRows(func(o int, in []int, rows, inner int) {
			vecBinary(op, d[o:o+rows*inner], a[in[0]:], ars, ais, b[in[1]:], brs, bis, rows, inner)
		})
		return out, nil
	}
}

// operandStrides are the strides of a float32 input read along an output of dimensions dims: broadcast axes
// have stride 0, a single element is broadcast everywhere. ok is false for other dtypes or ranks.
func operandStrides(in *gi.Buffer, dims []int) (strides []int, ok bool) {
	s := in.Shape()
	if s.DType != dtypes.Float32 {
		return nil, false
	}
	if s.Size() == 1 {
		return make([]int, len(dims)), true
	}
	if s.Rank() != len(dims) {
		return nil, false
	}
	return broadcastStrides(s.Dimensions, dims), true
}

// outputBuffer returns the output buffer of an element-wise op: one of the candidate inputs when the executor
// owns it and it has the output's shape (then inputs[i] is set to nil, telling simplego it was taken, as its own
// executors do), else a new buffer. Reusing an input is safe because each output element reads only the same
// element of that input.
func outputBuffer(backend *gi.Backend, inputs []*gi.Buffer, owned []bool, node *gi.Node, candidates ...int) *gi.Buffer {
	shape := node.Shape()
	for _, i := range candidates {
		if owned[i] && inputs[i] != nil && inputs[i].Shape().Equal(shape) {
			out := inputs[i]
			inputs[i] = nil
			return out
		}
	}
	return backend.NewBuffer(shape)
}
