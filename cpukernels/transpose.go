package cpukernels

import "sync"

// transposeInto writes src (row-major, dimensions dims) into dst with its axes in the given order (dst is
// row-major with dimensions dims[order[0]], dims[order[1]], …).
func transposeInto(dst, src []float32, dims, order []int) {
	strides := rowMajorStrides(dims)
	rank := len(order)
	if rank == 0 {
		dst[0] = src[0]
		return
	}
	inner := dims[order[rank-1]]
	innerStride := strides[order[rank-1]]
	idx := make([]int, rank-1)
	srcBase, n := 0, 0
	for {
		s := srcBase
		for j := range inner {
			dst[n+j] = src[s]
			s += innerStride
		}
		n += inner
		// Advance the multi-index over the outer axes (in order), updating the source offset.
		k := rank - 2
		for ; k >= 0; k-- {
			axis := order[k]
			idx[k]++
			srcBase += strides[axis]
			if idx[k] < dims[axis] {
				break
			}
			srcBase -= idx[k] * strides[axis]
			idx[k] = 0
		}
		if k < 0 {
			return
		}
	}
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
