package checkpoints

import (
	"os"
	"testing"

	"github.com/deberta-go/lab/internal/testutil"
)

// TestMain fails the package's tests when a DotGeneral of any graph they ran missed BLAS.
func TestMain(m *testing.M) { os.Exit(testutil.MainCheckingDotGenerals(m)) }
