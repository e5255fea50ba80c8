package data

import (
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestWriteLines(t *testing.T) {
	long := strings.Repeat("A sentence here. ", 20) + strings.Repeat("é", 30)
	var b strings.Builder
	n, err := WriteLines(&b, docsOf("one\n\n  two  \n", long), 40)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if n != len(lines) || lines[0] != "one" || lines[1] != "two" || lines[2] != "A sentence here. A sentence here." {
		t.Fatalf("%d lines: %q", n, lines)
	}
	var joined []string
	for _, l := range lines[2:] {
		if len(l) > 40 || !utf8.ValidString(l) || l == "" {
			t.Errorf("bad line %q", l)
		}
		joined = append(joined, l)
	}
	if strings.ReplaceAll(strings.Join(joined, ""), " ", "") != strings.ReplaceAll(long, " ", "") {
		t.Error("text lost")
	}
}

// TestWriteSPMCorpus writes the training split of the pre-training corpora for scripts/train_spm.py (see
// spm.md); it runs only with DEBERTA_SPM_CORPUS=<output file> and fetches the corpora if needed.
func TestWriteSPMCorpus(t *testing.T) {
	out := os.Getenv("DEBERTA_SPM_CORPUS")
	if out == "" {
		t.Skip("set DEBERTA_SPM_CORPUS=<file> to write the SentencePiece training text")
	}
	docs, err := PretrainDocs(t.Context(), "", os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n, err := WriteLines(f, Split(docs, DefaultValidationFraction, DefaultSplitSeed, false), 4000)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %d lines to %s", n, out)
}
