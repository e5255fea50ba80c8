// Loading models by name from the HuggingFace hub (OpenPretrained, ResolvePretrained), on top of package hub.
//
// A model reference is a local checkpoint folder, "owner/name", or "owner/name@revision" (a branch, a tag,
// or a 40-hex commit); see hub.ParseModelRef. A hub reference is resolved to a snapshot folder of the local
// hub cache holding what Open needs (config.json or generator_config.json, the weight file — model.safetensors,
// else model.safetensors.index.json and its shards, else pytorch_model.bin or its sharded index — and the
// tokenizer files the repository has: TokenizerFiles plus hub.Options.Files), then Open loads it. Package
// hub does the requests, the cache shared with Python and the verified downloads.

package checkpoints

import (
	"context"
	"fmt"

	"github.com/deberta-go/lab/debertav3"
	"github.com/deberta-go/lab/hub"
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
	// MissingFiles are files of hub.Options.Files that the repository (or, from the cache, the snapshot) lacks.
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
func OpenPretrained(ref string, o OpenOptions, h hub.Options) (*debertav3.Model, *LoadReport, error) {
	snap, err := ResolvePretrained(context.Background(), ref, o, h)
	if err != nil {
		return nil, nil, err
	}
	return Open(snap.Dir, o)
}

// ResolvePretrained turns a model reference into a local folder holding the files a load with o needs,
// downloading them into the hub cache when needed (or, offline, finding them there): the files are probed in
// the order Open looks for them, each with a HEAD of its resolve URL (no call of the rate-limited repository
// API, as huggingface_hub). See package hub for the protocol and the cache; ctx cancels requests and downloads.
func ResolvePretrained(ctx context.Context, ref string, o OpenOptions, h hub.Options) (*Snapshot, error) {
	r, err := hub.ParseModelRef(ref)
	if err != nil {
		return nil, err
	}
	if r.Dir != "" {
		if h.Revision != "" {
			return nil, fmt.Errorf("model reference %q is a local folder: a revision (%q) applies to hub names only", ref, h.Revision)
		}
		return &Snapshot{Dir: r.Dir, FromCache: true}, nil
	}
	return resolveHub(ctx, r, o, h)
}

// resolveHub resolves a hub reference: a pinned commit already complete in the cache needs no request at
// all; otherwise each file is fetched (or, offline, found in the cache) by a hub.Repo.
func resolveHub(ctx context.Context, r hub.ModelRef, o OpenOptions, h hub.Options) (*Snapshot, error) {
	rev := r.Revision
	if rev != "" && h.Revision != "" && rev != h.Revision {
		return nil, fmt.Errorf("model reference %q asks for revision %q but hub.Options.Revision is %q: give one", r, rev, h.Revision)
	}
	repo, err := hub.NewRepo(r.Repo, rev, h)
	if err != nil {
		return nil, err
	}
	if !repo.FromCache() && hub.IsCommitSHA(repo.Revision()) {
		cached, _ := hub.NewRepo(r.Repo, rev, h)
		if cached.UseCache() == nil {
			if snap, err := fetchSnapshot(ctx, cached, o); err == nil && len(snap.MissingFiles) == 0 {
				return snap, nil
			}
		}
	}
	return fetchSnapshot(ctx, repo, o)
}

// ResolveTokenizer is ResolvePretrained for the tokenizer files only (TokenizerFiles, spm.model required):
// no config and no weights are fetched. A local folder is returned as it is.
func ResolveTokenizer(ctx context.Context, ref string, h hub.Options) (string, error) {
	r, err := hub.ParseModelRef(ref)
	if err != nil || r.Dir != "" {
		return r.Dir, err
	}
	repo, err := hub.NewRepo(r.Repo, r.Revision, h)
	if err != nil {
		return "", err
	}
	for _, f := range TokenizerFiles {
		_, err := repo.Fetch(ctx, f)
		if err != nil && (f == "spm.model" || !repo.Absent(err)) {
			return "", err
		}
	}
	return repo.Dir(), repo.Finish()
}
