package cpukernels

import (
	"runtime"
	"sync"
)

// minParallelElements: element-wise work below this many elements runs on the calling goroutine.
const minParallelElements = 1 << 15

// A stridedLoop walks a contiguous row-major output of dimensions dims together with inputs read with their own
// element strides (0 along an axis an input is broadcast on). Adjacent axes that every operand traverses
// contiguously are merged, so that the innermost run is as long as possible.
type stridedLoop struct {
	dims    []int
	strides [][]int // per input, per merged axis
}

// newStridedLoop merges the axes of dims and of each input's strides (one stride per axis of dims).
func newStridedLoop(dims []int, inputs ...[]int) stridedLoop {
	l := stridedLoop{strides: make([][]int, len(inputs))}
	for axis, d := range dims {
		if d == 1 {
			continue
		}
		if n := len(l.dims) - 1; n >= 0 && l.continues(inputs, axis, d) {
			l.dims[n] *= d
			for i := range inputs {
				l.strides[i][n] = inputs[i][axis]
			}
			continue
		}
		l.dims = append(l.dims, d)
		for i := range inputs {
			l.strides[i] = append(l.strides[i], inputs[i][axis])
		}
	}
	if len(l.dims) == 0 { // a single element
		l.dims = []int{1}
		for i := range inputs {
			l.strides[i] = []int{0}
		}
	}
	return l
}

// continues: every input's stride of the last merged axis is its stride of axis times d.
func (l *stridedLoop) continues(inputs [][]int, axis, d int) bool {
	n := len(l.dims) - 1
	for i := range inputs {
		if l.strides[i][n] != inputs[i][axis]*d {
			return false
		}
	}
	return true
}

// inner is the length of the innermost run and stride(i) input i's stride along it.
func (l *stridedLoop) inner() int       { return l.dims[len(l.dims)-1] }
func (l *stridedLoop) stride(i int) int { return l.strides[i][len(l.dims)-1] }

// run calls fn for every innermost run: its output offset, each input's offset, the run length. Runs are split
// over GOMAXPROCS goroutines when the output is large; fn must only write its own output run.
func (l stridedLoop) run(fn func(out int, in []int, n int)) {
	inner := l.inner()
	outer := 1
	for _, d := range l.dims[:len(l.dims)-1] {
		outer *= d
	}
	parallelRanges(outer, outer*inner, func(o0, o1 int) { l.runOuter(o0, o1, fn) })
}

// runOuter handles the runs o0 ≤ o < o1.
func (l stridedLoop) runOuter(o0, o1 int, fn func(out int, in []int, n int)) {
	rank, inner := len(l.dims), l.inner()
	idx := make([]int, rank-1)
	offs := make([]int, len(l.strides))
	rest := o0
	for axis := rank - 2; axis >= 0; axis-- { // the multi-index of run o0
		idx[axis] = rest % l.dims[axis]
		rest /= l.dims[axis]
		for i, s := range l.strides {
			offs[i] += idx[axis] * s[axis]
		}
	}
	for o := o0; o < o1; o++ {
		fn(o*inner, offs, inner)
		for axis := rank - 2; axis >= 0; axis-- {
			idx[axis]++
			for i, s := range l.strides {
				offs[i] += s[axis]
			}
			if idx[axis] < l.dims[axis] {
				break
			}
			for i, s := range l.strides {
				offs[i] -= idx[axis] * s[axis]
			}
			idx[axis] = 0
		}
	}
}

// parallelRanges splits [0, n) into up to GOMAXPROCS ranges when work (elements touched) is large enough, and
// calls fn on each, concurrently; otherwise fn(0, n) on the calling goroutine.
func parallelRanges(n, work int, fn func(lo, hi int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 || work < minParallelElements {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	for w := 1; w < workers; w++ {
		wg.Go(func() { fn(n*w/workers, n*(w+1)/workers) })
	}
	fn(0, n/workers)
	wg.Wait()
}

// broadcastStrides are the strides of an input of dimensions from (same rank as the output) read along the
// output: 0 where it is broadcast (dimension 1 against a larger output dimension).
func broadcastStrides(from, to []int) []int {
	s := rowMajorStrides(from)
	for axis := range from {
		if from[axis] != to[axis] {
			s[axis] = 0
		}
	}
	return s
}

// runRows calls fn for blocks of rows of the two innermost merged axes (rows × inner outputs, contiguous; each
// input's row stride is rowStride(i)), split over GOMAXPROCS goroutines when the output is large.
func (l stridedLoop) runRows(fn func(out int, in []int, rows, inner int)) {
	rank, inner := len(l.dims), l.inner()
	rowsPer := 1
	if rank >= 2 {
		rowsPer = l.dims[rank-2]
	}
	total := 1
	for _, d := range l.dims[:rank-1] {
		total *= d
	}
	parallelRanges(total, total*inner, func(lo, hi int) {
		offs := make([]int, len(l.strides))
		for g := lo; g < hi; {
			o, r := g/rowsPer, g%rowsPer
			n := min(hi, (o+1)*rowsPer) - g
			l.offsetsAt(o, offs)
			if rank >= 2 {
				for i := range offs {
					offs[i] += r * l.strides[i][rank-2]
				}
			}
			fn(g*inner, offs, n, inner)
			g += n
		}
	})
}

// rowStride is input i's stride along the second innermost merged axis (0 when there is none).
func (l *stridedLoop) rowStride(i int) int {
	if len(l.dims) < 2 {
		return 0
	}
	return l.strides[i][len(l.dims)-2]
}

// offsetsAt sets offs to each input's offset at index o of the axes outside the two innermost.
func (l *stridedLoop) offsetsAt(o int, offs []int) {
	for i := range offs {
		offs[i] = 0
	}
	for axis := len(l.dims) - 3; axis >= 0; axis-- {
		idx := o % l.dims[axis]
		o /= l.dims[axis]
		for i, s := range l.strides {
			offs[i] += idx * s[axis]
		}
	}
}
