package checkpoints_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deberta-go/lab/checkpoints"
	"github.com/deberta-go/lab/hub"
	"github.com/deberta-go/lab/internal/fakehub"
	"github.com/deberta-go/lab/internal/testutil"
)

// TestHubErrorMessages: each failure says what happened and what to do, names the repository and revision,
// carries its sentinel, and never shows the token.
func TestHubErrorMessages(t *testing.T) {
	testutil.HubEnv(t)
	th := newTestHub(t)
	down := fakehub.New()
	down.Close()
	for _, c := range []struct {
		name, ref, token, endpoint string
		generator                  bool
		kind                       error
		want                       string
	}{
		{"private, no token", repoPrivate, "", "", false, hub.ErrAuth, "authentication required: set HF_TOKEN"},
		{"private, wrong token", repoPrivate, "hf_wrong" + hubToken, "", false, hub.ErrAuth, "authentication required: set HF_TOKEN"},
		{"gated, no token", repoGated, "", "", false, hub.ErrGated, "gated: accept the conditions on the model page and set HF_TOKEN"},
		{"gated, wrong token", repoGated + "@main", "hf_nope" + hubToken, "", false, hub.ErrGated, "gated: accept the conditions"},
		{"missing repo", repoMissing, hubToken, "", false, hub.ErrRepoNotFound, "repository not found (check the name, or it is private)"},
		{"missing revision", repoMLM + "@v9", hubToken, "", false, hub.ErrRevisionNotFound, "revision not found"},
		{"missing commit", repoMLM + "@" + strings.Repeat("0", 40), "", "", false, hub.ErrRevisionNotFound, "revision not found"},
		{"no generator", repoMLM, hubToken, "", true, hub.ErrFileNotFound, "generator_config.json"},
		{"network", repoMLM, hubToken, down.URL, false, hub.ErrNetwork, "(set HF_HUB_OFFLINE=1 to use the cache)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := th.opts(t.TempDir())
			h.Token = c.token
			if c.endpoint != "" {
				h.Endpoint = c.endpoint
			}
			var progress bytes.Buffer
			h.Progress = &progress
			_, _, err := checkpoints.OpenPretrained(c.ref, checkpoints.OpenOptions{Generator: c.generator}, h)
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			repo, rev, _ := strings.Cut(c.ref, "@")
			if rev == "" {
				rev = "main"
			}
			if !strings.Contains(msg, c.want) || !strings.Contains(msg, repo+"@"+rev) || !errors.Is(err, c.kind) {
				t.Errorf("err = %q (kind %v): want %q, %s@%s and kind %v", msg, errors.Is(err, c.kind), c.want, repo, rev, c.kind)
			}
			if strings.Contains(msg, hubToken) || strings.Contains(fmt.Sprintf("%+v %#v", err, err), hubToken) ||
				strings.Contains(progress.String(), hubToken) {
				t.Errorf("the token leaked: %q", msg)
			}
		})
	}
}

// TestHubTokenSources: the token from HubOptions, HF_TOKEN, HUGGING_FACE_HUB_TOKEN or the token file opens a
// private repository, and is sent as a Bearer header to the hub.
func TestHubTokenSources(t *testing.T) {
	for _, c := range []struct {
		name  string
		setup func(t *testing.T, h *hub.Options)
	}{
		{"HubOptions.Token", func(t *testing.T, h *hub.Options) { h.Token = hubToken }},
		{"HF_TOKEN", func(t *testing.T, h *hub.Options) { t.Setenv("HF_TOKEN", hubToken) }},
		{"HUGGING_FACE_HUB_TOKEN", func(t *testing.T, h *hub.Options) { t.Setenv("HUGGING_FACE_HUB_TOKEN", hubToken) }},
		{"HF_HOME/token", func(t *testing.T, h *hub.Options) {
			home := filepath.Join(t.TempDir(), "home")
			if err := os.MkdirAll(home, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(home, "token"), []byte(hubToken+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			t.Setenv("HF_HOME", home)
		}},
		{"HF_TOKEN over a wrong token file", func(t *testing.T, h *hub.Options) {
			t.Setenv("HF_TOKEN_PATH", filepath.Join(t.TempDir(), "tok"))
			if err := os.WriteFile(os.Getenv("HF_TOKEN_PATH"), []byte("hf_wrong"), 0o600); err != nil {
				t.Fatal(err)
			}
			t.Setenv("HF_TOKEN", hubToken)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			testutil.HubEnv(t)
			th := newTestHub(t)
			h := th.opts(t.TempDir())
			c.setup(t, &h)
			if _, _, err := checkpoints.OpenPretrained(repoPrivate, checkpoints.OpenOptions{}, h); err != nil {
				t.Fatal(err)
			}
			for _, r := range th.Requests() {
				if want := "Bearer " + hubToken; r.Kind == "cdn" && r.Authorization != "" || r.Kind != "cdn" && r.Authorization != want {
					t.Errorf("%s %s %s: Authorization %q: the token goes to the hub and never to the CDN's host", r.Method, r.Kind, r.File, r.Authorization)
				}
			}
			if th.Count(func(r fakehub.Request) bool { return r.Kind == "api" }) != 0 || th.ContentGETs("") == 0 ||
				th.Count(func(r fakehub.Request) bool { return r.Kind == "cdn" }) == 0 {
				t.Errorf("want HEADs of resolve URLs, content from the CDN and no repository API call: %+v", th.Requests())
			}
		})
	}
}
