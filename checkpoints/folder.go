package checkpoints

import (
	"errors"
	"os"
	"path/filepath"

	"github.com/deberta-go/lab/debertav3"
)

// TokenizerFiles are the tokenizer files a DeBERTa-v3 folder may carry beside its weights.
var TokenizerFiles = []string{"spm.model", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json"}

// ReadCheckpoint reads a folder's config and weights: config.json, or with generator generator_config.json and
// the generator weight-file names — falling back to the plain names in a generator-only folder (no config.json
// beside it, as pretrain.ExportGenerator writes; such a folder is read so without generator too).
// configPath is the config file read.
func ReadCheckpoint(dir string, generator bool, formats []Format) (cfg *debertav3.Config, sd *StateDict, configPath string, err error) {
	configPath = filepath.Join(dir, configFileName(generator || IsGeneratorOnly(dir)))
	if cfg, err = debertav3.LoadConfig(configPath); err != nil {
		return nil, nil, configPath, err
	}
	sd, err = ReadStateDict(dir, ReadOptions{Generator: generator, Formats: formats})
	if err != nil && generator && !fileExists(filepath.Join(dir, "config.json")) {
		sd, err = ReadStateDict(dir, ReadOptions{Formats: formats})
	}
	return cfg, sd, configPath, err
}

// IsGeneratorOnly reports whether dir holds a generator_config.json and no config.json.
func IsGeneratorOnly(dir string) bool {
	return !fileExists(filepath.Join(dir, "config.json")) && fileExists(filepath.Join(dir, "generator_config.json"))
}

// CopyTokenizerFiles copies the TokenizerFiles that src has into dst.
func CopyTokenizerFiles(src, dst string) error {
	for _, name := range TokenizerFiles {
		b, err := os.ReadFile(filepath.Join(src, name))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dst, name), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}
