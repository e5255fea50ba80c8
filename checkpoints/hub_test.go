package checkpoints_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/deberta-go/lab/checkpoints"
	"github.com/deberta-go/lab/hub"
	"github.com/deberta-go/lab/internal/fakehub"
	"github.com/deberta-go/lab/internal/testutil"
)

// TestOpenPretrainedDownloadsByName: a model named owner/name is downloaded into the cache and loads.
func TestOpenPretrainedDownloadsByName(t *testing.T) {
	testutil.HubEnv(t)
	th := newTestHub(t)
	for _, c := range []struct {
		repo      string
		generator bool
		want      []string // files the snapshot must hold
		notWanted []string // files that must not be fetched
	}{
		{repoMLM, false, []string{"config.json", "model.safetensors", "spm.model", "tokenizer_config.json"},
			[]string{"pytorch_model.bin", "README.md"}},
		{repoOfficial, false, []string{"config.json", "model.safetensors"},
			[]string{"pytorch_model.bin", "generator_config.json", "pytorch_model.generator.bin"}},
		{repoOfficial, true, []string{"generator_config.json", "pytorch_model.generator.bin"},
			[]string{"config.json", "model.safetensors", "pytorch_model.bin"}},
		{repoSharded, false, []string{"config.json", "model.safetensors.index.json",
			"model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"}, nil},
	} {
		cache := t.TempDir()
		o := checkpoints.OpenOptions{Generator: c.generator}
		m, report, err := checkpoints.OpenPretrained(c.repo, o, th.opts(cache))
		if err != nil {
			t.Fatalf("%s (generator %t): %v", c.repo, c.generator, err)
		}
		if report.Loaded == 0 || len(report.Unknown) > 0 {
			t.Errorf("%s: report %+v", c.repo, report)
		}
		if !strings.HasPrefix(report.ConfigPath, filepath.Join(hubRepoCacheDir(cache, c.repo), "snapshots")+string(filepath.Separator)) {
			t.Errorf("%s: config read from %s, not from the cache's snapshot", c.repo, report.ConfigPath)
		}
		hubForward(t, m)
		snap, err := checkpoints.ResolvePretrained(context.Background(), c.repo, o, th.opts(cache))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range c.want {
			if !slices.Contains(snap.Files, f) {
				t.Errorf("%s: snapshot files %v lack %s", c.repo, snap.Files, f)
			}
			if _, err := os.Stat(filepath.Join(snap.Dir, f)); err != nil {
				t.Errorf("%s: %v", c.repo, err)
			}
		}
		for _, f := range c.notWanted {
			if _, err := os.Lstat(filepath.Join(snap.Dir, f)); err == nil {
				t.Errorf("%s: %s was fetched but the load does not need it", c.repo, f)
			}
		}
	}
}

// TestHubCacheLayoutMatchesPython: blobs named by ETag, snapshot entries as relative symlinks to them,
// refs/main holding the commit, nothing left .incomplete.
func TestHubCacheLayoutMatchesPython(t *testing.T) {
	testutil.HubEnv(t)
	th := newTestHub(t)
	cache := t.TempDir()
	snap, err := checkpoints.ResolvePretrained(context.Background(), repoMLM, checkpoints.OpenOptions{}, th.opts(cache))
	if err != nil {
		t.Fatal(err)
	}
	files := hubFixtureFiles(t, "tiny-v3", "mlm")
	files["spm.model"] = []byte(hubSPMContent)
	files["tokenizer_config.json"] = []byte(hubTokCfg)
	repoDir := hubRepoCacheDir(cache, repoMLM)
	if snap.Dir != filepath.Join(repoDir, "snapshots", snap.Commit) {
		t.Errorf("snapshot dir %s", snap.Dir)
	}
	ref, err := os.ReadFile(filepath.Join(repoDir, "refs", "main"))
	if err != nil || string(ref) != snap.Commit {
		t.Errorf("refs/main = %q (%v), want %q without newline", ref, err, snap.Commit)
	}
	for _, c := range []struct {
		file string
		etag string
	}{
		{"config.json", fakehub.GitBlobSHA1(files["config.json"])},
		{"tokenizer_config.json", fakehub.GitBlobSHA1(files["tokenizer_config.json"])},
		{"model.safetensors", fakehub.SHA256(files["model.safetensors"])},
		{"spm.model", fakehub.SHA256(files["spm.model"])},
	} {
		target, err := os.Readlink(filepath.Join(snap.Dir, c.file))
		if err != nil {
			t.Errorf("%s: not a symlink: %v", c.file, err)
			continue
		}
		if want := filepath.Join("..", "..", "blobs", c.etag); target != want {
			t.Errorf("%s -> %s, want %s", c.file, target, want)
		}
		b, err := os.ReadFile(filepath.Join(repoDir, "blobs", c.etag))
		if err != nil || !bytes.Equal(b, files[c.file]) {
			t.Errorf("blob of %s: wrong content (%v)", c.file, err)
		}
	}
	for _, b := range hubBlobs(t, cache, repoMLM) {
		if strings.HasSuffix(b, ".incomplete") {
			t.Errorf("left over: blobs/%s", b)
		}
	}
	if len(hubBlobs(t, cache, repoMLM)) != 4 {
		t.Errorf("blobs %v, want 4", hubBlobs(t, cache, repoMLM))
	}
}

// TestHubSecondLoadReusesCache: a second load asks the hub only for metadata, never for a weight file.
func TestHubSecondLoadReusesCache(t *testing.T) {
	testutil.HubEnv(t)
	th := newTestHub(t)
	cache := t.TempDir()
	for _, repo := range []string{repoMLM, repoSharded} {
		if _, err := checkpoints.ResolvePretrained(context.Background(), repo, checkpoints.OpenOptions{}, th.opts(cache)); err != nil {
			t.Fatal(err)
		}
		if th.ContentGETs("") == 0 {
			t.Fatalf("%s: the first load downloaded nothing", repo)
		}
		th.ResetRequests()
		snap, err := checkpoints.ResolvePretrained(context.Background(), repo, checkpoints.OpenOptions{}, th.opts(cache))
		if err != nil {
			t.Fatal(err)
		}
		weightGETs := th.Count(func(r fakehub.Request) bool { return r.Method == "GET" && hubIsWeightFile(r.File) })
		if weightGETs != 0 || th.ContentGETs("") != 0 || len(snap.Downloaded) != 0 {
			t.Errorf("%s: second load: %d GETs of weight files, %d content GETs, downloaded %v; want none",
				repo, weightGETs, th.ContentGETs(""), snap.Downloaded)
		}
		th.ResetRequests()
	}
}

// TestHubOfflineServesFromCache: offline mode, HF_HUB_OFFLINE and a hub that went away all serve the cached
// snapshot without a request.
func TestHubOfflineServesFromCache(t *testing.T) {
	for _, c := range []struct {
		name       string
		setup      func(t *testing.T, th *testHub, h *hub.Options)
		wantWarned bool
	}{
		{"HubOptions.Offline", func(t *testing.T, th *testHub, h *hub.Options) { h.Offline = true }, false},
		{"HF_HUB_OFFLINE=1", func(t *testing.T, th *testHub, h *hub.Options) { t.Setenv("HF_HUB_OFFLINE", "1") }, false},
		{"HF_HUB_OFFLINE=yes", func(t *testing.T, th *testHub, h *hub.Options) { t.Setenv("HF_HUB_OFFLINE", "yes") }, false},
		{"TRANSFORMERS_OFFLINE=1", func(t *testing.T, th *testHub, h *hub.Options) { t.Setenv("TRANSFORMERS_OFFLINE", "1") }, false},
		{"server shut down", func(t *testing.T, th *testHub, h *hub.Options) { th.Close() }, true},
		{"server errors", func(t *testing.T, th *testHub, h *hub.Options) {
			th.AddFault(fakehub.Fault{Status: 503})
		}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			testutil.HubEnv(t)
			th := newTestHub(t)
			cache := t.TempDir()
			first, err := checkpoints.ResolvePretrained(context.Background(), repoMLM, checkpoints.OpenOptions{}, th.opts(cache))
			if err != nil {
				t.Fatal(err)
			}
			th.ResetRequests()
			var progress bytes.Buffer
			h := th.opts(cache)
			h.Progress = &progress
			c.setup(t, th, &h)
			snap, err := checkpoints.ResolvePretrained(context.Background(), repoMLM, checkpoints.OpenOptions{}, h)
			if err != nil {
				t.Fatal(err)
			}
			if !snap.FromCache || snap.Dir != first.Dir || snap.Commit != first.Commit {
				t.Errorf("got %+v, want the cached snapshot %s", snap, first.Dir)
			}
			if (snap.Warning != "") != c.wantWarned || (progress.Len() > 0) != c.wantWarned {
				t.Errorf("warning %q, progress %q (want a warning: %t)", snap.Warning, progress.String(), c.wantWarned)
			}
			if !c.wantWarned && len(th.Requests()) != 0 {
				t.Errorf("offline mode made %d requests: %+v", len(th.Requests()), th.Requests())
			}
			if !slices.Contains(snap.Files, "spm.model") {
				t.Errorf("cached snapshot files %v lack spm.model", snap.Files)
			}
			m, _, err := checkpoints.OpenPretrained(repoMLM, checkpoints.OpenOptions{}, h)
			if err != nil || m == nil {
				t.Fatalf("OpenPretrained from the cache: %v", err)
			}
		})
	}
}

// TestHubOfflineEmptyCache: offline with nothing cached is a clear error and makes no request.
func TestHubOfflineEmptyCache(t *testing.T) {
	testutil.HubEnv(t)
	th := newTestHub(t)
	cache := t.TempDir()
	h := th.opts(cache)
	h.Offline = true
	for _, ref := range []string{repoMLM, repoMLM + "@v1", repoMLM + "@" + strings.Repeat("ab", 20)} {
		_, _, err := checkpoints.OpenPretrained(ref, checkpoints.OpenOptions{}, h)
		if err == nil || !strings.Contains(err.Error(), "offline") || !strings.Contains(err.Error(), ref) ||
			!errors.Is(err, hub.ErrOffline) {
			t.Errorf("%s: err = %v, want an offline error naming the reference", ref, err)
		}
	}
	// A snapshot lacking the weights (e.g. a partial copy) names what is missing.
	if _, err := checkpoints.ResolvePretrained(context.Background(), repoMLM, checkpoints.OpenOptions{}, th.opts(cache)); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(hubRepoCacheDir(cache, repoMLM), "blobs", fakehub.SHA256(hubFixtureFiles(t, "tiny-v3", "mlm")["model.safetensors"]))); err != nil {
		t.Fatal(err)
	}
	th.ResetRequests()
	_, err := checkpoints.ResolvePretrained(context.Background(), repoMLM, checkpoints.OpenOptions{}, h)
	if err == nil || !strings.Contains(err.Error(), "weight file") {
		t.Errorf("err = %v, want a missing weight file", err)
	}
	if n := len(th.Requests()); n != 0 {
		t.Errorf("offline mode made %d requests", n)
	}
}

// TestHubRevisions: a tag, a branch and a commit give the matching config; refs record branches and tags.
func TestHubRevisions(t *testing.T) {
	testutil.HubEnv(t)
	th := newTestHub(t)
	cache := t.TempDir()
	for _, c := range []struct {
		ref, revision string
		dropout       float64
		commit        string
	}{
		{repoPinned, "", 0.25, th.pinnedMain},
		{repoPinned + "@main", "", 0.25, th.pinnedMain},
		{repoPinned + "@v1", "", 0.1, th.pinnedV1},
		{repoPinned, "v1", 0.1, th.pinnedV1},
		{repoPinned + "@" + th.pinnedV1, "", 0.1, th.pinnedV1},
		{repoPinned + "@" + th.pinnedMain, "", 0.25, th.pinnedMain},
	} {
		h := th.opts(cache)
		h.Revision = c.revision
		m, report, err := checkpoints.OpenPretrained(c.ref, checkpoints.OpenOptions{}, h)
		if err != nil {
			t.Fatalf("%s (Revision %q): %v", c.ref, c.revision, err)
		}
		if m.Config.HiddenDropoutProb != c.dropout || !strings.Contains(report.ConfigPath, c.commit) {
			t.Errorf("%s (Revision %q): dropout %g from %s, want %g from commit %s", c.ref, c.revision,
				m.Config.HiddenDropoutProb, report.ConfigPath, c.dropout, c.commit)
		}
	}
	refs := filepath.Join(hubRepoCacheDir(cache, repoPinned), "refs")
	for ref, want := range map[string]string{"main": th.pinnedMain, "v1": th.pinnedV1} {
		if b, err := os.ReadFile(filepath.Join(refs, ref)); err != nil || string(b) != want {
			t.Errorf("refs/%s = %q (%v), want %s", ref, b, err, want)
		}
	}
	if ents, _ := os.ReadDir(refs); len(ents) != 2 {
		t.Errorf("refs holds %d entries, want main and v1 only (no ref for a commit)", len(ents))
	}
	// A pinned commit already in the cache needs no request at all.
	th.ResetRequests()
	if _, err := checkpoints.ResolvePretrained(context.Background(), repoPinned+"@"+th.pinnedV1, checkpoints.OpenOptions{}, th.opts(cache)); err != nil {
		t.Fatal(err)
	}
	if n := len(th.Requests()); n != 0 {
		t.Errorf("a cached pinned commit made %d requests", n)
	}
	// Two different revisions are refused.
	h := th.opts(cache)
	h.Revision = "main"
	if _, err := checkpoints.ResolvePretrained(context.Background(), repoPinned+"@v1", checkpoints.OpenOptions{}, h); err == nil {
		t.Error("ref@v1 with HubOptions.Revision main: no error")
	}
}
