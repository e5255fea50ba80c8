package hub

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// DefaultEndpoint is the HuggingFace hub used when neither Options.Endpoint nor $HF_ENDPOINT is set.
const DefaultEndpoint = "https://huggingface.co"

// Options says where and how a model is fetched from the HuggingFace hub. Zero fields take their value
// from the environment, as Python's huggingface_hub does (see OptionsFromEnv).
type Options struct {
	// Endpoint is the hub's base URL: $HF_ENDPOINT, else DefaultEndpoint.
	Endpoint string
	// Token is sent as "Authorization: Bearer …" to the hub (never printed, never put in errors):
	// $HF_TOKEN, else $HUGGING_FACE_HUB_TOKEN, else the token file ($HF_TOKEN_PATH, else $HF_HOME/token).
	Token string
	// CacheDir is the hub cache, shared with Python: $HF_HUB_CACHE, else $HF_HOME/hub, else
	// $XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub.
	CacheDir string
	// Offline uses the cache only, with no network at all; $HF_HUB_OFFLINE=1 or $TRANSFORMERS_OFFLINE=1 (or
	// true, yes, on) forces it.
	Offline bool
	// Revision is the branch, tag or commit to fetch when the reference has no "@revision" ("" means main).
	Revision string
	// Progress receives download progress bars and cache-fallback notes; nil prints nothing.
	Progress io.Writer
	// Files are extra repository files a model load (checkpoints.ResolvePretrained) fetches when the repository
	// has them, besides checkpoints.TokenizerFiles.
	Files []string
	// HTTPClient makes the requests; nil uses a client with connection and response-header timeouts.
	HTTPClient *http.Client
	// MaxRetries is how often a request answered 408, 429 or 5xx, or cut off, is retried (0: 4; < 0: never);
	// RetryWait the first wait (0: 1 s), doubled at each retry up to 8 times it, unless the hub's Retry-After
	// or RateLimit header asks for another wait. A download cut short is resumed as often, in the same call.
	MaxRetries int
	RetryWait  time.Duration
}

// String describes the options with the token masked, so that printing them (%v, %+v) never shows it.
func (h Options) String() string {
	tok := "none"
	if h.Token != "" {
		tok = "set (hidden)"
	}
	return fmt.Sprintf("Options{Endpoint: %q, Token: %s, CacheDir: %q, Offline: %t, Revision: %q, Files: %q}",
		h.Endpoint, tok, h.CacheDir, h.Offline, h.Revision, h.Files)
}

// GoString is String, so that %#v does not show the token either.
func (h Options) GoString() string { return h.String() }

// OptionsFromEnv returns the hub settings of the environment: endpoint, token, cache folder and offline
// mode (see Options for the variables and their precedence). Revision, Progress, Files and HTTPClient
// are left zero.
func OptionsFromEnv() Options {
	return Options{
		Endpoint: envHubEndpoint(),
		Token:    envHubToken(),
		CacheDir: envHubCacheDir(),
		Offline:  envHubOffline(),
	}
}

// WithDefaults fills the zero fields of h from the environment; $HF_HUB_OFFLINE forces offline mode.
func (h Options) WithDefaults() Options {
	if h.Endpoint == "" {
		h.Endpoint = envHubEndpoint()
	}
	h.Endpoint = strings.TrimRight(h.Endpoint, "/")
	if h.Token == "" {
		h.Token = envHubToken()
	}
	if h.CacheDir == "" {
		h.CacheDir = envHubCacheDir()
	}
	h.Offline = h.Offline || envHubOffline()
	return h
}

func envHubEndpoint() string {
	if e := strings.TrimSpace(os.Getenv("HF_ENDPOINT")); e != "" {
		return strings.TrimRight(e, "/")
	}
	return DefaultEndpoint
}

// envHubHome is $HF_HOME, else $XDG_CACHE_HOME/huggingface, else ~/.cache/huggingface ("" if no home).
func envHubHome() string {
	if h := os.Getenv("HF_HOME"); h != "" {
		return expandHome(h)
	}
	if x := os.Getenv("XDG_CACHE_HOME"); x != "" {
		return filepath.Join(expandHome(x), "huggingface")
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return ""
	}
	return filepath.Join(home, ".cache", "huggingface")
}

// envHubCacheDir is $HF_HUB_CACHE (or the older $HUGGINGFACE_HUB_CACHE), else <HF home>/hub.
func envHubCacheDir() string {
	for _, v := range []string{"HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"} {
		if d := os.Getenv(v); d != "" {
			return expandHome(d)
		}
	}
	if home := envHubHome(); home != "" {
		return filepath.Join(home, "hub")
	}
	return ""
}

// envHubToken is $HF_TOKEN, else $HUGGING_FACE_HUB_TOKEN, else the content of the token file
// ($HF_TOKEN_PATH, else <HF home>/token), trimmed; "" when none is set.
func envHubToken() string {
	for _, v := range []string{"HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"} {
		if t := strings.TrimSpace(os.Getenv(v)); t != "" {
			return t
		}
	}
	path := os.Getenv("HF_TOKEN_PATH")
	if path == "" {
		home := envHubHome()
		if home == "" {
			return ""
		}
		path = filepath.Join(home, "token")
	}
	b, err := os.ReadFile(expandHome(path))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// envHubOffline reports whether $HF_HUB_OFFLINE or $TRANSFORMERS_OFFLINE is 1, true, yes or on (any case),
// as in huggingface_hub and transformers.
func envHubOffline() bool {
	return isTruthy(os.Getenv("HF_HUB_OFFLINE")) || isTruthy(os.Getenv("TRANSFORMERS_OFFLINE"))
}

func isTruthy(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}

// expandHome replaces a leading "~" (alone or followed by a separator) with the user's home folder.
func expandHome(p string) string {
	if p != "~" && !strings.HasPrefix(p, "~/") && !strings.HasPrefix(p, "~"+string(filepath.Separator)) {
		return p
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return p
	}
	return filepath.Join(home, p[1:])
}
