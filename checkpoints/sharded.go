package checkpoints

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// ShardIndex is a sharded checkpoint index such as `model.safetensors.index.json` or
// `pytorch_model.bin.index.json`: {"metadata": {...}, "weight_map": {key: shard file}}.
type ShardIndex struct {
	Metadata  map[string]any    `json:"metadata"`   // e.g. {"total_size": 123}
	WeightMap map[string]string `json:"weight_map"` // tensor key → shard file name, relative to the index
}

// Shards returns the distinct shard file names of the index, sorted.
func (x *ShardIndex) Shards() []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range x.WeightMap {
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	sort.Strings(out)
	return out
}

// ReadShardIndex reads and checks an index file: the weight map must be non-empty and name shard files
// inside the index's folder.
func ReadShardIndex(path string) (*ShardIndex, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var x ShardIndex
	if err := json.Unmarshal(b, &x); err != nil {
		return nil, fmt.Errorf("%s: not a shard index: %w", path, err)
	}
	if len(x.WeightMap) == 0 {
		return nil, fmt.Errorf("%s: shard index has no weight_map entries", path)
	}
	for key, f := range x.WeightMap {
		if !filepath.IsLocal(f) || strings.ContainsRune(f, '\\') {
			return nil, fmt.Errorf("%s: key %q: shard file name %q must be a plain name inside the index folder", path, key, f)
		}
	}
	return &x, nil
}

// ReadShardedSafetensors reads a sharded safetensors checkpoint from its index file. Every shard is read;
// each tensor must be in the shard the index names, no key may appear in two shards, and every indexed key
// must be found (missing ones are listed). The returned metadata merges the shards' `__metadata__`.
func ReadShardedSafetensors(indexPath string) (map[string]*Tensor, map[string]string, *ShardIndex, error) {
	meta := map[string]string{}
	tensors, x, err := readSharded(indexPath, func(path string) (map[string]*Tensor, error) {
		t, m, err := ReadSafetensors(path)
		for k, v := range m {
			if _, ok := meta[k]; !ok {
				meta[k] = v
			}
		}
		return t, err
	})
	if err != nil {
		return nil, nil, nil, err
	}
	return tensors, meta, x, nil
}

// ReadShardedTorchBin reads a sharded PyTorch checkpoint (`pytorch_model.bin.index.json` and its
// `pytorch_model-0000i-of-0000n.bin` shards) with the same checks as ReadShardedSafetensors.
func ReadShardedTorchBin(indexPath string) (map[string]*Tensor, *ShardIndex, error) {
	return readSharded(indexPath, ReadTorchBin)
}

func readSharded(indexPath string, read func(string) (map[string]*Tensor, error)) (map[string]*Tensor, *ShardIndex, error) {
	x, err := ReadShardIndex(indexPath)
	if err != nil {
		return nil, nil, err
	}
	dir := filepath.Dir(indexPath)
	all := map[string]*Tensor{}
	from := map[string]string{} // key → shard it was read from
	var unindexed []string
	for _, shard := range x.Shards() {
		tensors, err := read(filepath.Join(dir, shard))
		if err != nil {
			return nil, nil, fmt.Errorf("%s: shard %s: %w", indexPath, shard, err)
		}
		for _, t := range SortedTensors(tensors) {
			if prev, dup := from[t.Name]; dup {
				return nil, nil, fmt.Errorf("%s: tensor %q appears in two shards: %s and %s", indexPath, t.Name, prev, shard)
			}
			from[t.Name] = shard
			want, indexed := x.WeightMap[t.Name]
			switch {
			case !indexed:
				unindexed = append(unindexed, shard+": "+t.Name)
				continue
			case want != shard:
				return nil, nil, fmt.Errorf("%s: tensor %q is in shard %s but the index names %s", indexPath, t.Name, shard, want)
			}
			all[t.Name] = t
		}
	}
	var missing []string
	for key, shard := range x.WeightMap {
		if _, ok := all[key]; !ok {
			missing = append(missing, fmt.Sprintf("%s (in %s)", key, shard))
		}
	}
	var errs []error
	if len(missing) > 0 {
		sort.Strings(missing)
		errs = append(errs, fmt.Errorf("%d indexed tensors not found in their shards: %s", len(missing), listSome(missing, 20)))
	}
	if len(unindexed) > 0 {
		errs = append(errs, fmt.Errorf("%d tensors in shards are not in the index: %s", len(unindexed), listSome(unindexed, 20)))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, nil, fmt.Errorf("%s: inconsistent shard index: %w", indexPath, err)
	}
	return all, x, nil
}

// listSome joins up to max items and says how many more there are.
func listSome(items []string, max int) string {
	if len(items) <= max {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s, … and %d more", strings.Join(items[:max], ", "), len(items)-max)
}
