package checkpoints

import (
	"context"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/deberta-go/lab/hub"
)

// fetchSnapshot makes the repository's snapshot folder hold what a load with o needs, probing the files in
// the order Open looks for them: the config, the first weight file of o's formats (and the shards of an
// index), then the tokenizer files and hub.Options.Files the repository has; then it records refs/<rev>.
func fetchSnapshot(ctx context.Context, repo *hub.Repo, o OpenOptions) (*Snapshot, error) {
	h := repo.Options()
	var files []string
	probe := func(name string) (bool, error) {
		_, err := repo.Fetch(ctx, name)
		switch {
		case err == nil:
			files = append(files, name)
			return true, nil
		case repo.Absent(err):
			return false, nil
		}
		return false, err
	}
	cfg := configFileName(o.Generator)
	if ok, err := probe(cfg); err != nil || !ok {
		msg := "no " + cfg
		if o.Generator {
			msg += ": it has no generator checkpoint (drop OpenOptions.Generator)"
		}
		return nil, notFound(ctx, repo, o, err, msg)
	}
	weights, sharded, err := probeWeights(o, probe)
	if err != nil || weights == "" {
		return nil, notFound(ctx, repo, o, err, "no weight file (looked for "+strings.Join(weightFileNames(o), ", ")+")")
	}
	if sharded {
		p, _ := repo.Cached(weights)
		shards, err := shardFiles(p, weights)
		if err != nil {
			return nil, &hub.Error{Repo: repo.ID(), Revision: repo.Revision(), File: weights, Err: err}
		}
		for _, s := range shards {
			if ok, err := probe(s); err != nil || !ok {
				return nil, notFound(ctx, repo, o, err, "no "+s+", a shard its index "+weights+" names")
			}
		}
	}
	var missing []string
	for _, f := range extraHubFiles(h) {
		if ok, err := probe(f); err != nil {
			return nil, err
		} else if !ok && slices.Contains(h.Files, f) {
			missing = append(missing, f)
		}
	}
	if err := repo.Finish(); err != nil {
		return nil, err
	}
	snap := &Snapshot{Dir: repo.Dir(), Repo: repo.ID(), Revision: repo.Revision(), Commit: repo.Commit(), Files: files,
		MissingFiles: missing, FromCache: repo.FromCache(), Warning: repo.Warning()}
	snap.Downloaded, snap.BytesDownloaded = repo.Downloaded()
	return snap, nil
}

// probeWeights returns the first weight file of o's formats that probe finds, and whether it is a shard index.
func probeWeights(o OpenOptions, probe func(string) (bool, error)) (name string, sharded bool, err error) {
	formats := o.Formats
	if formats == nil {
		formats = DefaultFormats
	}
	for _, f := range formats {
		name := WeightFileName(f, o.Generator)
		if name == "" {
			return "", false, fmt.Errorf("unknown weight file format %q", f)
		}
		ok, err := probe(name)
		if err != nil || ok {
			return name, f == FormatShardedSafetensors || f == FormatShardedTorchBin, err
		}
	}
	return "", false, nil
}

// notFound is the error of a load whose file (what) the repository, or offline the cached snapshot, lacks;
// err, when not nil, is a failure that is returned as it is. Online, the repository's file list (one call of
// the repository API, only on this error path) is added with a hint.
func notFound(ctx context.Context, repo *hub.Repo, o OpenOptions, err error, what string) error {
	if err != nil {
		return err
	}
	e := &hub.Error{Repo: repo.ID(), Revision: repo.Revision(), Kind: hub.ErrFileNotFound, Msg: "the repository has " + what}
	if repo.FromCache() {
		e.Kind, e.Msg = hub.ErrOffline, fmt.Sprintf("the cached snapshot %s has %s (offline, or the hub unreachable)", repo.Commit(), what)
		return e
	}
	if siblings, lerr := repo.Files(ctx); lerr == nil {
		e.Msg += "; it holds: " + listFiles(siblings) + fileHint(siblings, o)
	}
	return e
}

// fileHint points at a generator checkpoint or unsupported weights among a repository's files.
func fileHint(siblings []string, o OpenOptions) string {
	hint := ""
	for _, s := range siblings {
		switch {
		case !o.Generator && strings.Contains(s, ".generator."):
			hint = "; " + s + " is a generator checkpoint: set OpenOptions.Generator to load it"
		case s == "tf_model.h5" || s == "flax_model.msgpack":
			hint = "; TensorFlow/Flax weights (" + s + ") are not supported"
		}
	}
	return hint
}

func listFiles(names []string) string {
	if len(names) == 0 {
		return "no files"
	}
	if len(names) > 30 {
		return strings.Join(names[:30], ", ") + fmt.Sprintf(", … (%d files)", len(names))
	}
	return strings.Join(names, ", ")
}

// shardFiles reads a downloaded shard index and returns its shards as repository file names.
func shardFiles(indexPath, indexName string) ([]string, error) {
	x, err := ReadShardIndex(indexPath)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, s := range x.Shards() {
		name := path.Join(path.Dir(indexName), s)
		if err := hub.ValidateFileName(name); err != nil {
			return nil, err
		}
		out = append(out, name)
	}
	return out, nil
}
