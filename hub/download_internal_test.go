package hub

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/deberta-go/lab/internal/fakehub"
)

// TestDownloadStallTimesOut: a transfer that stops sending is abandoned after stallTimeout, kept for a
// resume, and reported as a network failure.
func TestDownloadStallTimesOut(t *testing.T) {
	old := stallTimeout
	stallTimeout = 300 * time.Millisecond
	t.Cleanup(func() { stallTimeout = old })
	for _, v := range []string{"HF_HUB_OFFLINE", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_TOKEN_PATH"} {
		t.Setenv(v, "")
	}
	t.Setenv("HF_HOME", t.TempDir())
	hub := fakehub.New()
	t.Cleanup(hub.Close)
	hub.Repo("o/n").Commit(map[string][]byte{"config.json": []byte("{}"), "model.safetensors": make([]byte, 50000)}, "main")
	hub.AddFault(fakehub.Fault{File: "model.safetensors", TruncateAfter: 100, Stall: true, Times: 1})
	h := Options{Endpoint: hub.URL, CacheDir: t.TempDir(), MaxRetries: -1}
	start := time.Now()
	fetch := func() error {
		r, err := NewRepo("o/n", "", h)
		if err != nil {
			return err
		}
		_, err = r.Fetch(context.Background(), "model.safetensors")
		return err
	}
	err := fetch()
	if err == nil || !errors.Is(err, ErrNetwork) || !strings.Contains(err.Error(), "no data received") {
		t.Fatalf("err = %v, want a stalled download", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("gave up after %v", d)
	}
	if err := fetch(); err != nil {
		t.Fatalf("the next try: %v", err)
	}
}
