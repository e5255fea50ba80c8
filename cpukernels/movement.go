package cpukernels

import (
	gi "github.com/deberta-go/lab/internal/gomlxinternals"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
)

// transposeExecutor: output axis j is operand axis perm[j].
func transposeExecutor(original gi.Executor) gi.Executor {
	return func(backend *gi.Backend, node *gi.Node, inputs []*gi.Buffer, owned []bool) (*gi.Buffer, error) {
		perm, ok := node.IntsData()
		in := inputs[0].Shape()
		if !ok || len(perm) != in.Rank() {
			return fallback(original, backend, node, inputs, owned)
		}
		s := rowMajorStrides(in.Dimensions)
		strides := make([]int, len(perm))
		for j, axis := range perm {
			strides[j] = s[axis]
		}
		return moveExecute(backend, node, inputs, owned, strides, original)
	}
}

// broadcastInDimExecutor: operand axis i becomes output axis axes[i]; other output axes repeat the operand.
func broadcastInDimExecutor(original gi.Executor) gi.Executor {
	return func(backend *gi.Backend, node *gi.Node, inputs []*gi.Buffer, owned []bool) (*gi.Buffer, error) {
		axes, ok := node.IntsData()
		in, out := inputs[0].Shape(), node.Shape()
		if !ok || len(axes) != in.Rank() {
			return fallback(original, backend, node, inputs, owned)
		}
		s := rowMajorStrides(in.Dimensions)
		strides := make([]int, out.Rank())
		for i, axis := range axes {
			if in.Dimensions[i] == out.Dimensions[axis] {
				strides[axis] = s[i]
			}
		}
		return moveExecute(backend, node, inputs, owned, strides, original)
	}
}

// moveExecute writes the output, contiguous, reading the input with strides (one per output axis), for the
// element types the model moves around; others go to original.
func moveExecute(backend *gi.Backend, node *gi.Node, inputs []*gi.Buffer, owned []bool, strides []int, original gi.Executor) (*gi.Buffer, error) {
	loop := newStridedLoop(node.Shape().Dimensions, strides)
	var out *gi.Buffer
	switch node.Shape().DType {
	case dtypes.Float32:
		out = backend.NewBuffer(node.Shape())
		move(loop, out.Flat().([]float32), inputs[0].Flat().([]float32))
	case dtypes.Int32:
		out = backend.NewBuffer(node.Shape())
		move(loop, out.Flat().([]int32), inputs[0].Flat().([]int32))
	case dtypes.Bool:
		out = backend.NewBuffer(node.Shape())
		move(loop, out.Flat().([]bool), inputs[0].Flat().([]bool))
	default:
		return fallback(original, backend, node, inputs, owned)
	}
	return out, nil
}

// move copies src into dst along the loop (one input). A transpose of the two innermost axes (the input
// contiguous along the rows, strided along the output's inner axis) goes tile by tile.
func move[T any](loop stridedLoop, dst, src []T) {
	s := loop.stride(0)
	if s > 1 && loop.rowStride(0) == 1 {
		loop.runRows(func(o int, in []int, rows, inner int) {
			transposeTiles(dst[o:o+rows*inner], src[in[0]:], rows, inner, s)
		})
		return
	}
	loop.run(func(o int, in []int, n int) {
		d := dst[o : o+n]
		switch s {
		case 1:
			copy(d, src[in[0]:in[0]+n])
		case 0:
			v := src[in[0]]
			for i := range d {
				d[i] = v
			}
		default:
			a := src[in[0]:]
			for i := range d {
				d[i] = a[i*s]
			}
		}
	})
}

// transposeTiles sets d[r·inner + j] = a[r + j·s] in 16-wide column tiles, so that the columns of a being read
// stay in cache while the rows advance.
func transposeTiles[T any](d, a []T, rows, inner, s int) {
	const tile = 16
	for j0 := 0; j0 < inner; j0 += tile {
		j1 := min(j0+tile, inner)
		for r := range rows {
			row := d[r*inner : (r+1)*inner]
			for j := j0; j < j1; j++ {
				row[j] = a[r+j*s]
			}
		}
	}
}
