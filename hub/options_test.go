package hub_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deberta-go/lab/hub"
	"github.com/deberta-go/lab/internal/testutil"
)

// TestHubOptionsFromEnvCacheDir: HF_HUB_CACHE > HF_HOME/hub > XDG_CACHE_HOME/huggingface/hub > ~/.cache/…
func TestHubOptionsFromEnvCacheDir(t *testing.T) {
	home, err := os.UserHomeDir()
	if err != nil {
		t.Skip("no home folder:", err)
	}
	for _, c := range []struct {
		name                          string
		hubCache, legacy, hfHome, xdg string
		want                          string
	}{
		{"all set", "/a/hub-cache", "/legacy", "/b/hf-home", "/c/xdg", "/a/hub-cache"},
		{"legacy HUGGINGFACE_HUB_CACHE", "", "/legacy", "/b/hf-home", "/c/xdg", "/legacy"},
		{"HF_HOME", "", "", "/b/hf-home", "/c/xdg", "/b/hf-home/hub"},
		{"XDG_CACHE_HOME", "", "", "", "/c/xdg", "/c/xdg/huggingface/hub"},
		{"default", "", "", "", "", filepath.Join(home, ".cache", "huggingface", "hub")},
		{"tilde", "~/my-cache", "", "", "", filepath.Join(home, "my-cache")},
	} {
		t.Run(c.name, func(t *testing.T) {
			testutil.HubEnv(t)
			t.Setenv("HF_HUB_CACHE", c.hubCache)
			t.Setenv("HUGGINGFACE_HUB_CACHE", c.legacy)
			t.Setenv("HF_HOME", c.hfHome)
			t.Setenv("XDG_CACHE_HOME", c.xdg)
			if got := hub.OptionsFromEnv().CacheDir; got != filepath.FromSlash(c.want) {
				t.Errorf("CacheDir = %q, want %q", got, c.want)
			}
		})
	}
}

// TestHubOptionsFromEnv: endpoint, offline flag and token precedence.
func TestHubOptionsFromEnv(t *testing.T) {
	testutil.HubEnv(t)
	h := hub.OptionsFromEnv()
	if h.Endpoint != hub.DefaultEndpoint || h.Token != "" || h.Offline {
		t.Errorf("defaults: %v", h)
	}
	t.Setenv("HF_ENDPOINT", "http://mirror.example/")
	if got := hub.OptionsFromEnv().Endpoint; got != "http://mirror.example" {
		t.Errorf("Endpoint = %q", got)
	}
	for v, want := range map[string]bool{"1": true, "true": true, "YES": true, "on": true, "0": false, "false": false, "": false, "no": false} {
		t.Setenv("HF_HUB_OFFLINE", v)
		if got := hub.OptionsFromEnv().Offline; got != want {
			t.Errorf("HF_HUB_OFFLINE=%q: Offline = %t", v, got)
		}
	}
	home := os.Getenv("HF_HOME")
	if err := os.MkdirAll(home, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, "token"), []byte(" hf_file \n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ hfToken, legacy, want string }{
		{"hf_env", "hf_legacy", "hf_env"},
		{"", "hf_legacy", "hf_legacy"},
		{"", "", "hf_file"},
	} {
		t.Setenv("HF_TOKEN", c.hfToken)
		t.Setenv("HUGGING_FACE_HUB_TOKEN", c.legacy)
		if got := hub.OptionsFromEnv().Token; got != c.want {
			t.Errorf("HF_TOKEN=%q HUGGING_FACE_HUB_TOKEN=%q: token %q, want %q", c.hfToken, c.legacy, got, c.want)
		}
	}
}

// TestParseModelRef: local folders, hub names with and without revision, and invalid references.
func TestParseModelRef(t *testing.T) {
	local := testutil.Fixture("tiny-v3", "mlm")
	sha := strings.Repeat("0123456789", 4)
	for _, c := range []struct {
		ref                 string
		dir, repo, revision string
		bad                 bool
	}{
		{ref: local, dir: local},
		{ref: "microsoft/deberta-v3-base", repo: "microsoft/deberta-v3-base"},
		{ref: "microsoft/deberta-v3-base@v1.0", repo: "microsoft/deberta-v3-base", revision: "v1.0"},
		{ref: "microsoft/deberta-v3-base@" + sha, repo: "microsoft/deberta-v3-base", revision: sha},
		{ref: "owner/name@refs/pr/1", repo: "owner/name", revision: "refs/pr/1"},
		{ref: "", bad: true},
		{ref: "deberta-v3-base", bad: true},
		{ref: "a/b/c", bad: true},
		{ref: "owner/-name", bad: true},
		{ref: "owner/na--me", bad: true},
		{ref: "owner/name@", bad: true},
		{ref: "owner/name@../../x", bad: true},
		{ref: "./no/such/folder", bad: true},
		{ref: "/no/such/folder", bad: true},
		{ref: filepath.Join(local, "config.json"), bad: true},
	} {
		r, err := hub.ParseModelRef(c.ref)
		if c.bad {
			if err == nil {
				t.Errorf("%q: no error, got %+v", c.ref, r)
			}
			continue
		}
		if err != nil || r.Dir != c.dir || r.Repo != c.repo || r.Revision != c.revision {
			t.Errorf("%q: got %+v, %v", c.ref, r, err)
		}
	}
}

// TestHubOptionsHideToken: printing the options never shows the token.
func TestHubOptionsHideToken(t *testing.T) {
	h := hub.Options{Endpoint: "http://x", Token: testToken, CacheDir: "/c"}
	for _, s := range []string{fmt.Sprint(h), fmt.Sprintf("%v %+v %#v %s", h, h, h, h), fmt.Sprintf("%v", &h)} {
		if strings.Contains(s, testToken) || !strings.Contains(s, "hidden") {
			t.Errorf("printed options %q show the token or do not say it is set", s)
		}
	}
}

const testToken = "hf_fAkEtOkEn0123456789secret"
