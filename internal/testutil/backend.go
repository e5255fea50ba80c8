package testutil

import (
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/deberta-go/lab/cpukernels"
	"github.com/gomlx/gomlx/backends"
	_ "github.com/gomlx/gomlx/backends/default" // the pure-Go backend and, unless built with -tags noxla, XLA
)

// DefaultBackendConfig mirrors debertav3.DefaultBackendConfig (which packages below debertav3 cannot import;
// TestDefaultBackendConfigInSync in debertav3 keeps them equal).
const DefaultBackendConfig = "go:parallelism=-1,ops_sequential"

var (
	backendOnce sync.Once
	backend     backends.Backend
	backendErr  error
)

// Backend returns one GoMLX backend shared by a test binary: $GOMLX_BACKEND when set (e.g. xla:cuda to run the
// tests on a GPU), else the project default, the pure-Go backend with BLAS matmuls (package cpukernels;
// DEBERTA_BLAS=off for the pure-Go kernels).
func Backend(t testing.TB) backends.Backend {
	t.Helper()
	backendOnce.Do(func() {
		config := os.Getenv(backends.ConfigEnvVar)
		if config == "" {
			config = DefaultBackendConfig
		}
		backend, backendErr = backends.NewWithConfig(config)
		if backendErr == nil {
			_, backendErr = cpukernels.Install(backend)
		}
	})
	if backendErr != nil {
		t.Fatal(backendErr)
	}
	return backend
}

// MainCheckingDotGenerals runs a package's tests (call it from TestMain), then fails the test binary when any
// DotGeneral its graphs executed was left to the pure-Go executor instead of BLAS (package cpukernels): every
// layout of the model's forward and backward graphs must reach BLAS.
func MainCheckingDotGenerals(m *testing.M) int {
	code := m.Run()
	c := cpukernels.ReadCounters()
	if c.DotFallback > 0 {
		fmt.Fprintf(os.Stderr, "FAIL: %d DotGenerals fell back to the pure-Go executor (%d ran on BLAS in place, %d packed)\n",
			c.DotFallback, c.BLASInPlace, c.BLASPacked)
		return 1
	}
	return code
}
