package testutil

import (
	"sync"
	"testing"

	"github.com/gomlx/gomlx/backends"
	_ "github.com/gomlx/gomlx/backends/simplego" // the pure-Go backend
)

var (
	backendOnce sync.Once
	backend     backends.Backend
	backendErr  error
)

// Backend returns one pure-Go GoMLX backend shared by a test binary, in the project's deadlock-free
// configuration (see debertav3.DefaultBackendConfig), for tests of packages below debertav3.
func Backend(t testing.TB) backends.Backend {
	t.Helper()
	backendOnce.Do(func() { backend, backendErr = backends.NewWithConfig("go:parallelism=-1,ops_sequential") })
	if backendErr != nil {
		t.Fatal(backendErr)
	}
	return backend
}
