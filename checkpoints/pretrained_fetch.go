package checkpoints

import (
	"context"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/deberta-go/lab/hub"
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
func planFiles(siblings []string, o OpenOptions, h hub.Options) (*hubPlan, error) {
	has := func(name string) bool { return slices.Contains(siblings, name) }
	p := &hubPlan{config: configFileName(o.Generator)}
	if !has(p.config) {
		msg := "the repository has no " + p.config
		if o.Generator {
			msg += ": it has no generator checkpoint (drop OpenOptions.Generator)"
		}
		return nil, &hub.Error{Kind: hub.ErrFileNotFound, Msg: msg + "; it holds: " + listFiles(siblings)}
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
		return nil, &hub.Error{Kind: hub.ErrFileNotFound, Msg: fmt.Sprintf("the repository has no weight file (looked for %s); it holds: %s%s",
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

// fetchSnapshot is the online flow: resolve the revision to a commit and list the files, then make the
// snapshot folder hold each planned file (reusing cached blobs), then record refs/<rev>.
func fetchSnapshot(ctx context.Context, repo *hub.Repo, o OpenOptions) (*Snapshot, error) {
	siblings, err := repo.Files(ctx)
	if err != nil {
		return nil, err
	}
	h := repo.Options()
	plan, err := planFiles(siblings, o, h)
	if err != nil {
		if he, ok := err.(*hub.Error); ok {
			he.Repo, he.Revision = repo.ID(), repo.Revision()
		}
		return nil, err
	}
	snap := &Snapshot{Dir: repo.Dir(), Repo: repo.ID(), Revision: repo.Revision(), Commit: repo.Commit(), MissingFiles: plan.missing}
	fetch := func(files ...string) error {
		for _, f := range files {
			if _, err := repo.Fetch(ctx, f); err != nil {
				return err
			}
			snap.Files = append(snap.Files, f)
		}
		return nil
	}
	if err := fetch(plan.config, plan.weights); err != nil {
		return nil, err
	}
	if plan.sharded {
		p, _ := repo.Cached(plan.weights)
		shards, err := shardFiles(p, plan.weights, siblings)
		if err != nil {
			return nil, &hub.Error{Repo: repo.ID(), Revision: repo.Revision(), File: plan.weights, Err: err}
		}
		if err := fetch(shards...); err != nil {
			return nil, err
		}
	}
	if err := fetch(plan.extras...); err != nil {
		return nil, err
	}
	if err := repo.Finish(); err != nil {
		return nil, err
	}
	snap.Downloaded, snap.BytesDownloaded = repo.Downloaded()
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
		if err := hub.ValidateFileName(name); err != nil {
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
