package checkpoints_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/deberta-go/lab/checkpoints"
	"github.com/deberta-go/lab/debertav3"
	"github.com/deberta-go/lab/hub"
	"github.com/deberta-go/lab/internal/fakehub"
	"github.com/deberta-go/lab/internal/testutil"
)

// hubToken is the fake hub's token for private and gated repositories.
const hubToken = "hf_fAkEtOkEn0123456789secret"

// Repositories of the fake hub (see newTestHub).
const (
	repoMLM       = "tiny/deberta-v3-mlm"      // tiny-v3/mlm + tokenizer files
	repoOfficial  = "microsoft/tiny-official"  // official-tiny discriminator + generator files
	repoPinned    = "tiny/deberta-v3-pinned"   // tag v1 and main differ in config.json
	repoSharded   = "tiny/deberta-v3-sharded"  // model.safetensors.index.json + 2 shards
	repoPrivate   = "someone/private-model"    // 401 without the token
	repoGated     = "microsoft/gated-model"    // 403 without the token
	repoMissing   = "nobody/no-such-model"     // not on the hub
	hubSPMContent = "fake sentencepiece model" // LFS by extension (*.model)
	hubTokCfg     = `{"do_lower_case": false, "vocab_type": "spm"}`
)

// testHub is a fake hub with the test repositories, and the commits it made.
type testHub struct {
	*fakehub.Hub
	pinnedV1, pinnedMain string // commits of repoPinned
}

func hubFixtureFiles(t *testing.T, parts ...string) map[string][]byte {
	t.Helper()
	files, err := fakehub.ReadDir(testutil.Fixture(parts...))
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// newTestHub starts a fake hub holding the test repositories; it stops with the test.
func newTestHub(t *testing.T) *testHub {
	t.Helper()
	hub := fakehub.New()
	t.Cleanup(hub.Close)
	hub.Token = hubToken
	th := &testHub{Hub: hub}

	mlm := hubFixtureFiles(t, "tiny-v3", "mlm")
	mlm["spm.model"] = []byte(hubSPMContent)
	mlm["tokenizer_config.json"] = []byte(hubTokCfg)
	mlm["README.md"] = []byte("# tiny\n")
	hub.Repo(repoMLM).Commit(mlm, "main")

	official := hubFixtureFiles(t, "official-tiny", "discriminator")
	gen := hubFixtureFiles(t, "official-tiny", "generator")
	official["generator_config.json"] = gen["generator_config.json"]
	official["pytorch_model.generator.bin"] = gen["pytorch_model.generator.bin"]
	hub.Repo(repoOfficial).Commit(official, "main")

	v1 := hubFixtureFiles(t, "tiny-v3", "base")
	delete(v1, "pytorch_model.bin")
	th.pinnedV1 = hub.Repo(repoPinned).Commit(v1, "v1")
	main := hubFixtureFiles(t, "tiny-v3", "base")
	delete(main, "pytorch_model.bin")
	main["config.json"] = bytes.Replace(main["config.json"], []byte(`"hidden_dropout_prob": 0.1`), []byte(`"hidden_dropout_prob": 0.25`), 1)
	th.pinnedMain = hub.Repo(repoPinned).Commit(main, "main")

	hub.Repo(repoSharded).Commit(shardedFiles(t), "main")

	private := hub.Repo(repoPrivate)
	private.Private = true
	private.Commit(hubFixtureFiles(t, "tiny-v3", "base"), "main")
	gated := hub.Repo(repoGated)
	gated.Gated = true
	gated.Commit(hubFixtureFiles(t, "tiny-v3", "base"), "main")
	return th
}

// shardedFiles is tiny-v3/mlm as a two-shard safetensors checkpoint.
func shardedFiles(t *testing.T) map[string][]byte {
	t.Helper()
	all, _, err := checkpoints.ReadSafetensors(testutil.Fixture("tiny-v3", "mlm", "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	names := [2]string{"model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"}
	var shards [2][]*checkpoints.Tensor
	var index strings.Builder
	index.WriteString(`{"metadata": {"total_size": 1}, "weight_map": {`)
	for i, tn := range checkpoints.SortedTensors(all) {
		shards[i%2] = append(shards[i%2], tn)
		if i > 0 {
			index.WriteString(", ")
		}
		index.WriteString(`"` + tn.Name + `": "` + names[i%2] + `"`)
	}
	index.WriteString("}}")
	dir := t.TempDir()
	files := map[string][]byte{
		"config.json":                  hubFixtureFiles(t, "tiny-v3", "mlm")["config.json"],
		"model.safetensors.index.json": []byte(index.String()),
	}
	for i, s := range shards {
		p := filepath.Join(dir, names[i])
		if err := checkpoints.WriteSafetensors(p, s, map[string]string{"format": "pt"}, "F32"); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files[names[i]] = b
	}
	return files
}

// opts are hub options for the fake hub with a cache in a temporary folder, without retries (the tests of
// retries set them).
func (th *testHub) opts(cache string) hub.Options {
	return hub.Options{Endpoint: th.URL, CacheDir: cache, MaxRetries: -1}
}

// hubForward runs a small forward pass and checks that it produced a hidden state.
func hubForward(t *testing.T, m *debertav3.Model) {
	t.Helper()
	ids := tensors.FromFlatDataAndDimensions([]int32{1, 10, 20, 30, 40, 2}, 1, 6)
	mask := tensors.FromFlatDataAndDimensions([]int32{1, 1, 1, 1, 1, 1}, 1, 6)
	out, err := m.Forward(debertav3.Inputs{InputIDs: ids, AttentionMask: mask})
	if err != nil {
		t.Fatal(err)
	}
	if out.LastHiddenState == nil || out.LastHiddenState.Shape().Dimensions[2] != m.Config.HiddenSize {
		t.Fatalf("forward gave no usable last hidden state: %+v", out.LastHiddenState)
	}
}

// hubRepoCacheDir is the cache folder of a repository, as Python names it.
func hubRepoCacheDir(cache, repo string) string {
	return filepath.Join(cache, "models--"+strings.ReplaceAll(repo, "/", "--"))
}

// hubBlobs lists the blob file names of a repository's cache folder.
func hubBlobs(t *testing.T, cache, repo string) []string {
	t.Helper()
	ents, err := os.ReadDir(filepath.Join(hubRepoCacheDir(cache, repo), "blobs"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

// hubIsWeightFile says whether a repository file is a weight file (its GETs are what a cache must avoid).
func hubIsWeightFile(name string) bool {
	return strings.HasSuffix(name, ".safetensors") || strings.HasSuffix(name, ".bin")
}

// hubCheckWeights checks that the snapshot's model.safetensors is the fixture's, byte for byte.
func hubCheckWeights(t *testing.T, snap *checkpoints.Snapshot) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(snap.Dir, "model.safetensors"))
	if err != nil || fakehub.SHA256(b) != hubWeightsSHA(t) {
		t.Errorf("model.safetensors of the snapshot is not the repository's (%v)", err)
	}
}
