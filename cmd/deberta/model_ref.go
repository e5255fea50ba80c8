package main

import (
	"context"
	"errors"
	"os"

	"github.com/deberta-go/lab/checkpoints"
	"github.com/deberta-go/lab/hub"
)

// modelRefUsage describes what every --model flag accepts.
const modelRefUsage = "a checkpoint folder, or a hub name owner/name[@revision] (downloaded into the HuggingFace " +
	"cache; HF_TOKEN, HF_HUB_OFFLINE, HF_ENDPOINT apply)"

// modelDir resolves a --model value to a local folder: a folder as it is; a hub name owner/name[@revision]
// through the HuggingFace cache (checkpoints.ResolvePretrained with the HF_* environment, progress on
// stderr), fetching the main checkpoint and, with withGenerator, the generator released beside it when the
// repository has one. A generator-only repository gives just its generator. Every subcommand's --model goes
// through here.
func modelDir(ref string, withGenerator bool) (string, error) {
	r, err := hub.ParseModelRef(ref)
	if err != nil {
		return "", err
	}
	if r.Dir != "" {
		return r.Dir, nil
	}
	h := hubOptions()
	ctx := context.Background()
	snap, err := checkpoints.ResolvePretrained(ctx, ref, checkpoints.OpenOptions{}, h)
	if err != nil && (!withGenerator || !absent(err)) {
		return "", err
	}
	if !withGenerator {
		return snap.Dir, nil
	}
	gen, gerr := checkpoints.ResolvePretrained(ctx, ref, checkpoints.OpenOptions{Generator: true}, h)
	switch {
	case gerr == nil:
		return gen.Dir, nil // the same commit's snapshot folder, now holding both checkpoints
	case err == nil && absent(gerr):
		return snap.Dir, nil
	case err == nil:
		return "", gerr
	}
	return "", err
}

// absent reports whether a hub error says the files are not there (not in the repository, or, offline, not in
// the cache), as opposed to a failure.
func absent(err error) bool {
	return errors.Is(err, hub.ErrFileNotFound) || errors.Is(err, hub.ErrOffline)
}

// tokenizerDir is modelDir for `deberta tokenize --model`: of a hub name, only the tokenizer files are
// fetched (checkpoints.ResolveTokenizer), no weights.
func tokenizerDir(ref string) (string, error) {
	return checkpoints.ResolveTokenizer(context.Background(), ref, hubOptions())
}

// hubOptions are the HF_* environment's hub settings, with download progress on stderr.
func hubOptions() hub.Options {
	h := hub.OptionsFromEnv()
	h.Progress = os.Stderr
	return h
}
