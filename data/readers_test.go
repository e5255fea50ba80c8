package data

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func ids(docs []Document) []string {
	var out []string
	for _, d := range docs {
		out = append(out, d.ID)
	}
	return out
}

func TestTextFiles(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "b.txt"), "one\ntwo\n\n\nthree\r\n")
	writeFile(t, filepath.Join(dir, "a", "c.txt"), "see")
	writeFile(t, filepath.Join(dir, "a", "d.md"), "dee")
	writeFile(t, filepath.Join(dir, ".complete"), "hidden")
	docs := collect(t, TextFiles([]string{dir}, TextOptions{}))
	want := []string{filepath.Join(dir, "a", "c.txt"), filepath.Join(dir, "a", "d.md"), filepath.Join(dir, "b.txt")}
	if !slices.Equal(ids(docs), want) {
		t.Errorf("ids = %v, want %v", ids(docs), want)
	}
	docs = collect(t, TextFiles([]string{dir}, TextOptions{Ext: []string{".txt"}, Paragraphs: true}))
	b := filepath.Join(dir, "b.txt")
	want = []string{filepath.Join(dir, "a", "c.txt") + "#1", b + "#1", b + "#2"}
	if !slices.Equal(ids(docs), want) || docs[1].Text != "one\ntwo" || docs[2].Text != "three" {
		t.Errorf("paragraphs = %q", docs)
	}
	for _, err := range TextFiles([]string{filepath.Join(dir, "missing")}, TextOptions{}) {
		if err == nil || !strings.Contains(err.Error(), "missing") {
			t.Errorf("err = %v", err)
		}
	}
}

func TestJSONL(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.jsonl")
	writeFile(t, path, "{\"text\":\"a\",\"id\":7}\n\n{\"text\":\"b\",\"id\":\"x\"}\n{\"text\":3}\n")
	var got []Document
	var gotErr error
	for d, err := range JSONL(path, "text", "id") {
		if err != nil {
			gotErr = err
			break
		}
		got = append(got, d)
	}
	if len(got) != 2 || got[0] != (Document{ID: "7", Text: "a"}) || got[1] != (Document{ID: "x", Text: "b"}) {
		t.Errorf("docs = %v", got)
	}
	if gotErr == nil || !strings.Contains(gotErr.Error(), "x.jsonl:4") || !strings.Contains(gotErr.Error(), `"text"`) {
		t.Errorf("err = %v, want file:line and field", gotErr)
	}
	writeFile(t, path, "{\"text\":\"a\"}\nnot json\n")
	var n int
	for d, err := range JSONL(path, "text", "") {
		if err != nil {
			if !strings.Contains(err.Error(), "x.jsonl:2") {
				t.Errorf("err = %v", err)
			}
			break
		}
		if d.ID != path+":1" {
			t.Errorf("id = %q", d.ID)
		}
		n++
	}
	if n != 1 {
		t.Errorf("%d docs before the error", n)
	}
}

func TestBrownSentence(t *testing.T) {
	for _, c := range [][2]string{
		{"\tThe/at jury/nn said/vbd ``/`` no/at evidence/nn ''/'' ,/, (/( he/pps said/vbd )/) ./.",
			`The jury said "no evidence", (he said).`},
		{"Atlanta's/np$ 1/cd-hl ?/.", "Atlanta's 1?"},
	} {
		got, err := BrownSentence(c[0])
		if err != nil || got != c[1] {
			t.Errorf("BrownSentence(%q) = %q, %v, want %q", c[0], got, err, c[1])
		}
	}
	if _, err := BrownSentence("no-tag here/x"); err == nil {
		t.Error("no error for a token without tag")
	}
	w, tags, _ := BrownTokens("a/b/c x/y")
	if !slices.Equal(w, []string{"a/b", "x"}) || !slices.Equal(tags, []string{"c", "y"}) {
		t.Errorf("BrownTokens = %v %v", w, tags)
	}
}

// TestCorpusReadersFake runs the corpus readers on folders laid out like the fetched packages.
func TestCorpusReadersFake(t *testing.T) {
	root := t.TempDir()
	sotu := filepath.Join(root, "sotu")
	writeFile(t, filepath.Join(sotu, "package", "data", "1791_b.json"), `{"year":1791,"text":"Second."}`)
	writeFile(t, filepath.Join(sotu, "package", "data", "1790_a.json"), `{"year":1790,"text":"First."}`)
	writeFile(t, filepath.Join(sotu, "package", "data", "1790_a.txt"), `First.`)
	moby := filepath.Join(root, "moby")
	md := filepath.Join(moby, "package", "data")
	writeFile(t, filepath.Join(md, "file_list.json"), `["contents.txt","chapter_2.txt","chapter_10.txt"]`)
	writeFile(t, filepath.Join(md, "contents.json"), `{"text":"CONTENTS"}`)
	writeFile(t, filepath.Join(md, "chapter_2.json"), `{"chapter":"2","text":"Two."}`)
	writeFile(t, filepath.Join(md, "chapter_10.json"), `{"chapter":"10","text":"Ten."}`)
	brown := filepath.Join(root, "brown")
	writeFile(t, filepath.Join(brown, "package", "ca01"), "\n\n\tThe/at jury/nn ./.\n\n\tIt/pps ran/vbd ./.\n")
	writeFile(t, filepath.Join(brown, "package", "cats.txt"), "ca01 news\n")
	opt := filepath.Join(root, "opticks")
	writeFile(t, filepath.Join(opt, OpticksFile), "Para one.\n\nPara two\ncontinued.\n")
	for _, c := range []struct {
		name, dir string
		want      []Document
	}{
		{"sotu", sotu, []Document{{"sotu/1790_a", "First."}, {"sotu/1791_b", "Second."}}},
		{"moby-dick", moby, []Document{{"moby-dick/chapter_2", "Two."}, {"moby-dick/chapter_10", "Ten."}}},
		{"brown", brown, []Document{{"brown/ca01", "The jury.\nIt ran.\n"}}},
		{"opticks", opt, []Document{{"opticks/" + OpticksFile + "#1", "Para one."},
			{"opticks/" + OpticksFile + "#2", "Para two\ncontinued."}}},
	} {
		docs, err := CorpusDocs(c.name, c.dir)
		if err != nil {
			t.Fatal(err)
		}
		if got := collect(t, docs); !slices.Equal(got, c.want) {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
		empty, _ := CorpusDocs(c.name, t.TempDir())
		if _, err := firstDoc(empty); err == nil {
			t.Errorf("%s: no error for an empty folder", c.name)
		}
	}
	writeFile(t, filepath.Join(sotu, "package", "data", "1792_c.json"), `{"year":1792}`)
	var lastErr error
	for _, err := range SOTU(sotu) {
		lastErr = err
	}
	if lastErr == nil || !strings.Contains(lastErr.Error(), "1792_c.json") {
		t.Errorf("err = %v, want the file name", lastErr)
	}
	all := collect(t, Concat(MobyDick(moby), Brown(brown)))
	if want := []string{"moby-dick/chapter_2", "moby-dick/chapter_10", "brown/ca01"}; !slices.Equal(ids(all), want) {
		t.Errorf("Concat = %v", ids(all))
	}
}

func firstDoc(docs Docs) (Document, error) {
	for d, err := range docs {
		return d, err
	}
	return Document{}, nil
}

// TestCorpusReadersReal reads the real fetched corpora from $DEBERTA_DATA_DIR when DEBERTA_FETCH_TEST=1.
func TestCorpusReadersReal(t *testing.T) {
	if os.Getenv("DEBERTA_FETCH_TEST") != "1" {
		t.Skip("set DEBERTA_FETCH_TEST=1 (and fetch) to read the real corpora")
	}
	for _, name := range []string{"sotu", "moby-dick", "opticks", "brown"} {
		dir, err := Fetch(t.Context(), name, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		docs, _ := CorpusDocs(name, dir)
		n, chars := 0, 0
		for d, err := range docs {
			if err != nil {
				t.Fatal(err)
			}
			n++
			chars += len([]rune(d.Text))
		}
		t.Logf("%s: %d documents, %d characters", name, n, chars)
	}
}
