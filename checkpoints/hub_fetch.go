package checkpoints

import (
	"context"
	"fmt"
	"path"
	"slices"
	"strings"
)

// hubPlan is what to fetch of a repository for one load.
type hubPlan struct {
	config  string   // config.json or generator_config.json
	weights string   // the weight file, or the index of a sharded checkpoint
	sharded bool     // weights is an index: its shards follow
	extras  []string // tokenizer and asked-for files the repository has
	missing []string // asked-for files (HubOptions.Files) the repository lacks
}

// planFiles picks the files of a load from the repository's file list, in the order Open looks for them.
func planFiles(siblings []string, o OpenOptions, h HubOptions) (*hubPlan, error) {
	has := func(name string) bool { return slices.Contains(siblings, name) }
	p := &hubPlan{config: configFileName(o.Generator)}
	if !has(p.config) {
		msg := "the repository has no " + p.config
		if o.Generator {
			msg += ": it has no generator checkpoint (drop OpenOptions.Generator)"
		}
		return nil, &HubError{Kind: ErrHubFileNotFound, Msg: msg + "; it holds: " + listFiles(siblings)}
	}
	formats := o.Formats
	if formats == nil {
		formats = DefaultFormats
	}
	for _, f := range formats {
		name := WeightFileName(f, o.Generator)
		if name == "" {
			return nil, fmt.Errorf("unknown weight file format %q", f)
		}
		if has(name) {
			p.weights = name
			p.sharded = f == FormatShardedSafetensors || f == FormatShardedTorchBin
			break
		}
	}
	if p.weights == "" {
		hint := ""
		for _, s := range siblings {
			switch {
			case !o.Generator && strings.Contains(s, ".generator."):
				hint = "; " + s + " is a generator checkpoint: set OpenOptions.Generator to load it"
			case s == "tf_model.h5" || s == "flax_model.msgpack":
				hint = "; TensorFlow/Flax weights (" + s + ") are not supported"
			}
		}
		return nil, &HubError{Kind: ErrHubFileNotFound, Msg: fmt.Sprintf("the repository has no weight file (looked for %s); it holds: %s%s",
			strings.Join(weightFileNames(o), ", "), listFiles(siblings), hint)}
	}
	for _, f := range extraHubFiles(h) {
		if has(f) {
			p.extras = append(p.extras, f)
		} else if slices.Contains(h.Files, f) {
			p.missing = append(p.missing, f)
		}
	}
	return p, nil
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

// fetchSnapshot is the online flow: resolve rev to a commit, then make snapshots/<commit>/ hold each
// planned file (reusing cached blobs), then record refs/<rev>.
func fetchSnapshot(ctx context.Context, c *hubClient, cache hubCache, repo, rev string, o OpenOptions, h HubOptions) (*Snapshot, error) {
	info, err := c.repoInfo(ctx, repo, rev)
	if err != nil {
		return nil, err
	}
	siblings := info.files()
	plan, err := planFiles(siblings, o, h)
	if err != nil {
		if he, ok := err.(*HubError); ok {
			he.Repo, he.Revision = repo, rev
		}
		return nil, err
	}
	commit := info.SHA
	snap := &Snapshot{Dir: cache.snapshotDir(commit), Repo: repo, Revision: rev, Commit: commit, MissingFiles: plan.missing}
	d := &downloader{client: c, cache: cache, progress: h.Progress, repo: repo, rev: rev}
	fetch := func(file string) error {
		m, err := c.head(ctx, repo, commit, file)
		if err != nil {
			return err
		}
		if m.Commit != "" && m.Commit != commit {
			return &HubError{Repo: repo, Revision: rev, File: file,
				Msg: fmt.Sprintf("the hub served commit %s while the revision resolved to %s", m.Commit, commit)}
		}
		n, fetched, err := d.ensureBlob(ctx, file, m)
		if err != nil {
			return err
		}
		if fetched {
			snap.Downloaded = append(snap.Downloaded, file)
			snap.BytesDownloaded += n
		}
		if err := cache.link(commit, file, m.ETag); err != nil {
			return &HubError{Repo: repo, Revision: rev, File: file, Err: err}
		}
		snap.Files = append(snap.Files, file)
		return nil
	}
	for _, f := range []string{plan.config, plan.weights} {
		if err := fetch(f); err != nil {
			return nil, err
		}
	}
	if plan.sharded {
		shards, err := shardFiles(cache.snapshotFile(commit, plan.weights), plan.weights, siblings)
		if err != nil {
			return nil, &HubError{Repo: repo, Revision: rev, File: plan.weights, Err: err}
		}
		for _, f := range shards {
			if err := fetch(f); err != nil {
				return nil, err
			}
		}
	}
	for _, f := range plan.extras {
		if err := fetch(f); err != nil {
			return nil, err
		}
	}
	if err := cache.writeRef(rev, commit); err != nil {
		return nil, &HubError{Repo: repo, Revision: rev, Err: err}
	}
	return snap, nil
}

// shardFiles reads a downloaded shard index and returns its shards as repository file names, each of
// which the repository must have.
func shardFiles(indexPath, indexName string, siblings []string) ([]string, error) {
	x, err := ReadShardIndex(indexPath)
	if err != nil {
		return nil, err
	}
	var out, absent []string
	for _, s := range x.Shards() {
		name := path.Join(path.Dir(indexName), s)
		if err := validateRepoFileName(name); err != nil {
			return nil, err
		}
		if !slices.Contains(siblings, name) {
			absent = append(absent, name)
		}
		out = append(out, name)
	}
	if len(absent) > 0 {
		return nil, fmt.Errorf("the index names shards the repository lacks: %s", strings.Join(absent, ", "))
	}
	return out, nil
}
