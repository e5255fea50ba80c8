package cpukernels

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/deberta-go/lab/internal/cblas"
	gi "github.com/deberta-go/lab/internal/gomlxinternals"
	"github.com/gomlx/gomlx/backends"
)

// EnvBLAS selects the BLAS library: unset or empty searches cblas.DefaultNames, "off" disables BLAS, anything
// else is the path (or dynamic-loader name) of a library exporting cblas_sgemm.
const EnvBLAS = "DEBERTA_BLAS"

// EnvBLASThreads set to N > 0 lets OpenBLAS run each GEMM on N threads of its own instead of the default:
// single-threaded BLAS calls split over GOMAXPROCS goroutines (faster on 2 cores, see docs/PERFORMANCE.md).
const EnvBLASThreads = "DEBERTA_BLAS_THREADS"

// EnvKernels set to "off" keeps simplego's own element-wise, reduction and data-movement executors (with
// DEBERTA_BLAS=off too, the pure-Go backend runs exactly as GoMLX ships it).
const EnvKernels = "DEBERTA_CPU_KERNELS"

// Status says what Install did.
type Status struct {
	Backend string `json:"backend"`           // "go" when the pure-Go backend is in use
	BLAS    string `json:"blas"`              // the loaded library, "off", or "" when none is in use
	Kernels bool   `json:"kernels"`           // the fast element-wise kernels are in use
	Warning string `json:"warning,omitempty"` // why something wanted is not in use
}

var (
	installMu    sync.Mutex
	installed    *Status
	installedDot *blasDotGeneral // the DotGeneral executor in place, for tests
)

// Warnings go here (one line, once per process); tests may redirect it.
var warningOutput io.Writer = os.Stderr

// Install puts this package's executors into the pure-Go backend (see the package documentation, EnvBLAS and
// EnvKernels); for any other backend it does nothing. Problems that leave simplego's executors in place (no
// library found, a library without cblas_sgemm, GoMLX internals that changed) are reported once on stderr and in
// Status.Warning. The error is for a bad EnvBLAS (a path that does not exist), to be reported before any work
// starts. The first call decides for the process; later calls return the same Status.
func Install(backend backends.Backend) (Status, error) {
	if !gi.IsSimpleGo(backend) {
		return Status{Backend: backend.Name()}, nil
	}
	installMu.Lock()
	defer installMu.Unlock()
	if installed != nil {
		return *installed, nil
	}
	st := Status{Backend: "go", Kernels: os.Getenv(EnvKernels) != "off"}
	lib, err := loadBLAS(&st)
	if err != nil {
		return st, err
	}
	var dot *blasDotGeneral
	if lib != nil {
		dot = &blasDotGeneral{lib: lib, original: gi.OriginalExecutor(backends.OpTypeDotGeneral)}
		if dot.blasThreads, err = blasThreads(); err != nil {
			return st, err
		}
		// Either BLAS threads or our goroutines (gemm.go) parallelise a GEMM, never both: no oversubscription.
		lib.SetThreads(max(1, dot.blasThreads))
	}
	if _, err := gi.ReplaceExecutors(executorTable(dot, st.Kernels)); err != nil {
		st.Warning, st.BLAS, st.Kernels, dot = err.Error(), "", false, nil
	}
	installedDot = dot
	if st.Warning != "" {
		fmt.Fprintf(warningOutput, "deberta: warning: %s; the pure-Go backend runs without its fast CPU kernels\n", st.Warning)
	}
	installed = &st
	return st, nil
}

// loadBLAS opens the library EnvBLAS asks for; it returns nil (and sets st.Warning when BLAS was wanted) when
// none is to be used.
func loadBLAS(st *Status) (*cblas.Library, error) {
	switch path := os.Getenv(EnvBLAS); path {
	case "off":
		st.BLAS = "off"
		return nil, nil
	case "":
		lib, err := cblas.OpenDefault()
		if err != nil {
			st.Warning = "no BLAS library found (install Debian's libopenblas0-pthread, or set " + EnvBLAS + "): " + oneLine(err)
			return nil, nil
		}
		st.BLAS = lib.Path
		return lib, nil
	default:
		if _, statErr := os.Stat(path); statErr != nil && strings.ContainsRune(path, '/') {
			return nil, fmt.Errorf("%s=%s: %w", EnvBLAS, path, statErr)
		}
		lib, err := cblas.Open(path)
		if err != nil {
			st.Warning = fmt.Sprintf("%s=%s unusable: %v", EnvBLAS, path, err)
			return nil, nil
		}
		st.BLAS = lib.Path
		return lib, nil
	}
}

// executorTable is what install puts in simplego's executor table: the BLAS DotGeneral when a library is
// loaded, and the fast element-wise kernels when kernels is true.
func executorTable(dot *blasDotGeneral, kernels bool) map[backends.OpType]gi.Executor {
	table := map[backends.OpType]gi.Executor{}
	if dot != nil {
		table[backends.OpTypeDotGeneral] = dot.execute
	}
	if !kernels {
		return table
	}
	for op, code := range binaryOps {
		table[op] = binaryExecutor(code, gi.OriginalExecutor(op))
	}
	for op, run := range unaryKernels {
		table[op] = unaryExecutor(run, gi.OriginalExecutor(op))
	}
	for _, op := range []backends.OpType{backends.OpTypeReduceSum, backends.OpTypeReduceMax} {
		table[op] = reduceExecutor(op, gi.OriginalExecutor(op))
	}
	for _, op := range comparisonOps {
		table[op] = comparisonExecutor(op, gi.OriginalExecutor(op))
	}
	table[backends.OpTypeConvertDType] = convertExecutor(gi.OriginalExecutor(backends.OpTypeConvertDType))
	table[backends.OpTypeWhere] = whereExecutor(gi.OriginalExecutor(backends.OpTypeWhere))
	table[backends.OpTypeGather] = gatherExecutor(gi.OriginalExecutor(backends.OpTypeGather))
	table[backends.OpTypeScatterSum] = scatterSumExecutor(gi.OriginalExecutor(backends.OpTypeScatterSum))
	table[backends.OpTypeTranspose] = transposeExecutor(gi.OriginalExecutor(backends.OpTypeTranspose))
	table[backends.OpTypeBroadcastInDim] = broadcastInDimExecutor(gi.OriginalExecutor(backends.OpTypeBroadcastInDim))
	return table
}

// blasThreads reads EnvBLASThreads: 0 when unset.
func blasThreads() (int, error) {
	v := os.Getenv(EnvBLASThreads)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%s=%q: want a number of threads >= 1", EnvBLASThreads, v)
	}
	return n, nil
}

func oneLine(err error) string {
	return strings.ReplaceAll(err.Error(), "\n", "; ")
}
