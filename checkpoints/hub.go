// Loading models by name from the HuggingFace hub (OpenPretrained, ResolvePretrained).
//
// A model reference is a local checkpoint folder, "owner/name", or "owner/name@revision" (a branch, a tag,
// or a 40-hex commit); see ParseModelRef. A hub reference is resolved to a snapshot folder of the local hub
// cache holding what Open needs (config.json or generator_config.json, the weight file — model.safetensors,
// else model.safetensors.index.json and its shards, else pytorch_model.bin or its sharded index — and the
// tokenizer files the repository has: DefaultHubFiles plus HubOptions.Files), then Open loads it.
//
// The cache is Python's: the same folder ($HF_HUB_CACHE, else $HF_HOME/hub, else
// $XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub) and the same layout
// (models--owner--name/{blobs/<etag>, snapshots/<commit>/<file> → ../../blobs/<etag>, refs/<revision>}), so
// models downloaded by either side are reused by the other. Settings come from HubOptions, whose zero fields
// take the environment's values (HF_ENDPOINT, HF_TOKEN, HUGGING_FACE_HUB_TOKEN, the token file
// $HF_HOME/token, HF_HUB_OFFLINE); see HubOptionsFromEnv.
//
// Online: GET {endpoint}/api/models/{repo}/revision/{rev} gives the commit and the file list; each needed
// file gets a HEAD of {endpoint}/{repo}/resolve/{commit}/{file} (ETag, X-Linked-Etag, X-Linked-Size, the
// CDN redirect of LFS files); a blob already cached with the right size (and sha256 for LFS files) is
// reused, otherwise it is downloaded into blobs/<etag>.incomplete (resumed with a Range request when a
// previous attempt was cut short), verified (size, and sha256 for LFS files), and only then renamed to
// its blob: an interrupted or corrupt download never becomes a usable file. Then the snapshot link and
// refs/<rev> are written. A pinned commit already complete in the cache needs no network at all.
//
// Offline (HubOptions.Offline or HF_HUB_OFFLINE=1), or when the hub cannot be reached (network error,
// 5xx) and the cache can answer: refs/<rev> (or the commit itself) → snapshots/<commit>/, checked for the
// needed files, without a single request. Errors name the repository and revision, say what to do (401:
// set HF_TOKEN; 403: gated, accept the conditions; 404: repository or revision not found; network:
// HF_HUB_OFFLINE=1), carry a sentinel for errors.Is (ErrHubAuth, ErrHubGated, ...) and never contain the
// token.
//
// Why not go-huggingface's hub package: it fetches the repository info on every use (no offline mode),
// keeps its own info/<rev> files instead of Python's refs/<rev>, reads neither HF_TOKEN nor HF_HOME, prints
// progress to stdout, and may keep a download cut short as a complete file. The protocol is small, so this
// package speaks it with net/http directly (same URL layout, same cache layout as Python).

package checkpoints

import (
	"context"
	"errors"
	"fmt"

	"github.com/deberta-go/lab/debertav3"
)

// Snapshot is a model reference resolved to a local folder.
type Snapshot struct {
	// Dir is the folder to load: a snapshot folder of the hub cache, or the local folder given.
	Dir string
	// Repo, Revision and Commit say which hub snapshot it is (empty for a local folder). Revision is the one
	// asked for ("main" by default); Commit the 40-hex sha it resolved to.
	Repo, Revision, Commit string
	// Files are the repository files present in Dir for this load: config, weights (and shards), and the
	// tokenizer/extra files the repository has.
	Files []string
	// MissingFiles are files of HubOptions.Files that the repository (or, from the cache, the snapshot) lacks.
	MissingFiles []string
	// Downloaded are the files fetched this time; BytesDownloaded their total size.
	Downloaded      []string
	BytesDownloaded int64
	// FromCache is true when no request was made (a local folder, offline mode, a pinned commit already
	// cached, or the network-failure fallback).
	FromCache bool
	// Warning explains a fallback to the cache after a network failure ("" otherwise).
	Warning string
}

// OpenPretrained loads a DeBERTa-v3 model from a local folder or, by name, from the HuggingFace hub
// ("microsoft/deberta-v3-base", "owner/name@v1", "owner/name@<commit>"), using and filling the hub cache
// shared with Python (see ResolvePretrained), then Open. o.Generator selects Microsoft's generator
// checkpoint (generator_config.json + pytorch_model.generator.bin).
func OpenPretrained(ref string, o OpenOptions, h HubOptions) (*debertav3.Model, *LoadReport, error) {
	snap, err := ResolvePretrained(context.Background(), ref, o, h)
	if err != nil {
		return nil, nil, err
	}
	return Open(snap.Dir, o)
}

// ResolvePretrained turns a model reference into a local folder holding the files a load with o needs,
// downloading them into the hub cache when needed (or, offline, finding them there). See the comment at the
// top of hub.go for the flows; ctx cancels requests and downloads.
func ResolvePretrained(ctx context.Context, ref string, o OpenOptions, h HubOptions) (*Snapshot, error) {
	r, err := ParseModelRef(ref)
	if err != nil {
		return nil, err
	}
	if r.Dir != "" {
		if h.Revision != "" {
			return nil, fmt.Errorf("model reference %q is a local folder: a revision (%q) applies to hub names only", ref, h.Revision)
		}
		return &Snapshot{Dir: r.Dir, FromCache: true}, nil
	}
	h = h.withDefaults()
	snap, err := resolveHub(ctx, r, o, h)
	return snap, redact(err, h.Token)
}

func resolveHub(ctx context.Context, r ModelRef, o OpenOptions, h HubOptions) (*Snapshot, error) {
	rev := r.Revision
	switch {
	case rev != "" && h.Revision != "" && rev != h.Revision:
		return nil, fmt.Errorf("model reference %q asks for revision %q but HubOptions.Revision is %q: give one", r, rev, h.Revision)
	case rev == "" && h.Revision != "":
		if err := validateRevision(h.Revision); err != nil {
			return nil, fmt.Errorf("HubOptions.Revision: %w", err)
		}
		rev = h.Revision
	case rev == "":
		rev = "main"
	}
	cache, err := newHubCache(h.CacheDir, r.Repo)
	if err != nil {
		return nil, &HubError{Repo: r.Repo, Revision: rev, Err: err}
	}
	if h.Offline {
		snap, err := fromCache(cache, rev, o, h)
		if err != nil {
			return nil, &HubError{Repo: r.Repo, Revision: rev, Kind: ErrHubOffline, Err: err,
				Msg: "offline mode (HF_HUB_OFFLINE or HubOptions.Offline) and the cache " + h.CacheDir + " cannot serve it"}
		}
		return snap, nil
	}
	if isCommitSHA(rev) {
		if snap, err := fromCache(cache, rev, o, h); err == nil && len(snap.MissingFiles) == 0 {
			return snap, nil
		}
	}
	client, err := newHubClient(h)
	if err != nil {
		return nil, &HubError{Repo: r.Repo, Revision: rev, Err: err}
	}
	snap, err := fetchSnapshot(ctx, client, cache, r.Repo, rev, o, h)
	if err == nil || !isNetworkFailure(err) || ctx.Err() != nil {
		return snap, err
	}
	cached, cerr := fromCache(cache, rev, o, h)
	if cerr != nil {
		return nil, err
	}
	cause := err
	var he *HubError
	if errors.As(err, &he) && he.Err != nil {
		cause = he.Err
	}
	warning := fmt.Errorf("hub %s@%s: cannot reach the hub (%v): using the cached snapshot %s", r.Repo, rev, cause, cached.Commit)
	cached.Warning = redact(warning, h.Token).Error()
	if h.Progress != nil {
		fmt.Fprintln(h.Progress, cached.Warning)
	}
	return cached, nil
}
