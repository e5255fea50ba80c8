// Package cpukernels makes GoMLX's pure-Go backend (simplego) fast on CPUs: Install routes every float32
// DotGeneral to the machine's CBLAS (OpenBLAS), loaded at run time, reading the operands in place as strided
// row-major matrices (or packing the rare layout BLAS cannot read), one GEMM per batch entry, split over
// GOMAXPROCS goroutines with single-threaded BLAS.
//
// The replacement goes through internal/gomlxinternals, the one place that touches GoMLX internals. Other
// dtypes stay on the pure-Go executor; DotGeneralCounters says how many went where. The XLA backends are not
// affected. DEBERTA_BLAS=off keeps the pure-Go kernels; DEBERTA_BLAS=/path/libX.so picks a library.
package cpukernels
