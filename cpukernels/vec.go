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
