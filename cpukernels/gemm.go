package cpukernels

import (
	"fmt"
	"runtime"
	"sync"
)

// minParallelFlops: GEMM batches below this many floating-point operations run on the calling goroutine.
const minParallelFlops = 1 << 20

// gemmTask is a block of a gemmBatch: batch entries [b0, b1), rows [i0, i1) and columns [j0, j1) of C.
type gemmTask struct{ b0, b1, i0, i1, j0, j1 int }

// run computes every GEMM of the batch, split over GOMAXPROCS goroutines (BLAS itself runs single-threaded):
// whole batch entries when there are enough of them, else row or column blocks of each.
func (g *gemmBatch) run() error {
	batch := 1
	for _, d := range g.batchDims {
		batch *= d
	}
	aOff := batchOffsets(g.batchDims, g.av.batchStrides)
	bOff := batchOffsets(g.batchDims, g.bv.batchStrides)
	for b := range batch {
		if aOff[b]+g.av.span() > len(g.a) || bOff[b]+g.bv.span() > len(g.b) {
			return fmt.Errorf("cpukernels: DotGeneral operand view out of range (this is a bug)")
		}
	}
	if len(g.c) != batch*g.m*g.n {
		return fmt.Errorf("cpukernels: DotGeneral output has %d elements, want %d (this is a bug)", len(g.c), batch*g.m*g.n)
	}
	workers := runtime.GOMAXPROCS(0)
	if g.serial {
		workers = 1
	}
	tasks := g.split(batch, workers)
	var wg sync.WaitGroup
	for _, t := range tasks[1:] {
		wg.Go(func() { g.runTask(t, aOff, bOff) })
	}
	g.runTask(tasks[0], aOff, bOff)
	wg.Wait()
	return nil
}

// split divides the batch into at most workers tasks of about equal work.
func (g *gemmBatch) split(batch, workers int) []gemmTask {
	whole := gemmTask{0, batch, 0, g.m, 0, g.n}
	if workers <= 1 || 2*batch*g.m*g.n*g.k < minParallelFlops {
		return []gemmTask{whole}
	}
	var tasks []gemmTask
	if batch >= workers {
		for w := range workers {
			t := whole
			t.b0, t.b1 = batch*w/workers, batch*(w+1)/workers
			tasks = append(tasks, t)
		}
		return tasks
	}
	parts := (workers + batch - 1) / batch
	for b := range batch {
		for p := range parts {
			t := gemmTask{b, b + 1, 0, g.m, 0, g.n}
			if g.m >= g.n {
				t.i0, t.i1 = g.m*p/parts, g.m*(p+1)/parts
			} else {
				t.j0, t.j1 = g.n*p/parts, g.n*(p+1)/parts
			}
			if t.i0 < t.i1 && t.j0 < t.j1 {
				tasks = append(tasks, t)
			}
		}
	}
	return tasks
}

func (g *gemmBatch) runTask(t gemmTask, aOff, bOff []int) {
	m, n := t.i1-t.i0, t.j1-t.j0
	for b := t.b0; b < t.b1; b++ {
		a := aOff[b] + t.i0*g.av.rowStride
		bb := bOff[b] + t.j0*g.bv.colStride
		c := b*g.m*g.n + t.i0*g.n + t.j0
		g.lib.Sgemm(g.ga.trans, g.gb.trans, m, n, g.k, 1, g.a[a:], g.ga.ld, g.b[bb:], g.gb.ld, 0, g.c[c:], g.n)
	}
}

// batchOffsets returns the base offset of each batch entry (row-major over batchDims) for the given strides.
func batchOffsets(batchDims, strides []int) []int {
	offsets := []int{0}
	for i, d := range batchDims {
		next := make([]int, 0, len(offsets)*d)
		for _, o := range offsets {
			for j := range d {
				next = append(next, o+j*strides[i])
			}
		}
		offsets = next
	}
	return offsets
}
