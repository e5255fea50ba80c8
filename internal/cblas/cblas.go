// Package cblas loads a CBLAS library (OpenBLAS, the reference BLAS, …) at run time with dlopen and calls its
// cblas_sgemm. Building needs no BLAS headers or library; a machine without one simply gets an error from Open.
package cblas

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stdlib.h>

typedef void (*sgemm_fn)(int order, int transA, int transB, int m, int n, int k, float alpha,
                         const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc);
typedef void (*set_threads_fn)(int);

static void call_sgemm(void *fn, int transA, int transB, int m, int n, int k, float alpha,
                       const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc) {
	((sgemm_fn)fn)(101, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc); // 101: CblasRowMajor
}

static void call_set_threads(void *fn, int n) { ((set_threads_fn)fn)(n); }

static void *open_lib(const char *path, char **err) {
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) *err = dlerror();
	return h;
}

static void *find_sym(void *h, const char *name) { return dlsym(h, name); }
*/
import "C"

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"unsafe"
)

// Library is a loaded CBLAS library. Its methods are safe for concurrent use when the library is (OpenBLAS
// built with threads, the reference BLAS).
type Library struct {
	Path       string // the path given to dlopen
	sgemm      unsafe.Pointer
	setThreads unsafe.Pointer // openblas_set_num_threads, or nil
}

// DefaultNames are the libraries tried, in order, when no path is given: Debian's OpenBLAS (any variant, through
// the alternatives system or directly) and then whatever provides libblas.so.3.
var DefaultNames = []string{
	"libopenblas.so.0",
	"/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
	"/usr/lib/aarch64-linux-gnu/openblas-pthread/libopenblas.so.0",
	"libblas.so.3",
}

// Open loads the library at path (a file name searched by the dynamic loader, or a path) and resolves
// cblas_sgemm. The error names the path and says what is missing.
func Open(path string) (*Library, error) {
	if filepath.IsAbs(path) {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("cblas: %w", err)
		}
	}
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	var cerr *C.char
	h := C.open_lib(cpath, &cerr)
	if h == nil {
		return nil, fmt.Errorf("cblas: cannot load %s: %s", path, C.GoString(cerr))
	}
	lib := &Library{Path: path, sgemm: symbol(h, "cblas_sgemm"), setThreads: symbol(h, "openblas_set_num_threads")}
	if lib.sgemm == nil {
		return nil, fmt.Errorf("cblas: %s has no symbol cblas_sgemm (not a CBLAS library)", path)
	}
	return lib, nil
}

// OpenDefault tries DefaultNames in order and returns the first that loads, or an error listing every attempt.
func OpenDefault() (*Library, error) {
	var errs []error
	for _, name := range DefaultNames {
		lib, err := Open(name)
		if err == nil {
			return lib, nil
		}
		errs = append(errs, err)
	}
	return nil, errors.Join(errs...)
}

func symbol(h unsafe.Pointer, name string) unsafe.Pointer {
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	return C.find_sym(h, cname)
}

// SetThreads sets OpenBLAS's thread count; it reports false for libraries without openblas_set_num_threads.
func (l *Library) SetThreads(n int) bool {
	if l.setThreads == nil {
		return false
	}
	C.call_set_threads(l.setThreads, C.int(n))
	return true
}

// Sgemm computes C = alpha·op(A)·op(B) + beta·C on row-major matrices: op(A) is m×k, op(B) is k×n, C is m×n;
// transA/transB say whether A (stored k×m) and B (stored n×k) are transposed; lda, ldb, ldc are the row strides.
// The slices must hold the elements the call reads and writes (checked by the caller).
func (l *Library) Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int,
	b []float32, ldb int, beta float32, c []float32, ldc int) {
	C.call_sgemm(l.sgemm, trans(transA), trans(transB), C.int(m), C.int(n), C.int(k), C.float(alpha),
		(*C.float)(unsafe.Pointer(&a[0])), C.int(lda), (*C.float)(unsafe.Pointer(&b[0])), C.int(ldb),
		C.float(beta), (*C.float)(unsafe.Pointer(&c[0])), C.int(ldc))
}

func trans(t bool) C.int {
	if t {
		return 112 // CblasTrans
	}
	return 111 // CblasNoTrans
}
