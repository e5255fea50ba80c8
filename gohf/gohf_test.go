package gohf_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	ghub "github.com/gomlx/go-huggingface/hub"
	"github.com/gomlx/go-huggingface/tokenizers"
	"github.com/gomlx/go-huggingface/tokenizers/api"

	"github.com/deberta-go/lab/checkpoints"
	"github.com/deberta-go/lab/gohf"
	"github.com/deberta-go/lab/hub"
	"github.com/deberta-go/lab/internal/fakehub"
	"github.com/deberta-go/lab/internal/testutil"
	"github.com/deberta-go/lab/pipeline/tinymodels"
	"github.com/deberta-go/lab/tokenizer"
)

const token = "hf_gohfTestToken0123456789"

// newHub starts a fake hub holding a tiny DeBERTa-v3 model under several names, and points go-huggingface's
// defaults (HF_ENDPOINT, XDG_CACHE_HOME) and ours at it.
func newHub(t *testing.T) (*fakehub.Hub, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "model")
	spm := filepath.Join(testutil.RepoRoot(), "tokenizer", "testdata", "spm-bytefallback")
	if err := tinymodels.Write(dir, tinymodels.RTD, spm, 3); err != nil {
		t.Fatal(err)
	}
	files, err := fakehub.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	h := fakehub.New()
	t.Cleanup(h.Close)
	h.Token = token
	// As released: a tokenizer_config.json without tokenizer_class.
	files["tokenizer_config.json"] = []byte(`{"do_lower_case": false, "vocab_type": "spm"}`)
	h.Repo("microsoft/deberta-v3-base").Commit(files, "main")
	fast := maps(files, "tokenizer_config.json", `{"tokenizer_class": "DebertaV2TokenizerFast", "do_lower_case": false}`)
	h.Repo("someone/finetuned").Commit(fast, "main")
	bert := maps(files, "config.json", `{"model_type": "bert"}`)
	h.Repo("someone/bert").Commit(bert, "main")
	private := h.Repo("someone/private")
	private.Private = true
	private.Commit(files, "v1")
	testutil.HubEnv(t)
	t.Setenv("HF_ENDPOINT", h.URL)
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	return h, spm
}

func maps(files map[string][]byte, name, content string) map[string][]byte {
	out := map[string][]byte{}
	for k, v := range files {
		out[k] = v
	}
	out[name] = []byte(content)
	return out
}

// TestTokenizersNewGivesOurTokenizer: tokenizers.New of a DeBERTa repository (classless as released, or
// DebertaV2TokenizerFast) returns our tokenizer, with our ids through api.Tokenizer; other classless
// repositories stay unknown.
func TestTokenizersNewGivesOurTokenizer(t *testing.T) {
	_, spm := newHub(t)
	ours, err := tokenizer.Load(spm)
	if err != nil {
		t.Fatal(err)
	}
	text := "The quick brown fox [MASK] over the lazy dog. Ünïcödé 😀"
	want, err := ours.Encode(text, tokenizer.EncodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"microsoft/deberta-v3-base", "someone/finetuned"} {
		tok, err := tokenizers.New(ghub.New(id))
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		if _, ok := tok.(*gohf.Tokenizer); !ok {
			t.Fatalf("%s: tokenizers.New gave a %T", id, tok)
		}
		got := tok.Encode(text)
		if len(got) != len(want.InputIDs) {
			t.Fatalf("%s: ids %v, ours %v", id, got, want.InputIDs)
		}
		for i := range got {
			if got[i] != int(want.InputIDs[i]) {
				t.Fatalf("%s: id %d = %d, ours %d", id, i, got[i], want.InputIDs[i])
			}
		}
		if s := tok.Decode(got); !strings.Contains(s, "quick brown fox") {
			t.Errorf("%s: Decode = %q", id, s)
		}
		sp := ours.SpecialIDs()
		for tk, want := range map[api.SpecialToken]int32{api.TokClassification: sp.CLS, api.TokEndOfSentence: sp.SEP,
			api.TokPad: sp.Pad, api.TokMask: sp.Mask, api.TokUnknown: sp.Unk} {
			if got, err := tok.SpecialTokenID(tk); err != nil || got != int(want) {
				t.Errorf("%s: SpecialTokenID(%s) = %d, %v; want %d", id, tk, got, err, want)
			}
		}
	}
	if _, err := tokenizers.New(ghub.New("someone/bert")); err == nil || !strings.Contains(err.Error(), `model_type is "bert"`) {
		t.Errorf("a classless non-DeBERTa repository: %v", err)
	}
}

// TestOpenFromGoHuggingFaceRepo: a *hub.Repo's endpoint, token, revision and cache folder are used; the
// download is verified as ours are.
func TestOpenFromGoHuggingFaceRepo(t *testing.T) {
	h, _ := newHub(t)
	t.Setenv("HF_ENDPOINT", "http://127.0.0.1:1") // the repository's own endpoint must win
	cache := t.TempDir()
	repo := ghub.New("someone/private").WithEndpoint(h.URL).WithAuth(token).WithRevision("v1").WithCacheDir(cache)
	opts, err := gohf.HubOptions(repo)
	if err != nil || opts.Endpoint != h.URL || opts.Token != token || opts.Revision != "v1" || opts.CacheDir != cache {
		t.Fatalf("HubOptions = %v, %v", opts, err)
	}
	m, report, err := gohf.Open(repo, checkpoints.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(report.ConfigPath, filepath.Join(cache, "models--someone--private", "snapshots")) || !m.Options.Has("rtd") {
		t.Errorf("config read from %s, heads %v", report.ConfigPath, m.Options.Heads)
	}
	if h.Count(func(r fakehub.Request) bool { return r.Kind != "cdn" && r.Authorization != "Bearer "+token }) != 0 {
		t.Errorf("a request to the hub lacked the repository's token: %+v", h.Requests())
	}
	h.AddFault(fakehub.Fault{Kind: "cdn", Corrupt: true})
	_, err = gohf.Resolve(t.Context(), repo.WithCacheDir(t.TempDir()), checkpoints.OpenOptions{})
	if !errors.Is(err, hub.ErrCorrupt) {
		t.Errorf("corrupt download: %v, want it refused", err)
	}
}
