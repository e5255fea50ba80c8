package cpukernels

/*
#cgo CFLAGS: -O3
#include "vec.h"
*/
import "C"

import "unsafe"

// The op codes of vec_binary.
const (
	vecAdd = C.VEC_ADD
	vecSub = C.VEC_SUB
	vecMul = C.VEC_MUL
	vecDiv = C.VEC_DIV
	vecMax = C.VEC_MAX
	vecMin = C.VEC_MIN
)

func fptr(s []float32) *C.float { return (*C.float)(unsafe.Pointer(unsafe.SliceData(s))) }

// vecBinary computes rows×inner outputs d[r·inner + i] = a[r·ars + i·ais] ∘ b[r·brs + i·bis] in C; a and b
// start at the first element read.
func vecBinary(op int, d, a []float32, ars, ais int, b []float32, brs, bis, rows, inner int) {
	C.vec_binary(C.int(op), fptr(d), fptr(a), fptr(b), C.size_t(rows), C.size_t(inner),
		C.ptrdiff_t(ars), C.ptrdiff_t(ais), C.ptrdiff_t(brs), C.ptrdiff_t(bis))
}

func vecExp(d, a []float32) { C.vec_exp(fptr(d), fptr(a), C.size_t(len(d))) }
func vecErf(d, a []float32) { C.vec_erf(fptr(d), fptr(a), C.size_t(len(d))) }
func vecLog(d, a []float32) { C.vec_log(fptr(d), fptr(a), C.size_t(len(d))) }

// vecReduceRows sets d[i] = ⊕_r a[r·stride + i] (sum, or Go's max with isMax) for r < red, from init.
func vecReduceRows(isMax bool, d, a []float32, red, stride int, init float32) {
	C.vec_reduce_rows(cbool(isMax), fptr(d), fptr(a), C.size_t(red), C.size_t(stride), C.size_t(len(d)), C.float(init))
}

// vecReduceRun returns the sum (in 8 interleaved partial sums) or the max of a, from init.
func vecReduceRun(isMax bool, a []float32, init float32) float32 {
	return float32(C.vec_reduce_run(cbool(isMax), fptr(a), C.size_t(len(a)), C.float(init)))
}

func cbool(b bool) C.int {
	if b {
		return 1
	}
	return 0
}

// vecWhere sets d[i] = c[i·cs] ? t[i·ts] : f[i·fs].
func vecWhere(d []float32, c []bool, cs int, t []float32, ts int, f []float32, fs int) {
	C.vec_where(fptr(d), (*C.uchar)(unsafe.Pointer(unsafe.SliceData(c))), C.ptrdiff_t(cs), fptr(t), C.ptrdiff_t(ts),
		fptr(f), C.ptrdiff_t(fs), C.size_t(len(d)))
}
