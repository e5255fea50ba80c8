package debertav3

import (
	"fmt"
	"os"
	"sync"

	"github.com/deberta-go/lab/cpukernels"
	"github.com/gomlx/gomlx/backends"
	_ "github.com/gomlx/gomlx/backends/default" // Registers the pure-Go backend and, unless built with -tags noxla, XLA.
)

// DefaultBackendConfig is the GoMLX backend used when $GOMLX_BACKEND is not set: the pure-Go backend running
// one op at a time, each op (matmuls above all) split over unlimited workers. Two measured problems of the
// pure-Go backend in GoMLX v0.26 decide this: the plain "go" configuration can deadlock on 2-core machines (every
// worker parked waiting for a slot while several matmuls are runnable; "parallelism=-1" never waits for a slot),
// and executing independent ops concurrently has data races (go test -race reports them in the executor), which
// "ops_sequential" avoids. It is also no slower on 2 cores (docs/PERFORMANCE.md).
//
// Set GOMLX_BACKEND=xla:cpu (or xla:cuda on a GPU machine) to use XLA/PJRT instead; see README.md.
const DefaultBackendConfig = "go:parallelism=-1,ops_sequential"

var (
	backendOnce sync.Once
	backend     backends.Backend
	backendErr  error
)

// Backend returns the process-wide GoMLX backend: $GOMLX_BACKEND when set, else DefaultBackendConfig. On the
// pure-Go backend it installs package cpukernels (matmuls on the machine's BLAS; see $DEBERTA_BLAS).
// Tensors cannot cross backend instances, so every model of a process shares this one.
func Backend() (backends.Backend, error) {
	backendOnce.Do(func() {
		config := os.Getenv(backends.ConfigEnvVar)
		if config == "" {
			config = DefaultBackendConfig
		}
		backend, backendErr = newQuietBackend(config)
		if backendErr != nil {
			backendErr = fmt.Errorf("creating GoMLX backend %q (from $%s or the default): %w", config, backends.ConfigEnvVar, backendErr)
			return
		}
		if _, err := cpukernels.Install(backend); err != nil {
			backend, backendErr = nil, err
		}
	})
	return backend, backendErr
}

// newQuietBackend creates a backend, discarding what its constructor prints on stdout (the pure-Go backend
// announces its parallelism setting there, which would corrupt the JSON output of our CLI). GoMLX panics on
// some bad configurations (e.g. an unknown backend name): that becomes an error.
func newQuietBackend(config string) (b backends.Backend, err error) {
	defer func() {
		if r := recover(); r != nil {
			b, err = nil, fmt.Errorf("%v", r)
		}
	}()
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return backends.NewWithConfig(config)
	}
	defer devNull.Close()
	stdout := os.Stdout
	os.Stdout = devNull
	defer func() { os.Stdout = stdout }()
	return backends.NewWithConfig(config)
}
