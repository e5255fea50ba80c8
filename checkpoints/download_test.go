package checkpoints_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deberta-go/lab/checkpoints"
	"github.com/deberta-go/lab/hub"
	"github.com/deberta-go/lab/internal/fakehub"
	"github.com/deberta-go/lab/internal/testutil"
)

// hubWeightsSHA is the sha256 (blob name) of tiny-v3/mlm's model.safetensors.
func hubWeightsSHA(t *testing.T) string {
	return fakehub.SHA256(hubFixtureFiles(t, "tiny-v3", "mlm")["model.safetensors"])
}

// hubCheckNotUsable asserts that a failed download left no usable trace: no blob, no snapshot entry, no ref.
func hubCheckNotUsable(t *testing.T, cache string) {
	t.Helper()
	repoDir := hubRepoCacheDir(cache, repoMLM)
	if _, err := os.Stat(filepath.Join(repoDir, "blobs", hubWeightsSHA(t))); err == nil {
		t.Error("a failed download became a blob")
	}
	snaps, _ := filepath.Glob(filepath.Join(repoDir, "snapshots", "*", "model.safetensors"))
	if len(snaps) > 0 {
		t.Errorf("a failed download has a snapshot entry: %v", snaps)
	}
	if _, err := os.Stat(filepath.Join(repoDir, "refs", "main")); err == nil {
		t.Error("refs/main written for a failed download")
	}
	h := hub.Options{CacheDir: cache, Offline: true}
	if _, err := checkpoints.ResolvePretrained(context.Background(), repoMLM, checkpoints.OpenOptions{}, h); err == nil {
		t.Error("the cache serves a model whose download failed")
	}
}

// TestDownloadInterruptedThenResumed: a body cut short is an error, leaves nothing usable, and the next
// attempt resumes it with a Range request and verifies the whole file.
func TestDownloadInterruptedThenResumed(t *testing.T) {
	testutil.HubEnv(t)
	th := newTestHub(t)
	cache := t.TempDir()
	th.AddFault(fakehub.Fault{File: "model.safetensors", TruncateAfter: 1000, Times: 1})
	_, _, err := checkpoints.OpenPretrained(repoMLM, checkpoints.OpenOptions{}, th.opts(cache))
	if err == nil || !errors.Is(err, hub.ErrNetwork) || !strings.Contains(err.Error(), "interrupted") ||
		!strings.Contains(err.Error(), "model.safetensors") || !strings.Contains(err.Error(), repoMLM+"@main") {
		t.Fatalf("err = %v, want an interrupted download of model.safetensors", err)
	}
	hubCheckNotUsable(t, cache)
	inc := filepath.Join(hubRepoCacheDir(cache, repoMLM), "blobs", hubWeightsSHA(t)+".incomplete")
	if st, err := os.Stat(inc); err != nil || st.Size() != 1000 {
		t.Fatalf("partial download: %v, %v; want 1000 bytes kept for resuming", st, err)
	}
	th.ResetRequests()
	m, _, err := checkpoints.OpenPretrained(repoMLM, checkpoints.OpenOptions{}, th.opts(cache))
	if err != nil {
		t.Fatal(err)
	}
	hubForward(t, m)
	ranged := th.Count(func(r fakehub.Request) bool { return r.File == "model.safetensors" && r.Range == "bytes=1000-" })
	if ranged != 1 || th.ContentGETs("model.safetensors") != 1 {
		t.Errorf("resume: %d Range requests, %d content GETs; want 1 and 1", ranged, th.ContentGETs("model.safetensors"))
	}
	if _, err := os.Stat(inc); err == nil {
		t.Error(".incomplete left after a successful download")
	}
}

// TestDownloadVerification: corrupt content (right size, wrong sha256) is refused and discarded; a resume
// that turns out corrupt restarts from scratch; a corrupt blob already in the cache is replaced.
func TestDownloadVerification(t *testing.T) {
	for _, c := range []struct {
		name       string
		faults     []fakehub.Fault
		wantErr    error
		contentGET int // content GETs of model.safetensors during the failing/first call
	}{
		{"corrupt", []fakehub.Fault{{File: "model.safetensors", Corrupt: true, Times: 1}}, hub.ErrCorrupt, 1},
		{"corrupt on every try", []fakehub.Fault{{File: "model.safetensors", Corrupt: true}}, hub.ErrCorrupt, 1},
		{"server error on the CDN", []fakehub.Fault{{Kind: "cdn", Status: 500, Times: 1}}, hub.ErrNetwork, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			testutil.HubEnv(t)
			th := newTestHub(t)
			cache := t.TempDir()
			for _, f := range c.faults {
				th.AddFault(f)
			}
			_, err := checkpoints.ResolvePretrained(context.Background(), repoMLM, checkpoints.OpenOptions{}, th.opts(cache))
			if !errors.Is(err, c.wantErr) || !strings.Contains(err.Error(), "model.safetensors") {
				t.Fatalf("err = %v, want %v", err, c.wantErr)
			}
			if c.wantErr == hub.ErrCorrupt && !strings.Contains(err.Error(), "sha256 mismatch") {
				t.Errorf("err = %v, want a sha256 mismatch", err)
			}
			if n := th.ContentGETs("model.safetensors"); n != c.contentGET {
				t.Errorf("%d content GETs, want %d", n, c.contentGET)
			}
			hubCheckNotUsable(t, cache)
			for _, b := range hubBlobs(t, cache, repoMLM) {
				if c.wantErr == hub.ErrCorrupt && strings.HasSuffix(b, ".incomplete") {
					t.Errorf("a corrupt download was kept: %s", b)
				}
			}
			th.ClearFaults()
			if _, err := checkpoints.ResolvePretrained(context.Background(), repoMLM, checkpoints.OpenOptions{}, th.opts(cache)); err != nil {
				t.Fatalf("after the fault: %v", err)
			}
		})
	}
}

// TestDownloadResumeCorruptRestarts: a resumed download whose result fails sha256 starts again from byte 0.
func TestDownloadResumeCorruptRestarts(t *testing.T) {
	testutil.HubEnv(t)
	th := newTestHub(t)
	cache := t.TempDir()
	th.AddFault(fakehub.Fault{File: "model.safetensors", TruncateAfter: 5000, Times: 1})
	if _, err := checkpoints.ResolvePretrained(context.Background(), repoMLM, checkpoints.OpenOptions{}, th.opts(cache)); err == nil {
		t.Fatal("truncated download: no error")
	}
	th.AddFault(fakehub.Fault{File: "model.safetensors", Corrupt: true, Times: 1}) // spoils the resumed part
	th.ResetRequests()
	snap, err := checkpoints.ResolvePretrained(context.Background(), repoMLM, checkpoints.OpenOptions{}, th.opts(cache))
	if err != nil {
		t.Fatal(err)
	}
	fresh := th.Count(func(r fakehub.Request) bool {
		return r.Kind == "cdn" && r.Method == "GET" && r.File == "model.safetensors" && r.Range == ""
	})
	if th.ContentGETs("model.safetensors") != 2 || fresh != 1 {
		t.Errorf("%d content GETs (%d without Range); want the resume then one fresh download", th.ContentGETs("model.safetensors"), fresh)
	}
	hubCheckWeights(t, snap)
}

// TestDownloadReplacesCorruptCachedBlob: a cached blob that no longer matches its sha256 is downloaded again.
func TestDownloadReplacesCorruptCachedBlob(t *testing.T) {
	testutil.HubEnv(t)
	th := newTestHub(t)
	cache := t.TempDir()
	if _, err := checkpoints.ResolvePretrained(context.Background(), repoMLM, checkpoints.OpenOptions{}, th.opts(cache)); err != nil {
		t.Fatal(err)
	}
	blob := filepath.Join(hubRepoCacheDir(cache, repoMLM), "blobs", hubWeightsSHA(t))
	b, err := os.ReadFile(blob)
	if err != nil {
		t.Fatal(err)
	}
	b[100] ^= 1
	if err := os.WriteFile(blob, b, 0o644); err != nil {
		t.Fatal(err)
	}
	th.ResetRequests()
	if _, _, err := checkpoints.OpenPretrained(repoMLM, checkpoints.OpenOptions{}, th.opts(cache)); err != nil {
		t.Fatal(err)
	}
	if n := th.ContentGETs("model.safetensors"); n != 1 {
		t.Errorf("%d content GETs of the corrupt blob, want 1", n)
	}
	if b, _ := os.ReadFile(blob); fakehub.SHA256(b) != hubWeightsSHA(t) {
		t.Error("the corrupt blob was not replaced")
	}
}

// TestDownloadProgress: the progress bar shows a percentage and each file's bar ends with a newline.
func TestDownloadProgress(t *testing.T) {
	testutil.HubEnv(t)
	th := newTestHub(t)
	var progress bytes.Buffer
	h := th.opts(t.TempDir())
	h.Progress = &progress
	snap, err := checkpoints.ResolvePretrained(context.Background(), repoMLM, checkpoints.OpenOptions{}, h)
	if err != nil {
		t.Fatal(err)
	}
	out := progress.String()
	if !strings.Contains(out, "%") || !strings.Contains(out, "100.0%") || !strings.HasSuffix(out, "\n") ||
		!strings.Contains(out, "model.safetensors") || !strings.Contains(out, "MB/s") {
		t.Errorf("progress output %q: want a percentage, MB/s, file names and a final newline", out)
	}
	if lines := strings.Count(out, "\n"); lines != len(snap.Downloaded) {
		t.Errorf("%d progress lines for %d downloaded files", lines, len(snap.Downloaded))
	}
	// Nothing is printed when nothing is downloaded.
	progress.Reset()
	if _, err := checkpoints.ResolvePretrained(context.Background(), repoMLM, checkpoints.OpenOptions{}, h); err != nil {
		t.Fatal(err)
	}
	if progress.Len() != 0 {
		t.Errorf("cached load printed %q", progress.String())
	}
}

// TestDownloadConcurrent: loads of one model racing on one cache all succeed, each blob fetched whole.
func TestDownloadConcurrent(t *testing.T) {
	testutil.HubEnv(t)
	th := newTestHub(t)
	cache := t.TempDir()
	const n = 4
	errs := make(chan error, n)
	for range n {
		go func() {
			_, err := checkpoints.ResolvePretrained(context.Background(), repoMLM, checkpoints.OpenOptions{}, th.opts(cache))
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if got := th.ContentGETs("model.safetensors"); got != 1 {
		t.Errorf("%d content GETs of the weights, want 1 (the others wait for the lock, then reuse the blob)", got)
	}
	snaps, _ := filepath.Glob(filepath.Join(hubRepoCacheDir(cache, repoMLM), "snapshots", "*", "*"))
	for _, s := range snaps {
		if _, err := os.Readlink(s); err != nil {
			t.Errorf("%s is not a symlink: %v", s, err)
		}
	}
	b, err := os.ReadFile(filepath.Join(hubRepoCacheDir(cache, repoMLM), "blobs", hubWeightsSHA(t)))
	if err != nil || fakehub.SHA256(b) != hubWeightsSHA(t) {
		t.Errorf("blob after concurrent loads: %v", err)
	}
}
