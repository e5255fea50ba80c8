// Vectorisable float32 loops for package cpukernels, compiled by cgo. On x86-64 each function is built twice
// (AVX2 and baseline SSE2) and the dynamic loader picks the one the CPU supports (GCC target_clones).
// Compiled without FMA contraction (vec.c): element-wise results are the IEEE operations Go computes, bit for bit.
#include <stddef.h>

enum { VEC_ADD = 0, VEC_SUB = 1, VEC_MUL = 2, VEC_DIV = 3, VEC_MAX = 4, VEC_MIN = 5 };

// d[r*inner + i] = a[r*ars + i*ais] op b[r*brs + i*bis] for r < rows, i < inner.
void vec_binary(int op, float *d, const float *a, const float *b, size_t rows, size_t inner,
                ptrdiff_t ars, ptrdiff_t ais, ptrdiff_t brs, ptrdiff_t bis);
// d[i] = sum (or max: Go's, NaN-propagating) over r < red of a[r*stride + i], i < n, accumulated in increasing r.
void vec_reduce_rows(int is_max, float *d, const float *a, size_t red, size_t stride, size_t n, float init);
// The sum (or max) of a[0..n), summed in 8 interleaved partial sums.
float vec_reduce_run(int is_max, const float *a, size_t n, float init);
// d[i] = c[i*cs] ? t[i*ts] : f[i*fs] (c holds Go bools: bytes 0 or 1).
void vec_where(float *d, const unsigned char *c, ptrdiff_t cs, const float *t, ptrdiff_t ts, const float *f,
               ptrdiff_t fs, size_t n);
void vec_exp(float *d, const float *a, size_t n);
void vec_log(float *d, const float *a, size_t n);
void vec_erf(float *d, const float *a, size_t n);
