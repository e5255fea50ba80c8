package data

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/deberta-go/lab/tokenizer"
)

const testTokenizerDir = "../tokenizer/testdata/spm-bytefallback"

func loadTokenizer(t testing.TB) *tokenizer.Tokenizer {
	t.Helper()
	tok, err := tokenizer.Load(testTokenizerDir)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// docsOf streams in-memory documents.
func docsOf(texts ...string) Docs {
	return func(yield func(Document, error) bool) {
		for i, s := range texts {
			if !yield(Document{ID: fmt.Sprint("doc", i), Text: s}, nil) {
				return
			}
		}
	}
}

func collect[T any](t *testing.T, seq func(func(T, error) bool)) []T {
	t.Helper()
	var out []T
	for x, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, x)
	}
	return out
}

func TestPackConcatenatesDocuments(t *testing.T) {
	tok := loadTokenizer(t)
	sid, sp := tok.SpecialIDs(), tok.SentencePiece()
	texts := []string{"The quick brown fox jumps over the lazy dog.", "", "Light is refracted by the prism.",
		strings.Repeat("Colours of thin plates. ", 12)}
	var stream []int32 // the expected concatenation: doc [SEP] doc [SEP] ...
	for _, s := range texts {
		if ids := sp.EncodeIDs(s); len(ids) > 0 {
			stream = append(append(stream, ids...), sid.SEP)
		}
	}
	for _, L := range []int{3, 8, 16, 33} {
		seqs := collect(t, Pack(tok, docsOf(texts...), L, false))
		var got []int32
		for i, s := range seqs {
			if len(s) != L || s[0] != sid.CLS {
				t.Fatalf("L=%d seq %d = %v", L, i, s)
			}
			body := s[1:]
			end := slices.Index(body, sid.Pad)
			if end < 0 {
				end = len(body)
			} else if i != len(seqs)-1 {
				t.Fatalf("L=%d: padding in sequence %d of %d", L, i, len(seqs))
			}
			if body[end-1] != sid.SEP {
				t.Fatalf("L=%d seq %d does not end with [SEP]: %v", L, i, s)
			}
			if body[0] == sid.SEP {
				t.Fatalf("L=%d seq %d starts with a separator", L, i)
			}
			got = append(got, body[:end-1]...)
			if i == len(seqs)-1 {
				got = append(got, sid.SEP) // emit drops the closing separator of the last document
			}
		}
		// Windows starting with a document separator drop it: remove those from the expectation.
		want := slices.Clone(stream)
		if !slices.Equal(withoutSEP(got), withoutSEP(want)) {
			t.Errorf("L=%d: packed tokens differ from the concatenation", L)
		}
		dropped := collect(t, Pack(tok, docsOf(texts...), L, true))
		if len(dropped) != len(seqs) && len(dropped) != len(seqs)-1 {
			t.Errorf("L=%d: dropLast gives %d sequences of %d", L, len(dropped), len(seqs))
		}
		for _, s := range dropped {
			if slices.Contains(s, sid.Pad) {
				t.Errorf("L=%d: dropLast kept a padded sequence", L)
			}
		}
	}
	if _, err := firstErr(Pack(tok, docsOf("x"), 2, false)); err == nil {
		t.Error("no error for L=2")
	}
}

func withoutSEP(ids []int32) []int32 {
	return slices.DeleteFunc(slices.Clone(ids), func(id int32) bool { return id == 2 })
}

func firstErr(seq Sequences) ([]int32, error) {
	for s, err := range seq {
		return s, err
	}
	return nil, nil
}

func TestPackPropagatesErrors(t *testing.T) {
	tok := loadTokenizer(t)
	bad := func(yield func(Document, error) bool) { yield(Document{}, errors.New("boom")) }
	if _, err := firstErr(Pack(tok, bad, 8, false)); err == nil || err.Error() != "boom" {
		t.Errorf("err = %v", err)
	}
}

func TestSplitByDocument(t *testing.T) {
	var texts []string
	for i := range 2000 {
		texts = append(texts, fmt.Sprint("text ", i))
	}
	train := collect(t, Split(docsOf(texts...), 0.1, 7, false))
	val := collect(t, Split(docsOf(texts...), 0.1, 7, true))
	if len(train)+len(val) != 2000 {
		t.Fatalf("%d + %d documents, want 2000", len(train), len(val))
	}
	if f := float64(len(val)) / 2000; f < 0.08 || f > 0.12 {
		t.Errorf("validation fraction %.3f, want ≈ 0.1", f)
	}
	for _, d := range val {
		if !IsValidation(d.ID, 0.1, 7) || IsValidation(d.ID, 0, 7) || !IsValidation(d.ID, 1, 7) {
			t.Fatalf("IsValidation inconsistent for %s", d.ID)
		}
	}
	val2 := collect(t, Split(docsOf(texts...), 0.1, 8, true))
	if slices.EqualFunc(val, val2, func(a, b Document) bool { return a.ID == b.ID }) {
		t.Error("seed does not change the split")
	}
}

func TestShuffleDeterministicPermutation(t *testing.T) {
	items := func(yield func(int, error) bool) {
		for i := range 100 {
			if !yield(i, nil) {
				return
			}
		}
	}
	a := collect(t, Shuffle(items, 16, 1))
	b := collect(t, Shuffle(items, 16, 1))
	c := collect(t, Shuffle(items, 16, 2))
	if !slices.Equal(a, b) || slices.Equal(a, c) {
		t.Error("shuffle not deterministic per seed")
	}
	sorted := slices.Sorted(slices.Values(a))
	for i, v := range sorted {
		if v != i {
			t.Fatalf("not a permutation: %v", a)
		}
	}
	if slices.IsSorted(a) {
		t.Error("not shuffled")
	}
	if got := collect(t, Shuffle(items, 1000, 3)); len(got) != 100 {
		t.Errorf("large buffer: %d items", len(got))
	}
}

func TestBatcher(t *testing.T) {
	const L = 4
	seqs := func(n int) Sequences {
		return func(yield func([]int32, error) bool) {
			for i := range n {
				if !yield([]int32{1, int32(10 + i), 2, 0}, nil) {
					return
				}
			}
		}
	}
	b, err := NewBatcher(seqs(5), 2, L, 0, false)
	if err != nil {
		t.Fatal(err)
	}
	var rows []int
	for {
		batch, err := b.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, batch.Rows)
		ids, mask := batch.Tensors()
		if !slices.Equal(ids.Shape().Dimensions, []int{2, L}) || !slices.Equal(mask.Shape().Dimensions, []int{2, L}) {
			t.Fatalf("shapes %s %s", ids.Shape(), mask.Shape())
		}
		for i, id := range batch.IDs {
			if (id != 0) != (batch.Mask[i] == 1) {
				t.Fatalf("mask %v for ids %v", batch.Mask, batch.IDs)
			}
		}
	}
	if !slices.Equal(rows, []int{2, 2, 1}) {
		t.Errorf("rows = %v", rows)
	}
	b, _ = NewBatcher(seqs(5), 2, L, 0, true)
	n := 0
	for _, err := b.Next(); err == nil; _, err = b.Next() {
		n++
	}
	if n != 2 {
		t.Errorf("dropLast: %d batches, want 2", n)
	}
	b, _ = NewBatcher(seqs(5), 2, 3, 0, false)
	if _, err := b.Next(); err == nil {
		t.Error("no error for a sequence of the wrong length")
	}
	b, _ = NewBatcher(seqs(100), 2, L, 0, false)
	b.Next()
	b.Close()
	if _, err := b.Next(); err != io.EOF {
		t.Errorf("after Close: %v", err)
	}
}
