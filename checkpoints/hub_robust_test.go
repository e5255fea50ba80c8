package checkpoints_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/deberta-go/lab/checkpoints"
	"github.com/deberta-go/lab/hub"
	"github.com/deberta-go/lab/internal/fakehub"
	"github.com/deberta-go/lab/internal/testutil"
)

func resolveMLM(t *testing.T, h hub.Options) (*checkpoints.Snapshot, error) {
	t.Helper()
	return checkpoints.ResolvePretrained(context.Background(), repoMLM, checkpoints.OpenOptions{}, h)
}

// TestHubRetries: 408/429/5xx answers are retried with back-off, a Retry-After is honoured, and a hub that
// keeps failing gives up after MaxRetries retries.
func TestHubRetries(t *testing.T) {
	testutil.HubEnv(t)
	th := newTestHub(t)
	h := withRetries(th.opts(t.TempDir()), 3)
	th.AddFault(fakehub.Fault{Kind: "resolve", File: "config.json", Status: 503, Times: 2})
	th.AddFault(fakehub.Fault{Kind: "cdn", Status: 408, Times: 1})
	th.AddFault(fakehub.Fault{Kind: "resolve", File: "spm.model", Status: 429, RetryAfter: "1", Times: 1})
	start := time.Now()
	if _, err := resolveMLM(t, h); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 900*time.Millisecond {
		t.Errorf("Retry-After: 1 not honoured: the load took %v", d)
	}
	if n := th.Count(func(r fakehub.Request) bool { return r.File == "config.json" && r.Method == "HEAD" }); n != 3 {
		t.Errorf("%d HEADs of config.json, want 3 (two 503 answers retried)", n)
	}
	th.AddFault(fakehub.Fault{Kind: "resolve", Status: 500})
	th.ResetRequests()
	_, err := resolveMLM(t, withRetries(th.opts(t.TempDir()), 2))
	if !errors.Is(err, hub.ErrNetwork) || len(th.Requests()) != 3 {
		t.Errorf("a hub that keeps failing: err %v after %d requests, want a network error after 3", err, len(th.Requests()))
	}
}

// TestHubResumesInCall: a download cut short twice is resumed with Range requests within the same call.
func TestHubResumesInCall(t *testing.T) {
	testutil.HubEnv(t)
	th := newTestHub(t)
	th.AddFault(fakehub.Fault{File: "model.safetensors", TruncateAfter: 1000, Times: 2})
	var progress bytes.Buffer
	h := withRetries(th.opts(t.TempDir()), 3)
	h.Progress = &progress
	snap, err := resolveMLM(t, h)
	if err != nil {
		t.Fatal(err)
	}
	ranged := th.Count(func(r fakehub.Request) bool { return r.File == "model.safetensors" && r.Range != "" })
	if ranged != 2 || !strings.Contains(progress.String(), "resuming (2/3)") {
		t.Errorf("%d Range requests, progress %q; want 2 resumes", ranged, progress.String())
	}
	hubCheckWeights(t, snap)
}

// TestHubRefusedServesCache: a 401 or 403 (a stale or revoked token) with the revision cached serves the
// cache with a warning; without a cache it stays an error.
func TestHubRefusedServesCache(t *testing.T) {
	testutil.HubEnv(t)
	th := newTestHub(t)
	cache := t.TempDir()
	h := th.opts(cache)
	h.Token = hubToken
	if _, _, err := checkpoints.OpenPretrained(repoGated, checkpoints.OpenOptions{}, h); err != nil {
		t.Fatal(err)
	}
	for _, token := range []string{"", "hf_revoked0123456789"} {
		h.Token = token
		var progress bytes.Buffer
		h.Progress = &progress
		snap, err := checkpoints.ResolvePretrained(context.Background(), repoGated, checkpoints.OpenOptions{}, h)
		if err != nil || !snap.FromCache || !strings.Contains(snap.Warning, "refused access") || progress.Len() == 0 {
			t.Errorf("token %q: %+v, %v; want the cache with a warning", token, snap, err)
		}
	}
	h.CacheDir = t.TempDir()
	if _, err := checkpoints.ResolvePretrained(context.Background(), repoGated, checkpoints.OpenOptions{}, h); !errors.Is(err, hub.ErrGated) {
		t.Errorf("no cache: err %v, want gated", err)
	}
}

// TestHubNoRehash: a blob verified once is not hashed again while it is unchanged (a change of its bytes
// that keeps size and time goes unseen: the check is skipped), and is hashed again once it changed.
func TestHubNoRehash(t *testing.T) {
	testutil.HubEnv(t)
	th := newTestHub(t)
	cache := t.TempDir()
	if _, err := resolveMLM(t, th.opts(cache)); err != nil {
		t.Fatal(err)
	}
	blob := filepath.Join(hubRepoCacheDir(cache, repoMLM), "blobs", hubWeightsSHA(t))
	st, err := os.Stat(blob)
	if err != nil {
		t.Fatal(err)
	}
	spoil := func(at int, touch bool) {
		b, _ := os.ReadFile(blob)
		b[at] ^= 0xff
		if err := os.WriteFile(blob, b, 0o644); err != nil {
			t.Fatal(err)
		}
		if !touch {
			if err := os.Chtimes(blob, st.ModTime(), st.ModTime()); err != nil {
				t.Fatal(err)
			}
		}
	}
	spoil(100, false)
	th.ResetRequests()
	if _, err := resolveMLM(t, th.opts(cache)); err != nil || th.ContentGETs("model.safetensors") != 0 {
		t.Errorf("unchanged blob: %v, %d downloads; want it trusted without hashing", err, th.ContentGETs("model.safetensors"))
	}
	spoil(200, true)
	if _, err := resolveMLM(t, th.opts(cache)); err != nil || th.ContentGETs("model.safetensors") != 1 {
		t.Errorf("changed blob: %v, %d downloads; want it hashed and downloaded again", err, th.ContentGETs("model.safetensors"))
	}
}

// TestHubRedirects: a renamed repository's relative redirect is followed on the hub, and a scheme-relative
// CDN location ("//host/…", which has a host) is a redirect to another host: not followed by the HEAD, and
// the token is not sent there.
func TestHubRedirects(t *testing.T) {
	testutil.HubEnv(t)
	th := newTestHub(t)
	th.Rename("tiny/old-name", repoMLM)
	th.SchemeRelativeCDN = true
	h := th.opts(t.TempDir())
	h.Token = hubToken
	snap, err := checkpoints.ResolvePretrained(context.Background(), "tiny/old-name", checkpoints.OpenOptions{}, h)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(snap.Dir, "model.safetensors")); err != nil {
		t.Fatal(err)
	}
	for _, r := range th.Requests() {
		if r.Kind == "cdn" && r.Authorization != "" {
			t.Errorf("the token went to the CDN: %+v", r)
		}
	}
	if th.Count(func(r fakehub.Request) bool { return r.Kind == "resolve" && r.Repo == repoMLM }) == 0 {
		t.Error("the renamed repository's redirect was not followed")
	}
}

// withRetries is h with n retries after 1 ms, 2 ms, ….
func withRetries(h hub.Options, n int) hub.Options {
	h.MaxRetries, h.RetryWait = n, time.Millisecond
	return h
}
