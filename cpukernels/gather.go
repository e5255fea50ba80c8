package cpukernels

import (
	"slices"

	gi "github.com/deberta-go/lab/internal/gomlxinternals"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
)

// Gather and ScatterSum fast paths for the form the model uses (embedding lookups, the relative-position
// gather of layers.gatherRelative, their gradients): int32 indices with the index vector last, every indexed
// operand axis collapsed (window size 1), every other axis taken whole. Anything else goes to simplego.

// indexedForm checks that form for an operand of dimensions dims: indexed axes (in index-vector order) are
// exactly the collapsed ones with window 1, windowDims (when not nil) are the other axes whole, and
// windowAxes (the output's or the updates' axes holding the window) are increasing.
func indexedForm(dims, indexed, collapsed, windowSizes, windowAxes []int) bool {
	if !slices.IsSorted(windowAxes) || len(windowAxes) != len(dims)-len(collapsed) || len(indexed) != len(collapsed) {
		return false
	}
	for axis := range dims {
		isIndexed, isCollapsed := slices.Contains(indexed, axis), slices.Contains(collapsed, axis)
		if isIndexed != isCollapsed {
			return false
		}
		want := dims[axis]
		if isIndexed {
			want = 1
		}
		if windowSizes != nil && windowSizes[axis] != want {
			return false
		}
	}
	return true
}

// indexBases returns, for each index vector p of indices (int32, vector last, nIdx components), the operand
// offset Σ idx[p, c]·stride[indexed[c]]. Out-of-range components are clamped (gather) or mark the entry −1
// (scatter skips it).
func indexBases(indices []int32, indexed, dims, strides []int, clamp bool) []int {
	n := len(indexed)
	bases := make([]int, len(indices)/n)
	for p := range bases {
		off := 0
		for c, axis := range indexed {
			i := int(indices[p*n+c])
			if i < 0 || i >= dims[axis] {
				if !clamp {
					off = -1
					break
				}
				i = min(max(i, 0), dims[axis]-1)
			}
			off += i * strides[axis]
		}
		bases[p] = off
	}
	return bases
}

// windowLoop builds the loop over a tensor of dimensions dims (the gather's output or the scatter's updates)
// whose windowAxes hold the operand's non-indexed axes in order and whose other axes enumerate the index
// vectors: input 0 walks the index-vector position, input 1 the operand offset.
func windowLoop(dims, windowAxes, operandDims, indexed []int) stridedLoop {
	opStrides := rowMajorStrides(operandDims)
	var batchDims, windowStrides []int
	for axis := range operandDims {
		if !slices.Contains(indexed, axis) {
			windowStrides = append(windowStrides, opStrides[axis])
		}
	}
	for axis := range dims {
		if !slices.Contains(windowAxes, axis) {
			batchDims = append(batchDims, dims[axis])
		}
	}
	batchStrides := rowMajorStrides(batchDims)
	ps, ws := make([]int, len(dims)), make([]int, len(dims))
	w, b := 0, 0
	for axis := range dims {
		if slices.Contains(windowAxes, axis) {
			ws[axis], w = windowStrides[w], w+1
		} else {
			ps[axis], b = batchStrides[b], b+1
		}
	}
	return newStridedLoop(dims, ps, ws)
}

func gatherExecutor(original gi.Executor) gi.Executor {
	return func(backend *gi.Backend, node *gi.Node, inputs []*gi.Buffer, owned []bool) (*gi.Buffer, error) {
		p, ok := node.GatherParams()
		op, ix := inputs[0].Shape(), inputs[1].Shape()
		if !ok || op.DType != dtypes.Float32 || ix.DType != dtypes.Int32 || p.IndexVectorAxis != ix.Rank()-1 ||
			!indexedForm(op.Dimensions, p.StartIndexMap, p.CollapsedSliceAxes, p.SliceSizes, p.OffsetOutputAxes) {
			return fallback(original, backend, node, inputs, owned)
		}
		src := inputs[0].Flat().([]float32)
		bases := indexBases(inputs[1].Flat().([]int32), p.StartIndexMap, op.Dimensions, rowMajorStrides(op.Dimensions), true)
		out := backend.NewBuffer(node.Shape())
		dst := out.Flat().([]float32)
		loop := windowLoop(node.Shape().Dimensions, p.OffsetOutputAxes, op.Dimensions, p.StartIndexMap)
		ps, ws := loop.stride(0), loop.stride(1)
		loop.run(func(o int, in []int, n int) {
			d := dst[o : o+n]
			if ps == 0 {
				base := bases[in[0]] + in[1]
				if ws == 1 {
					copy(d, src[base:base+n])
					return
				}
				for i := range d {
					d[i] = src[base+i*ws]
				}
				return
			}
			for i := range d {
				d[i] = src[bases[in[0]+i*ps]+in[1]+i*ws]
			}
		})
		return out, nil
	}
}

func scatterSumExecutor(original gi.Executor) gi.Executor {
	return func(backend *gi.Backend, node *gi.Node, inputs []*gi.Buffer, owned []bool) (*gi.Buffer, error) {
		p, ok := node.ScatterParams()
		op, ix, up := inputs[0].Shape(), inputs[1].Shape(), inputs[2].Shape()
		if !ok || node.OpType() != backends.OpTypeScatterSum || op.DType != dtypes.Float32 || up.DType != dtypes.Float32 ||
			ix.DType != dtypes.Int32 || p.IndexVectorAxis != ix.Rank()-1 ||
			!indexedForm(op.Dimensions, p.ScatterAxesToOperandAxes, p.InsertedWindowAxes, nil, p.UpdateWindowAxes) ||
			!windowsWhole(up.Dimensions, p.UpdateWindowAxes, op.Dimensions, p.InsertedWindowAxes) {
			return fallback(original, backend, node, inputs, owned)
		}
		bases := indexBases(inputs[1].Flat().([]int32), p.ScatterAxesToOperandAxes, op.Dimensions, rowMajorStrides(op.Dimensions), false)
		upd := inputs[2].Flat().([]float32)
		out := outputBuffer(backend, inputs, owned, node, 0)
		dst := out.Flat().([]float32)
		if inputs[0] != nil { // not taken over: start from a copy of the operand
			copy(dst, inputs[0].Flat().([]float32))
		}
		loop := windowLoop(up.Dimensions, p.UpdateWindowAxes, op.Dimensions, p.ScatterAxesToOperandAxes)
		ps, ws := loop.stride(0), loop.stride(1)
		outer := len(upd) / loop.inner()
		// Sequential, in the updates' order: sums into one element keep simplego's order (bit-identical results).
		loop.runOuter(0, outer, func(o int, in []int, n int) {
			u := upd[o : o+n]
			for i, v := range u {
				if base := bases[in[0]+i*ps]; base >= 0 {
					dst[base+in[1]+i*ws] += v
				}
			}
		})
		return out, nil
	}
}

// windowsWhole: the updates' window axes have the operand's non-inserted dimensions (whole windows).
func windowsWhole(updDims, windowAxes, opDims, inserted []int) bool {
	w := 0
	for axis, d := range opDims {
		if slices.Contains(inserted, axis) {
			continue
		}
		if w >= len(windowAxes) || updDims[windowAxes[w]] != d {
			return false
		}
		w++
	}
	return true
}
