package cpukernels

import (
	gi "github.com/deberta-go/lab/internal/gomlxinternals"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
)

// reduceExecutor handles float32 ReduceSum and ReduceMax whose reduced axes form one block once size-1 axes are
// dropped and adjacent axes merged: the operand is then [outer, reduced, inner] and out[o, i] = ⊕_r in[o, r, i]
// (see reduceRows for the summation order).
func reduceExecutor(op backends.OpType, original gi.Executor) gi.Executor {
	return func(backend *gi.Backend, node *gi.Node, inputs []*gi.Buffer, owned []bool) (*gi.Buffer, error) {
		axes, ok := node.IntsData()
		in := inputs[0].Shape()
		if !ok || len(axes) == 0 || in.DType != dtypes.Float32 {
			return fallback(original, backend, node, inputs, owned)
		}
		outer, red, inner, ok := reduceBlock(in.Dimensions, axes)
		if !ok {
			return fallback(original, backend, node, inputs, owned)
		}
		src := inputs[0].Flat().([]float32)
		out := backend.NewBuffer(node.Shape())
		dst := out.Flat().([]float32)
		sum := op == backends.OpTypeReduceSum
		lowest := dtypes.Float32.LowestValue().(float32)
		parallelRanges(outer*inner, outer*red*inner, func(lo, hi int) {
			for k := lo; k < hi; { // output elements k..end share o: rows of in[o, r, i0:i1]
				o, i0 := k/inner, k%inner
				end := min(hi, (o+1)*inner)
				reduceRows(dst[k:end], src[o*red*inner+i0:], red, inner, sum, lowest)
				k = end
			}
		})
		return out, nil
	}
}

// reduceBlock returns the sizes of [outer, reduced, inner] when the reduced axes of dims, ignoring axes of
// size 1, are adjacent; ok is false otherwise.
func reduceBlock(dims, axes []int) (outer, red, inner int, ok bool) {
	reduced := make([]bool, len(dims))
	for _, a := range axes {
		reduced[a] = true
	}
	outer, red, inner = 1, 1, 1
	phase := 0 // 0: before the reduced block, 1: inside it, 2: after it
	for axis, d := range dims {
		if d == 1 {
			continue
		}
		switch {
		case reduced[axis] && phase == 2:
			return 0, 0, 0, false
		case reduced[axis]:
			phase, red = 1, red*d
		case phase == 0:
			outer *= d
		default:
			phase, inner = 2, inner*d
		}
	}
	return outer, red, inner, true
}

// reduceRows sets d[i] = ⊕_r a[r·stride + i] for r in [0, red). With stride 1 (nothing after the reduced
// block) d has one element, reduced from a contiguous run in 8 interleaved partial sums (not simplego's order);
// otherwise rows are accumulated in increasing r, as simplego does.
func reduceRows(d, a []float32, red, stride int, sum bool, lowest float32) {
	init := lowest
	if sum {
		init = 0
	}
	if stride == 1 {
		d[0] = vecReduceRun(!sum, a[:red], init)
		return
	}
	vecReduceRows(!sum, d, a, red, stride, init)
}
