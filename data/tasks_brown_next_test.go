package data

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// nextShort is a sentence under the 3-word rule (two words and punctuation).
const nextShort = "Oh/uh ,/, quite/ql !/."

// writeBrownNext writes a Brown-format folder: docs[name] holds the lines of package/<name>; a "" line stands for
// a long sentence "The <name> sentence <n>." (n its number from 1).
func writeBrownNext(t *testing.T, docs map[string][]string) string {
	dir := t.TempDir()
	pkg := filepath.Join(dir, "package")
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, lines := range docs {
		var b strings.Builder
		for i, l := range lines {
			if l == "" {
				l = fmt.Sprintf("The/at %s/np sentence/nn %d/cd ./.", name, i+1)
			}
			fmt.Fprintf(&b, "\n\n\t%s\n", l)
		}
		if err := os.WriteFile(filepath.Join(pkg, name), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// longDocs returns n documents of k long sentences each.
func longDocs(n, k int) map[string][]string {
	docs := map[string][]string{}
	for i := range n {
		docs[fmt.Sprintf("c%c%02d", 'a'+i%18, 1+i/18)] = make([]string, k)
	}
	return docs
}

// parseNext returns the document and number of a sentence "… <doc> sentence <n>." written by writeBrownNext.
func parseNext(t *testing.T, s string) (string, int) {
	f := strings.Fields(strings.TrimSuffix(s, "."))
	if len(f) < 3 || f[len(f)-2] != "sentence" {
		t.Fatalf("sentence %q is not one of the long sentences", s)
	}
	n, err := strconv.Atoi(f[len(f)-1])
	if err != nil {
		t.Fatal(err)
	}
	return f[len(f)-3], n
}

func TestBrownNextSentence(t *testing.T) {
	halves := func(doc string) string { return map[bool]string{true: "x", false: "y"}[doc < "cj"] }
	for _, tc := range []struct {
		name    string
		docs    map[string][]string
		splitOf func(string) string
		ids     []string // the IDs in order, when given
		err     string   // part of the wanted error
	}{
		{name: "pairs", docs: map[string][]string{"ca01": make([]string, 6), "cb01": make([]string, 5),
			"cc01": make([]string, 4)}, ids: []string{"ca01/1", "ca01/3", "ca01/5", "cb01/1", "cb01/3", "cc01/1", "cc01/3"}},
		{name: "short sentences", docs: map[string][]string{
			"ca01": {"", "Yes/rb ./.", "", "", nextShort, "", "", "ca01/np sentence/nn 8/cd ./.", ""},
			"cb01": {"", nextShort}, "cc01": {"", ""}},
			ids: []string{"ca01/3", "ca01/6", "ca01/8", "cc01/1"}},
		{name: "balance", docs: longDocs(40, 9)},
		{name: "same split", docs: longDocs(36, 6), splitOf: halves},
		{name: "alone in its split", docs: map[string][]string{"ca01": make([]string, 4), "cb01": make([]string, 4)},
			splitOf: func(d string) string { return d }, err: "only document of its split"},
		{name: "malformed", docs: map[string][]string{"ca01": {"", "The/at bad token/nn ./."}}, err: "ca01:6: token \"bad\""},
		{name: "no documents", docs: map[string][]string{}, err: "no Brown files"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeBrownNext(t, tc.docs)
			got, err := BrownNextSentence(dir, 7, tc.splitOf)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one with %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkNextExamples(t, got, tc.splitOf)
			if tc.ids != nil {
				var ids []string
				for _, e := range got {
					ids = append(ids, e.ID)
				}
				if !reflect.DeepEqual(ids, tc.ids) {
					t.Errorf("IDs %v, want %v", ids, tc.ids)
				}
			}
			again, _ := BrownNextSentence(dir, 7, tc.splitOf)
			other, _ := BrownNextSentence(dir, 8, tc.splitOf)
			if !reflect.DeepEqual(got, again) {
				t.Error("two calls with seed 7 differ")
			}
			if len(got) > 4 && reflect.DeepEqual(got, other) {
				t.Error("seeds 7 and 8 give the same examples")
			}
		})
	}
}

// checkNextExamples checks the invariants of BrownNextSentence on a writeBrownNext folder: a "next" pair is two
// consecutive sentences of its document, an "other" pair takes its second sentence from another document of
// the same split, labels alternate within a document and next and other are balanced.
func checkNextExamples(t *testing.T, got []ClassExample, splitOf func(string) string) {
	t.Helper()
	count := map[string]int{}
	last := map[string]string{} // document → label of its previous pair
	for _, e := range got {
		doc, n := parseNext(t, e.Text)
		if e.ID != fmt.Sprintf("%s/%d", doc, n) || e.Group != doc || len(e.Labels) != 1 {
			t.Fatalf("example %+v: ID, Group or labels do not match its text", e)
		}
		pdoc, pn := parseNext(t, e.Pair)
		switch e.Labels[0] {
		case "next":
			if pdoc != doc || pn != n+1 {
				t.Errorf("%s: next pair %q / %q is not two consecutive sentences", e.ID, e.Text, e.Pair)
			}
		case "other":
			if pdoc == doc || (splitOf != nil && splitOf(pdoc) != splitOf(doc)) {
				t.Errorf("%s: other pair takes %q from %s", e.ID, e.Pair, pdoc)
			}
		default:
			t.Fatalf("%s: label %v", e.ID, e.Labels)
		}
		if last[doc] == e.Labels[0] {
			t.Errorf("%s: two %s pairs in a row", e.ID, e.Labels[0])
		}
		last[doc] = e.Labels[0]
		count[e.Labels[0]]++
	}
	d := count["next"] - count["other"]
	if d < 0 {
		d = -d
	}
	if d > len(last) || (len(got) > 100 && 10*d > len(got)) {
		t.Errorf("unbalanced: %v in %d documents", count, len(last))
	}
}
