package cpukernels

import "github.com/deberta-go/lab/internal/gomlxinternals"

// matrixView reads one operand of a DotGeneral, for one batch entry, as a rows×cols matrix with element strides
// rowStride and colStride from a base offset. For the left operand rows are its cross axes and cols its
// contracting axes; for the right operand rows are its contracting axes and cols its cross axes.
type matrixView struct {
	rows, cols           int
	rowStride, colStride int
	batchStrides         []int // stride of each batch axis, in DotGeneral's batch order
}

// gemmOperand is a matrixView in BLAS terms: row-major, possibly transposed, leading dimension ld.
type gemmOperand struct {
	trans bool
	ld    int
}

// viewOf builds the matrixView of an operand of dimensions dims (row-major) whose row group is rowAxes and
// column group colAxes (each in the order they are flattened), and batch axes batchAxes. ok is false when a
// group cannot be merged into a single stride (the operand must then be packed).
func viewOf(dims []int, batchAxes, rowAxes, colAxes []int) (v matrixView, ok bool) {
	strides := rowMajorStrides(dims)
	var okRows, okCols bool
	v.rows, v.rowStride, okRows = mergeGroup(dims, strides, rowAxes)
	v.cols, v.colStride, okCols = mergeGroup(dims, strides, colAxes)
	v.batchStrides = make([]int, len(batchAxes))
	for i, axis := range batchAxes {
		v.batchStrides[i] = strides[axis]
	}
	return v, okRows && okCols
}

// rowMajorStrides are the element strides of a row-major array of dimensions dims.
func rowMajorStrides(dims []int) []int {
	strides := make([]int, len(dims))
	s := 1
	for i := len(dims) - 1; i >= 0; i-- {
		strides[i] = s
		s *= dims[i]
	}
	return strides
}

// mergeGroup flattens the axes (in the given order) into one index: its size, and its stride when that index
// moves by a single stride (each axis's stride is the next one's times its dimension; axes of dimension 1 do not
// count). An empty or size-1 group has stride 1.
func mergeGroup(dims, strides, axes []int) (size, stride int, ok bool) {
	size, stride = 1, 1
	last := -1 // the innermost axis of dimension > 1 seen so far, walking from the inside out
	for i := len(axes) - 1; i >= 0; i-- {
		axis := axes[i]
		size *= dims[axis]
		if dims[axis] == 1 {
			continue
		}
		if last >= 0 && strides[axis] != strides[last]*dims[last] {
			return size, stride, false
		}
		if last < 0 {
			stride = strides[axis]
		}
		last = axis
	}
	return size, stride, true
}

// asGEMM expresses the view as a BLAS operand: not transposed when columns are contiguous, transposed when rows
// are. ok is false when neither holds or the leading dimension would be too small.
func (v matrixView) asGEMM() (g gemmOperand, ok bool) {
	switch {
	case v.cols == 1 || v.colStride == 1:
		g = gemmOperand{trans: false, ld: v.rowStride}
		if v.rows == 1 {
			g.ld = v.cols
		}
		return g, g.ld >= v.cols
	case v.rows == 1 || v.rowStride == 1:
		g = gemmOperand{trans: true, ld: v.colStride}
		if v.cols == 1 {
			g.ld = v.rows
		}
		return g, g.ld >= v.rows
	}
	return g, false
}

// span is the number of elements, from the base offset, that one matrix of the view reaches.
func (v matrixView) span() int {
	return (v.rows-1)*v.rowStride + (v.cols-1)*v.colStride + 1
}

// dotAxes lists, for both operands of a DotGeneral, the batch, row and column axes of their matrix views.
type dotAxes struct {
	lhsBatch, lhsRows, lhsCols []int // lhs: rows = cross axes, cols = contracting axes
	rhsBatch, rhsRows, rhsCols []int // rhs: rows = contracting axes, cols = cross axes
}

func axesOf(lhsRank, rhsRank int, p gomlxinternals.DotGeneralParams) dotAxes {
	return dotAxes{
		lhsBatch: p.LHSBatch, lhsRows: crossAxes(lhsRank, p.LHSContracting, p.LHSBatch), lhsCols: p.LHSContracting,
		rhsBatch: p.RHSBatch, rhsRows: p.RHSContracting, rhsCols: crossAxes(rhsRank, p.RHSContracting, p.RHSBatch),
	}
}

// crossAxes lists, in increasing order, the axes of a rank-r operand that are neither contracting nor batch.
func crossAxes(rank int, contracting, batch []int) []int {
	used := make([]bool, rank)
	for _, a := range contracting {
		used[a] = true
	}
	for _, a := range batch {
		used[a] = true
	}
	var cross []int
	for a := range rank {
		if !used[a] {
			cross = append(cross, a)
		}
	}
	return cross
}
