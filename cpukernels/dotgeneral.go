package cpukernels

import (
	"sync"
	"sync/atomic"

	"github.com/deberta-go/lab/internal/cblas"
	gi "github.com/deberta-go/lab/internal/gomlxinternals"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
)

// Counters of this package's executors since the process started.
type Counters struct {
	BLASInPlace    int64 `json:"blas_in_place"`   // float32 DotGenerals run on BLAS reading both operands in place
	BLASPacked     int64 `json:"blas_packed"`     // … after copying an operand whose layout BLAS cannot read
	DotFallback    int64 `json:"dot_fallback"`    // DotGenerals of other dtypes, left to simplego
	KernelFallback int64 `json:"kernel_fallback"` // other ops whose dtype or form the fast kernels leave to simplego
}

var counters struct{ inPlace, packed, dotFallback, kernelFallback atomic.Int64 }

// ReadCounters returns the counters.
func ReadCounters() Counters {
	return Counters{counters.inPlace.Load(), counters.packed.Load(), counters.dotFallback.Load(), counters.kernelFallback.Load()}
}

// fallback counts a kernel fallback and runs simplego's executor.
func fallback(original gi.Executor, backend *gi.Backend, node *gi.Node, inputs []*gi.Buffer, owned []bool) (*gi.Buffer, error) {
	counters.kernelFallback.Add(1)
	return original(backend, node, inputs, owned)
}

// blasDotGeneral is the DotGeneral executor installed by Install: float32 on BLAS, the rest to original.
type blasDotGeneral struct {
	lib         *cblas.Library
	original    gi.Executor
	blasThreads int // > 0: OpenBLAS's own threads parallelise each GEMM, our goroutines do not
}

// gemmBatch is one DotGeneral as a batch of GEMMs C[b] = op(A[b])·op(B[b]), C contiguous [batch, m, n].
type gemmBatch struct {
	lib       *cblas.Library
	a, b, c   []float32
	ga, gb    gemmOperand
	av, bv    matrixView
	batchDims []int
	m, n, k   int
	serial    bool // no goroutines (BLAS threads instead)
}

func (d *blasDotGeneral) execute(backend *gi.Backend, node *gi.Node, inputs []*gi.Buffer, owned []bool) (*gi.Buffer, error) {
	p, ok := node.DotGeneralParams()
	if !ok || inputs[0].Shape().DType != dtypes.Float32 || inputs[1].Shape().DType != dtypes.Float32 {
		counters.dotFallback.Add(1)
		return d.original(backend, node, inputs, owned)
	}
	lhsDims, rhsDims := inputs[0].Shape().Dimensions, inputs[1].Shape().Dimensions
	ax := axesOf(len(lhsDims), len(rhsDims), p)
	g := &gemmBatch{lib: d.lib, m: p.LHSCrossSize, n: p.RHSCrossSize, k: p.ContractingSize, serial: d.blasThreads > 0}
	g.batchDims = make([]int, len(p.LHSBatch))
	for i, axis := range p.LHSBatch {
		g.batchDims[i] = lhsDims[axis]
	}
	var scratch [][]float32
	g.a, g.av, g.ga = operand(inputs[0].Flat().([]float32), lhsDims, ax.lhsBatch, ax.lhsRows, ax.lhsCols, &scratch)
	g.b, g.bv, g.gb = operand(inputs[1].Flat().([]float32), rhsDims, ax.rhsBatch, ax.rhsRows, ax.rhsCols, &scratch)
	if len(scratch) > 0 {
		counters.packed.Add(1)
	} else {
		counters.inPlace.Add(1)
	}
	out := backend.NewBuffer(node.Shape())
	g.c = out.Flat().([]float32)
	err := g.run()
	for _, s := range scratch {
		putScratch(s)
	}
	if err != nil {
		backend.Release(out)
		return nil, err
	}
	return out, nil
}

// operand returns the data and BLAS view of one operand: in place when its layout allows, else packed into a
// scratch buffer (appended to scratch) laid out [batch..., rows..., cols...].
func operand(data []float32, dims, batch, rows, cols []int, scratch *[][]float32) ([]float32, matrixView, gemmOperand) {
	v, ok := viewOf(dims, batch, rows, cols)
	if ok {
		if g, ok := v.asGEMM(); ok {
			return data, v, g
		}
	}
	order := append(append(append([]int{}, batch...), rows...), cols...)
	strides := rowMajorStrides(dims)
	packedDims, packedStrides := make([]int, len(order)), make([]int, len(order))
	for i, axis := range order {
		packedDims[i], packedStrides[i] = dims[axis], strides[axis]
	}
	buf := getScratch(len(data))
	move(newStridedLoop(packedDims, packedStrides), buf, data)
	*scratch = append(*scratch, buf)
	nb, nr := len(batch), len(rows)
	v, _ = viewOf(packedDims, iota(0, nb), iota(nb, nr), iota(nb+nr, len(cols)))
	g, _ := v.asGEMM()
	return buf, v, g
}

var scratchPool sync.Pool // of *[]float32

// getScratch returns a float32 slice of length n, reused when possible.
func getScratch(n int) []float32 {
	if p, ok := scratchPool.Get().(*[]float32); ok && cap(*p) >= n {
		return (*p)[:n]
	}
	return make([]float32, n)
}

func putScratch(s []float32) { scratchPool.Put(&s) }

func iota(start, n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = start + i
	}
	return s
}
