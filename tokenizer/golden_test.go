package tokenizer

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
)

// goldenCase is one line of spm_golden.jsonl: the output of the real sentencepiece 0.1.97 for one text.
type goldenCase struct {
	ID           int      `json:"id"`
	Kind         string   `json:"kind"`
	Text         string   `json:"text"`
	IDs          []int32  `json:"ids"`
	Pieces       []string `json:"pieces"`
	Surfaces     []string `json:"surfaces"`
	CharOffsets  [][2]int `json:"char_offsets"`
	Decoded      string   `json:"decoded"`
	DecodePieces string   `json:"decode_pieces"`
}

// goldenModels are the models of testdata/ that have a spm_golden.jsonl next to their spm.model.
var goldenModels = []string{"spm", "spm-bytefallback", "extra-nodummy", "extra-suffix"}

var (
	modelCache   = map[string]*SentencePiece{}
	modelCacheMu sync.Mutex
)

// loadTestModel loads testdata/<name>/spm.model once per test binary.
func loadTestModel(t testing.TB, name string) *SentencePiece {
	t.Helper()
	modelCacheMu.Lock()
	defer modelCacheMu.Unlock()
	if sp, ok := modelCache[name]; ok {
		return sp
	}
	sp, err := LoadSentencePiece(filepath.Join("testdata", name, "spm.model"))
	if err != nil {
		t.Fatal(err)
	}
	modelCache[name] = sp
	return sp
}

// readJSONL decodes every line of a testdata file into a new T.
func readJSONL[T any](t testing.TB, path string) []T {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []T
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var v T
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, v)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatalf("%s: no cases", path)
	}
	return out
}

// TestGolden compares every golden string of both models with the real sentencepiece: ids, pieces, surfaces,
// code-point offsets, decode of the ids and decode of the pieces.
func TestGolden(t *testing.T) {
	for _, name := range goldenModels {
		t.Run(name, func(t *testing.T) {
			sp := loadTestModel(t, name)
			cases := readJSONL[goldenCase](t, filepath.Join("testdata", name, "spm_golden.jsonl"))
			matched := 0
			for _, c := range cases {
				if checkGolden(t, sp, c) {
					matched++
				}
			}
			t.Logf("%s: %d/%d golden strings identical (ids, pieces, offsets, decode)", name, matched, len(cases))
		})
	}
}

func checkGolden(t *testing.T, sp *SentencePiece, c goldenCase) bool {
	t.Helper()
	ok := true
	fail := func(what string, got, want any) {
		t.Errorf("case %d (%s) %q: %s = %v, want %v", c.ID, c.Kind, c.Text, what, got, want)
		ok = false
	}
	wantIDs := c.IDs
	if wantIDs == nil {
		wantIDs = []int32{}
	}
	if ids := sp.EncodeIDs(c.Text); !reflect.DeepEqual(ids, wantIDs) {
		fail("EncodeIDs", ids, wantIDs)
	}
	tokens := sp.Encode(c.Text)
	ids, pieces := make([]int32, len(tokens)), make([]string, len(tokens))
	surfaces, offsets := make([]string, len(tokens)), make([][2]int, len(tokens))
	for i, tok := range tokens {
		ids[i], pieces[i] = tok.ID, tok.Piece
		surfaces[i], offsets[i] = c.Text[tok.Start:tok.End], [2]int{tok.RuneStart, tok.RuneEnd}
	}
	if !reflect.DeepEqual(ids, wantIDs) {
		fail("Encode ids", ids, wantIDs)
	}
	if len(c.Pieces) > 0 || len(pieces) > 0 {
		if !reflect.DeepEqual(pieces, c.Pieces) {
			fail("pieces", pieces, c.Pieces)
		}
		if !reflect.DeepEqual(surfaces, c.Surfaces) {
			fail("surfaces", surfaces, c.Surfaces)
		}
		if !reflect.DeepEqual(offsets, c.CharOffsets) {
			fail("char offsets", offsets, c.CharOffsets)
		}
		if p := sp.EncodePieces(c.Text); !reflect.DeepEqual(p, c.Pieces) {
			fail("EncodePieces", p, c.Pieces)
		}
	}
	if got, err := sp.Decode(wantIDs); err != nil || got != c.Decoded {
		fail("Decode", got, c.Decoded)
	}
	if got := sp.DecodePieces(c.Pieces); got != c.DecodePieces {
		fail("DecodePieces", got, c.DecodePieces)
	}
	return ok
}
