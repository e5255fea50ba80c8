package cpukernels

import (
	gi "github.com/deberta-go/lab/internal/gomlxinternals"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
)

// Comparisons (float32 or int32 operands, bool output, implicit broadcasting as simplego's), ConvertDType
// between bool, int32 and float32, and Where on float32: the ops of masks and one-hot targets.

var comparisonOps = []backends.OpType{
	backends.OpTypeEqual, backends.OpTypeNotEqual, backends.OpTypeLessThan, backends.OpTypeLessOrEqual,
	backends.OpTypeGreaterThan, backends.OpTypeGreaterOrEqual,
}

func comparisonExecutor(op backends.OpType, original gi.Executor) gi.Executor {
	return func(backend *gi.Backend, node *gi.Node, inputs []*gi.Buffer, owned []bool) (*gi.Buffer, error) {
		dims := node.Shape().Dimensions
		ls, lok := anyStrides(inputs[0], dims)
		rs, rok := anyStrides(inputs[1], dims)
		dt := inputs[0].Shape().DType
		if !lok || !rok || dt != inputs[1].Shape().DType || node.Shape().DType != dtypes.Bool {
			return fallback(original, backend, node, inputs, owned)
		}
		out := backend.NewBuffer(node.Shape())
		loop := newStridedLoop(dims, ls, rs)
		switch dt {
		case dtypes.Float32:
			compare(op, loop, out.Flat().([]bool), inputs[0].Flat().([]float32), inputs[1].Flat().([]float32))
		case dtypes.Int32:
			compare(op, loop, out.Flat().([]bool), inputs[0].Flat().([]int32), inputs[1].Flat().([]int32))
		default:
			backend.Release(out)
			return fallback(original, backend, node, inputs, owned)
		}
		return out, nil
	}
}

func compare[T float32 | int32](op backends.OpType, loop stridedLoop, d []bool, a, b []T) {
	as, bs := loop.stride(0), loop.stride(1)
	loop.run(func(o int, in []int, n int) {
		dd, aa, bb := d[o:o+n], a[in[0]:], b[in[1]:]
		switch op {
		case backends.OpTypeEqual:
			for i := range dd {
				dd[i] = aa[i*as] == bb[i*bs]
			}
		case backends.OpTypeNotEqual:
			for i := range dd {
				dd[i] = aa[i*as] != bb[i*bs]
			}
		case backends.OpTypeLessThan:
			for i := range dd {
				dd[i] = aa[i*as] < bb[i*bs]
			}
		case backends.OpTypeLessOrEqual:
			for i := range dd {
				dd[i] = aa[i*as] <= bb[i*bs]
			}
		case backends.OpTypeGreaterThan:
			for i := range dd {
				dd[i] = aa[i*as] > bb[i*bs]
			}
		case backends.OpTypeGreaterOrEqual:
			for i := range dd {
				dd[i] = aa[i*as] >= bb[i*bs]
			}
		}
	})
}

// anyStrides is operandStrides for any dtype.
func anyStrides(in *gi.Buffer, dims []int) ([]int, bool) {
	s := in.Shape()
	if s.Size() == 1 {
		return make([]int, len(dims)), true
	}
	if s.Rank() != len(dims) {
		return nil, false
	}
	return broadcastStrides(s.Dimensions, dims), true
}

func convertExecutor(original gi.Executor) gi.Executor {
	return func(backend *gi.Backend, node *gi.Node, inputs []*gi.Buffer, owned []bool) (*gi.Buffer, error) {
		from, to := inputs[0].Shape().DType, node.Shape().DType
		if to != dtypes.Float32 && to != dtypes.Int32 || from != dtypes.Bool && from != dtypes.Int32 &&
			from != dtypes.Uint32 && from != dtypes.Float32 || from == to {
			return fallback(original, backend, node, inputs, owned)
		}
		out := backend.NewBuffer(node.Shape())
		src, dst := inputs[0].Flat(), out.Flat()
		parallelRanges(node.Shape().Size(), node.Shape().Size(), func(lo, hi int) {
			switch d := dst.(type) {
			case []float32:
				switch a := src.(type) {
				case []bool:
					convertBool(d[lo:hi], a[lo:hi])
				case []int32:
					convertNum(d[lo:hi], a[lo:hi])
				case []uint32:
					convertNum(d[lo:hi], a[lo:hi])
				}
			case []int32:
				switch a := src.(type) {
				case []bool:
					convertBool(d[lo:hi], a[lo:hi])
				case []uint32:
					convertNum(d[lo:hi], a[lo:hi])
				case []float32:
					convertNum(d[lo:hi], a[lo:hi])
				}
			}
		})
		return out, nil
	}
}

// convertNum is Go's numeric conversion, element by element (simplego's semantics).
func convertNum[F int32 | uint32 | float32, T float32 | int32](d []T, a []F) {
	for i, v := range a[:len(d)] {
		d[i] = T(v)
	}
}

// convertBool maps true to 1 and false to 0.
func convertBool[T float32 | int32](d []T, a []bool) {
	for i, v := range a[:len(d)] {
		if v {
			d[i] = 1
		} else {
			d[i] = 0
		}
	}
}

// whereExecutor: float32 Where(cond, onTrue, onFalse) with cond and each branch either full or a scalar.
func whereExecutor(original gi.Executor) gi.Executor {
	return func(backend *gi.Backend, node *gi.Node, inputs []*gi.Buffer, owned []bool) (*gi.Buffer, error) {
		shape := node.Shape()
		full := func(b *gi.Buffer) bool { return b.Shape().Size() == shape.Size() }
		cond, onTrue, onFalse := inputs[0], inputs[1], inputs[2]
		if shape.DType != dtypes.Float32 || !(full(cond) || cond.Shape().Size() == 1) ||
			!(full(onTrue) || onTrue.Shape().Size() == 1) || !(full(onFalse) || onFalse.Shape().Size() == 1) {
			return fallback(original, backend, node, inputs, owned)
		}
		c, t, f := cond.Flat().([]bool), onTrue.Flat().([]float32), onFalse.Flat().([]float32)
		cs, ts, fs := stride01(full(cond)), stride01(full(onTrue)), stride01(full(onFalse))
		out := outputBuffer(backend, inputs, owned, node, 1, 2)
		d := out.Flat().([]float32)
		parallelRanges(len(d), len(d), func(lo, hi int) {
			vecWhere(d[lo:hi], c[lo*cs:], cs, t[lo*ts:], ts, f[lo*fs:], fs)
		})
		return out, nil
	}
}

func stride01(full bool) int {
	if full {
		return 1
	}
	return 0
}
