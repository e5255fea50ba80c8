package checkpoints

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/deberta-go/lab/hub"
)

// configFileName is the config a load reads: config.json, or generator_config.json for the generator.
func configFileName(generator bool) string {
	if generator {
		return "generator_config.json"
	}
	return "config.json"
}

// extraHubFiles is TokenizerFiles followed by the caller's files, without duplicates.
func extraHubFiles(h hub.Options) []string {
	out := slices.Clone(TokenizerFiles)
	for _, f := range h.Files {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// snapshotFiles checks that a snapshot folder holds everything Open needs for o (the config, the weight
// file and any shards, each readable: a dangling symlink counts as missing) and returns the repository
// names of those files followed by the extra files present. missingExtra lists h.Files (asked for
// explicitly) that the folder lacks.
func snapshotFiles(dir string, o OpenOptions, h hub.Options) (files, missingExtra []string, err error) {
	var missing []string
	present := func(name string) bool {
		st, err := os.Stat(filepath.Join(dir, filepath.FromSlash(name)))
		return err == nil && st.Mode().IsRegular()
	}
	cfg := configFileName(o.Generator)
	if present(cfg) {
		files = append(files, cfg)
	} else {
		missing = append(missing, cfg)
	}
	wf, werr := FindWeightFiles(dir, ReadOptions{Generator: o.Generator, Formats: o.Formats})
	if werr != nil {
		missing = append(missing, "a weight file ("+strings.Join(weightFileNames(o), ", ")+")")
	} else {
		names := []string{wf.Path}
		if wf.Path != wf.Files[0] || len(wf.Files) > 1 {
			names = append(names, wf.Files...)
		}
		for _, p := range names {
			rel, rerr := filepath.Rel(dir, p)
			if rerr != nil {
				return nil, nil, rerr
			}
			rel = filepath.ToSlash(rel)
			if present(rel) {
				files = append(files, rel)
			} else {
				missing = append(missing, rel)
			}
		}
	}
	if len(missing) > 0 {
		return nil, nil, fmt.Errorf("%s lacks %s", dir, strings.Join(missing, ", "))
	}
	for _, f := range extraHubFiles(h) {
		if present(f) {
			files = append(files, f)
		} else if slices.Contains(h.Files, f) {
			missingExtra = append(missingExtra, f)
		}
	}
	return files, missingExtra, nil
}

// weightFileNames lists the weight file names a load looks for, in order.
func weightFileNames(o OpenOptions) []string {
	formats := o.Formats
	if formats == nil {
		formats = DefaultFormats
	}
	var names []string
	for _, f := range formats {
		names = append(names, WeightFileName(f, o.Generator))
	}
	return names
}

// fromCache answers a request from the cache alone: the snapshot that the revision resolves to in the
// cache, if it holds what the load needs.
func fromCache(repo *hub.Repo, o OpenOptions) (*Snapshot, error) {
	if err := repo.UseCache(); err != nil {
		return nil, err
	}
	h := repo.Options()
	files, missingExtra, err := snapshotFiles(repo.Dir(), o, h)
	if err != nil {
		return nil, repo.NotCached(err)
	}
	return &Snapshot{Dir: repo.Dir(), Repo: repo.ID(), Revision: repo.Revision(), Commit: repo.Commit(), Files: files,
		MissingFiles: missingExtra, FromCache: true}, nil
}
