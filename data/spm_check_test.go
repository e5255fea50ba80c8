package data

import (
	"bufio"
	"encoding/json"
	"os"
	"slices"
	"testing"

	"github.com/deberta-go/lab/tokenizer"
)

// TestSPMParity is the manual check of spm.md: it loads a model trained by scripts/train_spm.py with our
// tokenizer and compares its ids with those sentencepiece wrote to a JSONL golden ({"text", "ids"} per line).
// It runs only with DEBERTA_SPM_DIR=<folder with spm.model> and DEBERTA_SPM_GOLDEN=<jsonl>.
func TestSPMParity(t *testing.T) {
	dir, golden := os.Getenv("DEBERTA_SPM_DIR"), os.Getenv("DEBERTA_SPM_GOLDEN")
	if dir == "" || golden == "" {
		t.Skip("set DEBERTA_SPM_DIR and DEBERTA_SPM_GOLDEN (see data/spm.md)")
	}
	tok, err := tokenizer.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	sid := tok.SpecialIDs()
	if want := int32(tok.SentencePiece().NumPieces()); sid.Mask != want || sid.Pad != 0 || sid.CLS != 1 ||
		sid.SEP != 2 || sid.Unk != 3 {
		t.Errorf("special ids %+v, want [MASK]=%d", sid, want)
	}
	f, err := os.Open(golden)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	n, bad := 0, 0
	for sc.Scan() {
		var g struct {
			Text string  `json:"text"`
			IDs  []int32 `json:"ids"`
		}
		if err := json.Unmarshal(sc.Bytes(), &g); err != nil {
			t.Fatal(err)
		}
		n++
		if got := tok.SentencePiece().EncodeIDs(g.Text); !slices.Equal(got, g.IDs) {
			bad++
			t.Errorf("%q: got %v, sentencepiece %v", g.Text, got, g.IDs)
		}
	}
	t.Logf("%d of %d texts encode equal to sentencepiece", n-bad, n)
}
