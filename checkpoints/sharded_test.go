package checkpoints

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// shardFixture splits the tiny-v3/mlm tensors into two safetensors shards in a temporary folder. edit may
// change the tensors of each shard and the weight map before they are written. It returns the index path.
func shardFixture(t *testing.T, edit func(shards [2][]*Tensor, weightMap map[string]string) [2][]*Tensor) (string, map[string]*Tensor) {
	t.Helper()
	all, _, err := ReadSafetensors(fixtures + "/tiny-v3/mlm/model.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	names := [2]string{"model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"}
	var shards [2][]*Tensor
	weightMap := map[string]string{}
	for i, tn := range SortedTensors(all) {
		s := i % 2
		shards[s] = append(shards[s], tn)
		weightMap[tn.Name] = names[s]
	}
	if edit != nil {
		shards = edit(shards, weightMap)
	}
	dir := t.TempDir()
	for i, s := range shards {
		if err := WriteSafetensors(filepath.Join(dir, names[i]), s, map[string]string{"format": "pt"}, "F32"); err != nil {
			t.Fatal(err)
		}
	}
	return writeIndex(t, dir, "model.safetensors.index.json", weightMap), all
}

func writeIndex(t *testing.T, dir, name string, weightMap map[string]string) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{"metadata": map[string]any{"total_size": 1234}, "weight_map": weightMap})
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReadShardedSafetensors(t *testing.T) {
	index, all := shardFixture(t, nil)
	got, meta, x, err := ReadShardedSafetensors(index)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(all) || meta["format"] != "pt" || x.Metadata["total_size"] != float64(1234) {
		t.Fatalf("%d tensors (want %d), metadata %v, index metadata %v", len(got), len(all), meta, x.Metadata)
	}
	if want := []string{"model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"}; !reflect.DeepEqual(x.Shards(), want) {
		t.Errorf("Shards() = %v", x.Shards())
	}
	for name, w := range all {
		if g := got[name]; g == nil || !sameBits(g.Data, w.Data) || !reflect.DeepEqual(g.Shape, w.Shape) {
			t.Errorf("%s differs", name)
		}
	}
}

func TestReadShardedSafetensorsErrors(t *testing.T) {
	const s1, s2 = "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"
	for _, c := range []struct {
		name string
		edit func(shards [2][]*Tensor, wm map[string]string) [2][]*Tensor
		want string
	}{
		{"missing", func(s [2][]*Tensor, wm map[string]string) [2][]*Tensor {
			wm["ghost.weight"] = s1
			wm["ghost.bias"] = s2
			return s
		}, "inconsistent shard index: 2 indexed tensors not found in their shards: ghost.bias (in " + s2 + "), ghost.weight (in " + s1 + ")"},
		{"wrong shard", func(s [2][]*Tensor, wm map[string]string) [2][]*Tensor {
			wm[s[0][0].Name] = s2
			return s
		}, `tensor "cls.predictions.bias" is in shard ` + s1 + " but the index names " + s2},
		{"duplicate", func(s [2][]*Tensor, wm map[string]string) [2][]*Tensor {
			s[1] = append(s[1], s[0][0])
			return s
		}, `tensor "cls.predictions.bias" appears in two shards: ` + s1 + " and " + s2},
		{"unindexed", func(s [2][]*Tensor, wm map[string]string) [2][]*Tensor {
			delete(wm, s[1][0].Name)
			return s
		}, "1 tensors in shards are not in the index: " + s2 + ": cls.predictions.transform.LayerNorm.bias"},
		{"escaping shard name", func(s [2][]*Tensor, wm map[string]string) [2][]*Tensor {
			wm["x"] = "../x.safetensors"
			return s
		}, `key "x": shard file name "../x.safetensors" must be a plain name`},
		{"missing shard", func(s [2][]*Tensor, wm map[string]string) [2][]*Tensor {
			wm["x"] = "model-00003-of-00002.safetensors"
			return s
		}, "shard model-00003-of-00002.safetensors: open"},
	} {
		index, _ := shardFixture(t, c.edit)
		_, _, _, err := ReadShardedSafetensors(index)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), index+": ") {
			t.Errorf("%s: error %v, want %q prefixed by the index path", c.name, err, c.want)
		}
	}
	dir := t.TempDir()
	for _, c := range []struct{ content, want string }{
		{`{"weight_map":{}}`, "no weight_map entries"},
		{`{"weight_map":`, "not a shard index"},
		{`{"weight_map":{"a":1}}`, "not a shard index"},
	} {
		p := filepath.Join(dir, "model.safetensors.index.json")
		os.WriteFile(p, []byte(c.content), 0o644)
		if _, _, _, err := ReadShardedSafetensors(p); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.content, err, c.want)
		}
	}
}

func TestReadShardedTorchBin(t *testing.T) {
	dir := t.TempDir()
	mk := func(name, key string) []torchTestEntry {
		return []torchTestEntry{{name: name, storage: "FloatStorage", key: key, numel: 1, size: []int{1}, stride: []int{1}}}
	}
	os.WriteFile(filepath.Join(dir, "pytorch_model-00001-of-00002.bin"),
		torchTestCheckpoint(t, mk("a", "0"), map[string][]byte{"0": leBytes(float32(1))}, nil), 0o644)
	os.WriteFile(filepath.Join(dir, "pytorch_model-00002-of-00002.bin"),
		torchTestCheckpoint(t, mk("b", "0"), map[string][]byte{"0": leBytes(float32(2))}, nil), 0o644)
	index := writeIndex(t, dir, "pytorch_model.bin.index.json", map[string]string{
		"a": "pytorch_model-00001-of-00002.bin", "b": "pytorch_model-00002-of-00002.bin"})
	got, x, err := ReadShardedTorchBin(index)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got["a"].Data[0] != 1 || got["b"].Data[0] != 2 || len(x.Shards()) != 2 {
		t.Errorf("got %v, shards %v", got, x.Shards())
	}
}
