package defaultmodel

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestDir: both folders are written once into the cache (keyed by the content hash), hold an HF config,
// F16 safetensors and the tokenizer, and a second call reuses them.
func TestDir(t *testing.T) {
	t.Setenv(CacheDirEnv, t.TempDir())
	for _, kind := range []Kind{Discriminator, Generator} {
		dir, err := Dir(kind)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{"config.json", "model.safetensors", "spm.model"} {
			if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
				t.Errorf("%s: %s missing or empty (%v)", kind, f, err)
			}
		}
		var cfg struct {
			Architectures []string `json:"architectures"`
			VocabSize     int      `json:"vocab_size"`
		}
		b, err := os.ReadFile(filepath.Join(dir, "config.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &cfg); err != nil || cfg.VocabSize != 8001 || len(cfg.Architectures) != 1 {
			t.Errorf("%s config: %+v, %v", kind, cfg, err)
		}
		if err := os.WriteFile(filepath.Join(dir, "marker"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
		again, err := Dir(kind)
		if err != nil || again != dir {
			t.Fatalf("second call: %q, %v (first %q)", again, err, dir)
		}
		if _, err := os.Stat(filepath.Join(dir, "marker")); err != nil {
			t.Errorf("%s: the folder was rewritten", kind)
		}
	}
	if _, err := Dir("critic"); err == nil {
		t.Error("unknown kind: no error")
	}
}
