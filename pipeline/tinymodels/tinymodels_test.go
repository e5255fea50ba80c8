package tinymodels

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/deberta-go/lab/checkpoints"
	"github.com/deberta-go/lab/debertav3"
	"github.com/deberta-go/lab/internal/testutil"
)

var spmDir = filepath.Join(testutil.RepoRoot(), "tokenizer", "testdata", "spm-bytefallback")

// TestWrite checks the folders load with the intended heads and that the seed fixes the weights.
func TestWrite(t *testing.T) {
	root := t.TempDir()
	write := func(name string, kind Kind, seed int64) string {
		dir := filepath.Join(root, name)
		if err := Write(dir, kind, spmDir, seed); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	a, b, c := write("a", RTD, 1), write("b", RTD, 1), write("c", RTD, 2)
	read := func(dir string) []byte {
		data, err := os.ReadFile(filepath.Join(dir, "model.safetensors"))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	if !bytes.Equal(read(a), read(b)) {
		t.Error("the same seed wrote different weights")
	}
	if bytes.Equal(read(a), read(c)) {
		t.Error("different seeds wrote the same weights")
	}
	for _, tc := range []struct {
		dir       string
		generator bool
		head      debertav3.Head
	}{{a, false, debertav3.HeadRTD}, {a, true, debertav3.HeadMaskedLM}, {write("nli", NLI, 1), false, debertav3.HeadSequenceClassification},
		{write("ner", NER, 1), false, debertav3.HeadTokenClassification}, {write("qa", QA, 1), false, debertav3.HeadQuestionAnswering}} {
		m, _, err := checkpoints.Open(tc.dir, checkpoints.OpenOptions{Generator: tc.generator})
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Options.Heads) != 1 || m.Options.Heads[0] != tc.head || m.Options.EnhancedMaskDecoder != tc.generator {
			t.Errorf("%s (generator %v): options %+v, want the %s head", tc.dir, tc.generator, m.Options, tc.head)
		}
		if m.Config.VocabSize != 8064 {
			t.Errorf("%s: vocab %d, want 8001 rounded up to 8064", tc.dir, m.Config.VocabSize)
		}
	}
	if err := Write(filepath.Join(root, "x"), Kind("bogus"), spmDir, 1); err == nil {
		t.Error("unknown kind: no error")
	}
}
