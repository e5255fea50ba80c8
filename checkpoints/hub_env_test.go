package checkpoints_test

import (
	"testing"

	"github.com/deberta-go/lab/checkpoints"
	"github.com/deberta-go/lab/hub"
	"github.com/deberta-go/lab/internal/testutil"
)

// TestOpenPretrainedLocalFolder: a folder loads directly, with no hub involved.
func TestOpenPretrainedLocalFolder(t *testing.T) {
	testutil.HubEnv(t)
	t.Setenv("HF_ENDPOINT", "http://127.0.0.1:1") // any request would fail
	m, report, err := checkpoints.OpenPretrained(testutil.Fixture("tiny-v3", "mlm"), checkpoints.OpenOptions{}, hub.Options{})
	if err != nil || m == nil || report.Loaded == 0 {
		t.Fatalf("local folder: %v", err)
	}
}
