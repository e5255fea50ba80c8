package cpukernels

import (
	"math"

	gi "github.com/deberta-go/lab/internal/gomlxinternals"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
)

// unaryKernels are the float32 unary ops with a fast, parallel executor. TestErf, TestExp and TestLog measure the
// approximations' error against math.Erf, math.Exp and math.Log.
var unaryKernels = map[backends.OpType]func(d, a []float32){
	backends.OpTypeExp: vecExp, // vec.c: Cephes' expf, float32 exact to ~1 ulp
	backends.OpTypeErf: vecErf, // vec.c: XLA's float32 erf (exact-erf GELU stays exact to float32 rounding)
	backends.OpTypeLog: vecLog, // vec.c: Cephes' logf
	backends.OpTypeNeg: func(d, a []float32) {
		for i, x := range a[:len(d)] {
			d[i] = -x
		}
	},
	backends.OpTypeAbs: func(d, a []float32) {
		for i, x := range a[:len(d)] {
			d[i] = math.Float32frombits(math.Float32bits(x) &^ (1 << 31))
		}
	},
	backends.OpTypeSqrt: func(d, a []float32) {
		for i, x := range a[:len(d)] {
			d[i] = float32(math.Sqrt(float64(x)))
		}
	},
}

// unaryExecutor returns the executor of one float32 unary op; other dtypes go to original.
func unaryExecutor(run func(d, a []float32), original gi.Executor) gi.Executor {
	return func(backend *gi.Backend, node *gi.Node, inputs []*gi.Buffer, owned []bool) (*gi.Buffer, error) {
		if inputs[0].Shape().DType != dtypes.Float32 || node.Shape().DType != dtypes.Float32 {
			return fallback(original, backend, node, inputs, owned)
		}
		a := inputs[0].Flat().([]float32)
		out := outputBuffer(backend, inputs, owned, node, 0)
		d := out.Flat().([]float32)
		parallelRanges(len(d), len(d), func(lo, hi int) { run(d[lo:hi], a[lo:hi]) })
		return out, nil
	}
}
