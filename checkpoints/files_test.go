package checkpoints

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFindWeightFiles(t *testing.T) {
	sharded, _ := shardFixture(t, nil)
	shardDir := filepath.Dir(sharded)
	for _, c := range []struct {
		dir      string
		opts     ReadOptions
		format   Format
		file     string
		numFiles int
	}{
		{fixtures + "/tiny-v3/mlm", ReadOptions{}, FormatSafetensors, "model.safetensors", 1},
		{fixtures + "/tiny-v3/mlm", ReadOptions{Formats: []Format{FormatTorchBin, FormatSafetensors}}, FormatTorchBin, "pytorch_model.bin", 1},
		{fixtures + "/official-tiny/generator", ReadOptions{}, FormatSafetensors, "model.safetensors", 1},
		{fixtures + "/official-tiny/generator", ReadOptions{Generator: true}, FormatTorchBin, "pytorch_model.generator.bin", 1},
		{shardDir, ReadOptions{}, FormatShardedSafetensors, "model.safetensors.index.json", 2},
	} {
		wf, err := FindWeightFiles(c.dir, c.opts)
		if err != nil {
			t.Fatalf("%s %+v: %v", c.dir, c.opts, err)
		}
		if wf.Format != c.format || filepath.Base(wf.Path) != c.file || len(wf.Files) != c.numFiles || wf.Dir != c.dir {
			t.Errorf("%s %+v: got %+v", c.dir, c.opts, wf)
		}
	}
}

func TestFindWeightFilesErrors(t *testing.T) {
	genOnly := t.TempDir()
	os.WriteFile(filepath.Join(genOnly, "generator_config.json"), []byte("{}"), 0o644)
	os.WriteFile(filepath.Join(genOnly, "pytorch_model.generator.bin"), nil, 0o644)
	tf := t.TempDir()
	os.WriteFile(filepath.Join(tf, "tf_model.h5"), nil, 0o644)
	for _, c := range []struct {
		dir  string
		opts ReadOptions
		want string
	}{
		{fixtures + "/official-tiny/discriminator", ReadOptions{Generator: true},
			"no weight file found (looked for model.generator.safetensors, model.generator.safetensors.index.json, " +
				"pytorch_model.generator.bin, pytorch_model.generator.bin.index.json); the folder holds: config.json, model.safetensors, pytorch_model.bin"},
		{genOnly, ReadOptions{}, "the folder holds: generator_config.json, pytorch_model.generator.bin; " +
			"pytorch_model.generator.bin is a generator checkpoint: set ReadOptions.Generator to read it"},
		{tf, ReadOptions{}, "TensorFlow/Flax weights (tf_model.h5) are not supported"},
		{t.TempDir(), ReadOptions{}, "the folder holds: nothing"},
		{filepath.Join(tf, "missing"), ReadOptions{}, "no weight file found: open"},
		{tf, ReadOptions{Formats: []Format{"onnx"}}, `unknown weight file format "onnx"`},
	} {
		_, err := FindWeightFiles(c.dir, c.opts)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %+v: error %v, want %q", c.dir, c.opts, err, c.want)
		}
	}
}

func TestReadStateDict(t *testing.T) {
	st, err := ReadStateDict(fixtures+"/official-tiny/generator", ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	gen, err := ReadStateDict(fixtures+"/official-tiny/generator", ReadOptions{Generator: true})
	if err != nil {
		t.Fatal(err)
	}
	if st.Source.Format != FormatSafetensors || st.Metadata["format"] != "pt" || gen.Source.Format != FormatTorchBin || gen.Metadata != nil {
		t.Errorf("sources %+v / %+v, metadata %v / %v", st.Source, gen.Source, st.Metadata, gen.Metadata)
	}
	keys := gen.Keys()
	if len(keys) != len(st.Keys()) || keys[0] > keys[len(keys)-1] {
		t.Fatalf("keys %v vs %v", keys, st.Keys())
	}
	for _, k := range keys {
		if !sameBits(gen.Tensors[k].Data, st.Tensors[k].Data) {
			t.Errorf("%s differs between the .bin and model.safetensors", k)
		}
	}
	sharded, all := shardFixture(t, nil)
	sd, err := ReadStateDict(filepath.Dir(sharded), ReadOptions{})
	if err != nil || len(sd.Tensors) != len(all) || sd.Source.Format != FormatShardedSafetensors {
		t.Errorf("sharded: %v, %+v", err, sd)
	}
	if _, err := ReadStateDict(fixtures, ReadOptions{}); err == nil {
		t.Error("no error for a folder without weights")
	}
}

func TestWeightFileName(t *testing.T) {
	for f, want := range map[Format]string{
		FormatSafetensors:        "model.generator.safetensors",
		FormatShardedSafetensors: "model.generator.safetensors.index.json",
		FormatTorchBin:           "pytorch_model.generator.bin",
		FormatShardedTorchBin:    "pytorch_model.generator.bin.index.json",
		"other":                  "",
	} {
		if got := WeightFileName(f, true); got != want {
			t.Errorf("WeightFileName(%s, true) = %q, want %q", f, got, want)
		}
	}
}
