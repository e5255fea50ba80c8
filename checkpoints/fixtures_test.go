package checkpoints

import "github.com/deberta-go/lab/internal/testutil"

// fixtures is the repository's testdata/fixtures folder (see testdata/README.md for provenance).
var fixtures = testutil.Fixture()
