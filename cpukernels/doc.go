// Package cpukernels makes GoMLX's pure-Go backend (simplego) fast on CPUs. Install, called once by
// debertav3.Backend when the process uses that backend, replaces simplego's executors of the hot ops:
//
//   - DotGeneral (float32): the machine's CBLAS cblas_sgemm, loaded at run time (internal/cblas: OpenBLAS from
//     Debian's libopenblas0-pthread, any libblas.so.3, or $DEBERTA_BLAS), reading the operands in place as strided
//     row-major matrices whatever the batch, cross and contracting axes (an operand whose axes cannot be merged into
//     one stride each is packed first), one GEMM per batch entry. BLAS runs single-threaded and the GEMMs (or row /
//     column blocks of one GEMM) are split over GOMAXPROCS goroutines, so the cores are never oversubscribed;
//     $DEBERTA_BLAS_THREADS=N hands the parallelism to OpenBLAS instead.
//   - element-wise Add, Sub, Mul, Div, Max, Min with implicit broadcasting, Exp, Log, Erf, Neg, Sqrt, comparisons,
//     Where, ConvertDType, ReduceSum and ReduceMax over one block of axes, Transpose, BroadcastInDim, and Gather /
//     ScatterSum of the form embeddings and the relative-position attention use: loops vectorised by the C compiler
//     (vec.c, built for AVX2 and for baseline x86-64 and picked at load time) or plain Go loops, split over
//     GOMAXPROCS goroutines for large tensors.
//
// Results equal simplego's bit for bit except: matmuls (BLAS sums in another order), reductions over a contiguous
// run (8 partial sums), and Exp, Log, Erf, which use float32 polynomial and rational approximations whose errors
// against math.Exp, math.Log and math.Erf are measured by the tests (below 5e-7; GELU stays the exact-erf GELU to
// float32 rounding). NaN and ±Inf propagate as in simplego.
//
// Every other dtype, op or layout goes to simplego's own executor; ReadCounters says how many did. The
// replacement goes through internal/gomlxinternals, the one place that touches GoMLX internals: if what it relies
// on has changed, Install leaves simplego as it is and warns once. The XLA backends are never affected.
//
// Environment: DEBERTA_BLAS=off (no BLAS) or =/path/lib.so; DEBERTA_CPU_KERNELS=off (simplego's own element-wise
// executors); DEBERTA_BLAS_THREADS=N. With DEBERTA_BLAS=off and DEBERTA_CPU_KERNELS=off the pure-Go backend runs
// exactly as GoMLX ships it.
package cpukernels
