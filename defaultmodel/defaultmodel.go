package defaultmodel

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sync"
)

// Name of the model (and of its cache folder).
const Name = "deberta-go-tiny-gdes"

// CacheDirEnv overrides where Dir writes the files (default: os.UserCacheDir()/deberta-go/models).
const CacheDirEnv = "DEBERTA_MODEL_CACHE"

// Kind selects one of the two folders.
type Kind string

// The two models.
const (
	// Discriminator: replaced-token detection (mask_predictions head), embeddings, fine-tuning.
	Discriminator Kind = "discriminator"
	// Generator: fill-mask (lm_predictions head).
	Generator Kind = "generator"
)

//go:embed discriminator generator
var files embed.FS

var (
	hashOnce sync.Once
	hash     string
	hashErr  error
)

// contentHash is the sha256 of every embedded file's path and bytes (first 12 hex digits).
func contentHash() (string, error) {
	hashOnce.Do(func() {
		h := sha256.New()
		hashErr = fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := files.ReadFile(p)
			if err != nil {
				return err
			}
			fmt.Fprintf(h, "%s\x00%d\x00", p, len(b))
			h.Write(b)
			return nil
		})
		hash = hex.EncodeToString(h.Sum(nil))[:12]
	})
	return hash, hashErr
}

// cacheRoot is $DEBERTA_MODEL_CACHE, else os.UserCacheDir()/deberta-go/models.
func cacheRoot() (string, error) {
	if d := os.Getenv(CacheDirEnv); d != "" {
		return d, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("defaultmodel: no cache folder (set %s): %w", CacheDirEnv, err)
	}
	return filepath.Join(d, "deberta-go", "models"), nil
}

// Dir returns a folder holding the embedded model of kind, writing it on first use into the cache folder
// (<cache>/<Name>-<hash>/<kind>; written to a temporary folder and renamed, so concurrent callers are safe).
func Dir(kind Kind) (string, error) {
	if kind != Discriminator && kind != Generator {
		return "", fmt.Errorf("defaultmodel: unknown kind %q (want %q or %q)", kind, Discriminator, Generator)
	}
	h, err := contentHash()
	if err != nil {
		return "", err
	}
	root, err := cacheRoot()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(root, Name+"-"+h, string(kind))
	if _, err := os.Stat(filepath.Join(dir, "config.json")); err == nil {
		return dir, nil
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return "", fmt.Errorf("defaultmodel: %w", err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), string(kind)+".tmp-")
	if err != nil {
		return "", fmt.Errorf("defaultmodel: %w", err)
	}
	defer os.RemoveAll(tmp)
	entries, err := files.ReadDir(string(kind))
	if err != nil {
		return "", err
	}
	for _, e := range entries {
		b, err := files.ReadFile(path.Join(string(kind), e.Name()))
		if err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(tmp, e.Name()), b, 0o644); err != nil {
			return "", fmt.Errorf("defaultmodel: %w", err)
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		if _, statErr := os.Stat(filepath.Join(dir, "config.json")); statErr == nil {
			return dir, nil // another process won the race
		}
		return "", fmt.Errorf("defaultmodel: %w", err)
	}
	return dir, nil
}
