package checkpoints

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Format is the kind of weight file(s) of a checkpoint folder.
type Format string

const (
	FormatSafetensors        Format = "safetensors"         // model.safetensors
	FormatShardedSafetensors Format = "safetensors-sharded" // model.safetensors.index.json + shards
	FormatTorchBin           Format = "torch"               // pytorch_model.bin (torch zip format)
	FormatShardedTorchBin    Format = "torch-sharded"       // pytorch_model.bin.index.json + shards
)

// DefaultFormats is the order in which FindWeightFiles looks for weight files.
var DefaultFormats = []Format{FormatSafetensors, FormatShardedSafetensors, FormatTorchBin, FormatShardedTorchBin}

// WeightFileName returns the file name of format f in a HuggingFace checkpoint folder: for the model
// itself, or for the MLM generator that Microsoft ships beside DeBERTa-v3 discriminators
// (`pytorch_model.generator.bin`). The generator safetensors names (`model.generator.safetensors`,
// `model.generator.safetensors.index.json`) follow the same pattern; the Hub has no standard for them.
func WeightFileName(f Format, generator bool) string {
	base := map[Format]string{
		FormatSafetensors:        "model.safetensors",
		FormatShardedSafetensors: "model.safetensors.index.json",
		FormatTorchBin:           "pytorch_model.bin",
		FormatShardedTorchBin:    "pytorch_model.bin.index.json",
	}[f]
	if generator && base != "" {
		stem, rest, _ := strings.Cut(base, ".")
		return stem + ".generator." + rest
	}
	return base
}

// ReadOptions selects the weight files of a checkpoint folder.
type ReadOptions struct {
	// Generator selects the generator checkpoint (pytorch_model.generator.bin, model.generator.safetensors,
	// ...) instead of the main model's.
	Generator bool
	// Formats is the order of preference; nil means DefaultFormats. The first format present is used.
	Formats []Format
}

// WeightFiles says which weight files of a folder hold a checkpoint.
type WeightFiles struct {
	Dir    string
	Format Format
	Path   string   // the file found: the weights file, or the index of a sharded checkpoint
	Files  []string // the weight files to read (the shards of a sharded checkpoint), as paths
}

// StateDict is a checkpoint read from a folder.
type StateDict struct {
	Tensors  map[string]*Tensor
	Metadata map[string]string // safetensors __metadata__ (nil for torch files)
	Source   WeightFiles       // which files were read
}

// Keys returns the tensor names, sorted.
func (s *StateDict) Keys() []string {
	keys := make([]string, 0, len(s.Tensors))
	for k := range s.Tensors {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// FindWeightFiles picks the weight files of a checkpoint folder: the first of opts.Formats (by default
// model.safetensors, model.safetensors.index.json, pytorch_model.bin, pytorch_model.bin.index.json, or their
// generator names with opts.Generator) that exists. When none does, the error lists what the folder holds.
func FindWeightFiles(dir string, opts ReadOptions) (*WeightFiles, error) {
	formats := opts.Formats
	if formats == nil {
		formats = DefaultFormats
	}
	var looked []string
	for _, f := range formats {
		name := WeightFileName(f, opts.Generator)
		if name == "" {
			return nil, fmt.Errorf("unknown weight file format %q", f)
		}
		looked = append(looked, name)
		path := filepath.Join(dir, name)
		st, err := os.Stat(path)
		if err != nil || !st.Mode().IsRegular() {
			continue
		}
		wf := &WeightFiles{Dir: dir, Format: f, Path: path, Files: []string{path}}
		if f == FormatShardedSafetensors || f == FormatShardedTorchBin {
			x, err := ReadShardIndex(path)
			if err != nil {
				return nil, err
			}
			wf.Files = nil
			for _, s := range x.Shards() {
				wf.Files = append(wf.Files, filepath.Join(dir, s))
			}
		}
		return wf, nil
	}
	return nil, noWeightsError(dir, looked, opts.Generator)
}

func noWeightsError(dir string, looked []string, generator bool) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("%s: no weight file found: %w", dir, err)
	}
	var names []string
	hint := ""
	for _, e := range ents {
		n := e.Name()
		names = append(names, n)
		switch {
		case !generator && strings.Contains(n, ".generator."):
			hint = "; " + n + " is a generator checkpoint: set ReadOptions.Generator to read it"
		case n == "tf_model.h5" || n == "flax_model.msgpack":
			hint = "; TensorFlow/Flax weights (" + n + ") are not supported"
		}
	}
	holds := "nothing"
	if len(names) > 0 {
		holds = strings.Join(names, ", ")
	}
	return fmt.Errorf("%s: no weight file found (looked for %s); the folder holds: %s%s",
		dir, strings.Join(looked, ", "), holds, hint)
}

// ReadStateDict finds the weight files of dir (see FindWeightFiles) and reads all their tensors.
func ReadStateDict(dir string, opts ReadOptions) (*StateDict, error) {
	wf, err := FindWeightFiles(dir, opts)
	if err != nil {
		return nil, err
	}
	sd := &StateDict{Source: *wf}
	switch wf.Format {
	case FormatSafetensors:
		sd.Tensors, sd.Metadata, err = ReadSafetensors(wf.Path)
	case FormatShardedSafetensors:
		sd.Tensors, sd.Metadata, _, err = ReadShardedSafetensors(wf.Path)
	case FormatTorchBin:
		sd.Tensors, err = ReadTorchBin(wf.Path)
	case FormatShardedTorchBin:
		sd.Tensors, _, err = ReadShardedTorchBin(wf.Path)
	}
	if err != nil {
		return nil, err
	}
	return sd, nil
}
